/** CLI output and exit codes: 0 success, 1 failure at run time, 2 bad usage or input. */
import { ProtocolError } from '@firstlight/protocol';
import { ZodError } from 'zod';
import { NodeError } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function printResult(value: unknown, json: boolean, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

export function printTable(rows: Array<Record<string, unknown>>, columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  return [line(columns), ...rows.map((r) => line(columns.map((c) => String(r[c] ?? ''))))].join('\n');
}

/** Errors that mean the command was used wrongly (bad input, or a command for the other kind of node), not that it failed. */
const USAGE_CODES = new Set(['ERR_INPUT', 'ERR_WRONG_ROLE', 'ERR_PURPOSE_REQUIRED']);

/** The one line a failure prints: `error CODE: message`, never a stack trace. */
export function errorLine(error: unknown): string {
  if (error instanceof ZodError)
    return `error ERR_INPUT: ${error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`;
  if (error instanceof NodeError || error instanceof ProtocolError) return `error ${error.code}: ${error.message}`;
  return `error ERR_INTERNAL: ${error instanceof Error ? error.message : String(error)}`;
}

/** 2 when the command was used wrongly (bad input, the other kind of node, an IP that cannot be referred), 1 otherwise. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof ZodError) return EXIT_USAGE;
  if (error instanceof NodeError || error instanceof ProtocolError)
    return USAGE_CODES.has(error.code) || error.code.startsWith('ERR_IP_') ? EXIT_USAGE : EXIT_FAILURE;
  return EXIT_FAILURE;
}

/** Turns any error into a one-line message and an exit code. */
export function failWith(error: unknown): never {
  process.stderr.write(`${errorLine(error)}\n`);
  process.exit(exitCodeOf(error));
}
