/**
 * What the console says when something fails: the node's stable error code in the reader's language,
 * then the node's own detail (in English: it names the field or the value) as the second sentence.
 * Never raw JSON or a stack.
 */
import { TRPCClientError } from '@trpc/client';
import { EvidenceError } from './evidence';
import { format, type Strings } from './i18n';

type Code = keyof Strings['errors']['codes'];

export function describeCode(code: string, t: Strings): string | null {
  return code in t.errors.codes ? t.errors.codes[code as Code] : null;
}

/** A code as a receipt or a list shows it: the code, then its meaning in the reader's words when known. */
export function codeWithMeaning(code: string, t: Strings): string {
  const meaning = describeCode(code, t);
  return meaning ? `${code} (${meaning})` : code;
}

export function describeError(error: unknown, t: Strings): string {
  if (error instanceof EvidenceError) {
    const known = describeCode(error.code, t);
    return known ? `${known} ${format(t.errors.detail, { message: error.message.slice(0, 300) })}` : error.message;
  }
  if (error instanceof TRPCClientError) {
    const code = (error.data as { firstlightCode?: string } | undefined)?.firstlightCode;
    if (code === 'ERR_UNAUTHORIZED') return t.errors.codes.ERR_UNAUTHORIZED;
    const known = code ? describeCode(code, t) : null;
    if (known) return `${known} ${format(t.errors.detail, { message: error.message.slice(0, 300) })}`;
    if (code) return error.message;
    if (/fetch|network/i.test(error.message)) return t.errors.network;
    return format(t.errors.unknown, { message: error.message.slice(0, 200) });
  }
  if (error instanceof Error)
    return /fetch|network/i.test(error.message) ? t.errors.network : format(t.errors.unknown, { message: error.message.slice(0, 200) });
  return format(t.errors.unknown, { message: 'unexpected error' });
}
