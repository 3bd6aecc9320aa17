/** Wire schemas only (pure zod, no node: imports): what the console and other packages may share. */
export * from './common.js';
export * from './directory.js';
export * from './key-submission.js';
export * from './receipt.js';
export * from './referral.js';
export * from './seal.js';
export * from './status.js';
export * from './tls-pin-submission.js';
