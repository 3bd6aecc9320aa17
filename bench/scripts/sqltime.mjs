// Profiling aid: --import ./scripts/sqltime.mjs prints time spent per SQL statement shape at exit.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../apps/node/package.json', import.meta.url));

import { appendFileSync } from 'node:fs';

// SQLTIME_FILE: where to write (a node started by a script has no terminal); stderr otherwise.
const out = (line) =>
  process.env.SQLTIME_FILE ? appendFileSync(process.env.SQLTIME_FILE, `${line}\n`) : process.stderr.write(`${line}\n`);
const SQLite = require('better-sqlite3');
const db = new SQLite(':memory:');
const Statement = db.prepare('select 1').constructor;
const totals = new Map();
// SQLTIME_CLOCK=cpu: the process's CPU time (every thread's: the verify workers' too) rather than wall
// time, which on a loaded machine counts the time a statement waited for a core.
const cpu = process.env.SQLTIME_CLOCK === 'cpu';
const clock = cpu
  ? () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    }
  : () => performance.now();
for (const m of ['run', 'all', 'get']) {
  const orig = Statement.prototype[m];
  Statement.prototype[m] = function (...args) {
    const t = clock();
    try {
      return orig.apply(this, args);
    } finally {
      const k = this.source
        .replace(/\(\?(, \?)*\)(, \(\?(, \?)*\))*/g, '(…)')
        .replace(/in \(\?(, \?)*\)/g, 'in (…)')
        .slice(0, 90);
      const e = totals.get(k) ?? [0, 0];
      e[0] += clock() - t;
      e[1]++;
      totals.set(k, e);
    }
  };
}
const Database = db.constructor;
const origPrepare = Database.prototype.prepare;
Database.prototype.prepare = function (...args) {
  const t = clock();
  try {
    return origPrepare.apply(this, args);
  } finally {
    const e = totals.get('(prepare)') ?? [0, 0];
    e[0] += clock() - t;
    e[1]++;
    totals.set('(prepare)', e);
  }
};
process.on('exit', () => {
  for (const [k, [ms, n]] of [...totals].sort((a, b) => b[1][0] - a[1][0]).slice(0, Number(process.env.SQLTIME_TOP ?? 15)))
    out(`${ms.toFixed(0).padStart(7)} ms ${String(n).padStart(6)} ${k}`);
});
