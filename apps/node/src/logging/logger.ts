/**
 * pino with redaction: private keys, tokens and victims' personal data never reach a log line,
 * even if someone logs a whole object by mistake.
 */
import { type DestinationStream, type Logger, pino } from 'pino';

export const REDACTED_PATHS = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'privateKey',
  '*.privateKey',
  'd',
  '*.d',
  'pem',
  '*.pem',
  'victim_name',
  '*.victim_name',
  'victimName',
  '*.victimName',
  'victim_contact',
  '*.victim_contact',
  'victimContact',
  '*.victimContact',
  'narrative',
  '*.narrative',
];

export function createLogger(options: { level?: string; name?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      name: options.name ?? 'firstlight',
      level: options.level ?? process.env.FIRSTLIGHT_LOG_LEVEL ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    options.destination ?? pino.destination(2),
  );
}

export type { Logger };
