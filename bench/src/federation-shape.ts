/**
 * The shape of a finished federation run, read from its nodes' databases once they have stopped: how
 * many envelopes each delivery carried (to national nodes, and to the liaison office), how many of those
 * deliveries were sealed, and how many referrals and statuses each signing transaction held. The
 * lifecycle floor (floor.ts) is measured at these sizes. Read only; it never writes to a node's database.
 */
import { join } from 'node:path';
import SQLite from 'better-sqlite3';

/** Messages newly accepted by one kind of addressee, the deliveries that carried them, and how many of those were sealed. */
export interface Deliveries {
  messages: number;
  deliveries: number;
  sealed: number;
}

export interface LifecycleShape {
  /** Statuses per referral, as the liaison office counted them (the run's done.statuses / done.referrals). */
  statusesPerReferral: number;
  /** Deliveries to national nodes: referrals to their recipient, statuses to the referral's origin. */
  national: Deliveries;
  /** Deliveries of copies to the liaison office. */
  liaison: Deliveries;
  /** Referrals per filing transaction (one bureau bulk call, referrals.createMany). */
  filingBatch: number;
  /** Statuses per status transaction (one bureau bulk call, inbox.updateStatuses). */
  statusBatch: number;
}

export function envelopesPerDelivery(d: Deliveries): number {
  return d.messages / Math.max(1, d.deliveries);
}

/**
 * Every node's `received` table says how its messages came: a message accepted on a seal keeps the
 * seal's digest (one seal per delivery), one that came alone (a delivery of one envelope goes unsealed,
 * outbox/worker.ts) has none. Signing transactions: filing calls carry a requestId, so each is one row of
 * bulk_requests; status calls do not, so each is one `created_at` of the statuses the node signed.
 */
export function federationShape(dataRoot: string, parties: string[], statusesPerReferral: number): LifecycleShape {
  const national: Deliveries = { messages: 0, deliveries: 0, sealed: 0 };
  const liaison: Deliveries = { messages: 0, deliveries: 0, sealed: 0 };
  let referrals = 0;
  let filings = 0;
  let statuses = 0;
  let statusCalls = 0;
  for (const party of parties) {
    const db = new SQLite(join(dataRoot, party, 'node.db'), { readonly: true, fileMustExist: true });
    try {
      const r = db
        .prepare('select count(*) as messages, count(distinct seal) as sealed, count(*) - count(seal) as alone from received')
        .get() as { messages: number; sealed: number; alone: number };
      const into = party === 'LIAISON' ? liaison : national;
      into.messages += r.messages;
      into.sealed += r.sealed;
      into.deliveries += r.sealed + r.alone;
      if (party === 'LIAISON') continue;
      referrals += (db.prepare('select count(*) as n from referrals_out').get() as { n: number }).n;
      filings += (db.prepare(`select count(*) as n from bulk_requests where procedure = 'referrals.createMany'`).get() as { n: number }).n;
      const s = db.prepare(`select count(*) as n, count(distinct created_at) as calls from statuses where direction = 'out'`).get() as {
        n: number;
        calls: number;
      };
      statuses += s.n;
      statusCalls += s.calls;
    } finally {
      db.close();
    }
  }
  if (national.deliveries === 0 || liaison.deliveries === 0)
    throw new Error('the federation run left no received messages to measure its deliveries by');
  return {
    statusesPerReferral,
    national,
    liaison,
    filingBatch: referrals / Math.max(1, filings),
    statusBatch: statuses / Math.max(1, statusCalls),
  };
}
