/** Signing: validate against the schema first (never sign what a peer would reject), then compact JWS. */
import { CompactSign } from 'jose';
import { ProtocolError } from './errors.js';
import type { SigningKey } from './keys.js';
import { JWS_TYP, type MessageType } from './messages/common.js';
import { type Directory, directorySchema } from './messages/directory.js';
import { type Receipt, receiptSchema } from './messages/receipt.js';
import { type Referral, referralSchema } from './messages/referral.js';
import { type Status, statusSchema } from './messages/status.js';
import { zodIssueSummary } from './schema-errors.js';

export interface MessageByType {
  referral: Referral;
  receipt: Receipt;
  status: Status;
  directory: Directory;
}

export const SCHEMAS = {
  referral: referralSchema,
  receipt: receiptSchema,
  status: statusSchema,
  directory: directorySchema,
} as const;

const encoder = new TextEncoder();

/** Signs raw payload bytes without validation. Test vectors use this to build invalid cases. */
export async function signBytes(
  typ: string,
  payload: Uint8Array,
  key: SigningKey,
  extraHeader: Record<string, unknown> = {},
): Promise<string> {
  return new CompactSign(payload).setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ, ...extraHeader }).sign(key.privateKey);
}

export async function signMessage<T extends MessageType>(type: T, message: MessageByType[T], key: SigningKey): Promise<string> {
  const parsed = SCHEMAS[type].safeParse(message);
  if (!parsed.success) throw new ProtocolError('ERR_SCHEMA', `refusing to sign an invalid ${type}: ${zodIssueSummary(parsed.error)}`);
  return signBytes(JWS_TYP[type], encoder.encode(JSON.stringify(parsed.data)), key);
}
