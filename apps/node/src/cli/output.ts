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
const USAGE_CODES = new Set(['ERR_INPUT', 'ERR_WRONG_ROLE']);

/** Turns any error into a one-line message and an exit code; never prints a stack trace. */
export function failWith(error: unknown): never {
  if (error instanceof ZodError) {
    process.stderr.write(`error ERR_INPUT: ${error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}\n`);
    process.exit(EXIT_USAGE);
  }
  if (error instanceof NodeError || error instanceof ProtocolError) {
    process.stderr.write(`error ${error.code}: ${error.message}\n`);
    process.exit(USAGE_CODES.has(error.code) || error.code.startsWith('ERR_IP_') ? EXIT_USAGE : EXIT_FAILURE);
  }
  process.stderr.write(`error ERR_INTERNAL: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(EXIT_FAILURE);
}
