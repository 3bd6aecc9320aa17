import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

describe('the logger', () => {
  it('never writes tokens, private keys or victims’ personal data', () => {
    let out = '';
    const destination = new Writable({
      write(chunk, _enc, done) {
        out += chunk.toString();
        done();
      },
    });
    const logger = createLogger({ level: 'info', destination });
    logger.info(
      { token: 'flt_SECRET1', headers: { authorization: 'Bearer flt_SECRET2' }, privateKey: 'SECRET3', jwk: { d: 'SECRET4' } },
      'call',
    );
    logger.info({ complaint: { victimName: 'SECRET5', victimContact: 'SECRET6', narrative: 'SECRET7' } }, 'complaint');
    logger.info({ victim_name: 'SECRET8' }, 'row');
    expect(out).toContain('[redacted]');
    for (let i = 1; i <= 8; i++) expect(out).not.toContain(`SECRET${i}`);
  });
});
