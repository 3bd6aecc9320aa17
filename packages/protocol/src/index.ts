/** @firstlight/protocol: what crosses a border, how it is signed, and how it is checked. */
export * from './countries.js';
export * from './directory.js';
export { decodeBase64url, encodeBase64url, parseStrictJson, sha256Digest } from './encoding.js';
export * from './errors.js';
export * from './ip.js';
export { MAX_DIRECTORY_BYTES, MAX_MESSAGE_BYTES, MAX_RECEIPT_BATCH_BYTES, MAX_SEAL_BYTES } from './jws.js';
export * from './key-submission.js';
export * from './keys.js';
export * from './kinds.js';
export * from './messages/index.js';
export * from './peek.js';
export { zodIssueSummary } from './schema-errors.js';
export * from './seal.js';
export * from './sign.js';
export * from './status-flow.js';
export * from './trust-store.js';
export * from './uuid.js';
export * from './verify.js';
