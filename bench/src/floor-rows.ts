/**
 * The rows of the lifecycle floor (floor.ts): one party's SQLite database (WAL, synchronous NORMAL,
 * secure_delete on, as apps/node/src/db/database.ts opens a node's), holding only what a party must
 * keep, in the least rows that keep it. Each stored message is one row holding its bytes, digest, receipt,
 * seal and state (a node writes `received` and its kind's own row); each queue entry one row per peer;
 * every message sent or received one entry of the hash-chained audit log, and its head moved once per
 * transaction; a receipt batch (sender and recipient) and a seal (recipient) one row each per delivery.
 * Primary keys only: no secondary index, no claims written (one process owns its queue).
 */
import { hash } from 'node:crypto';
import SQLite from 'better-sqlite3';
import type { Message, Signed } from './floor.js';

const SCHEMA = `
create table sent (id text primary key, kind text not null, to_country text not null, referral text not null, jws text not null, created_at integer not null, state text, updated_at integer not null);
create table outbox (id integer primary key, message_id text not null, peer text not null, state text not null, created_at integer not null, receipt text, delivered_at integer);
create table received (id text primary key, kind text not null, from_country text not null, referral text not null, digest text not null, jws text not null, receipt text not null, seal text, received_at integer not null, state text, updated_at integer not null);
create table seals (digest text primary key, jws text not null, at integer not null);
create table receipt_batches (digest text primary key, jws text not null, at integer not null);
create table audit (seq integer primary key, at integer not null, kind text not null, ref text not null, digest text not null, prev_hash text not null, hash text not null);
create table audit_head (id integer primary key, seq integer not null, hash text not null);
`;

export class PartyStore {
  /** Rows written (inserted or updated) and transactions committed. */
  rows = 0;
  transactions = 0;
  private readonly db: SQLite.Database;
  private readonly sql: Record<string, SQLite.Statement>;
  private readonly queued = new Map<string, number | bigint>();
  private seq = 0;
  private head = `sha256:${'0'.repeat(64)}`;

  constructor(
    file: string,
    private readonly code: string,
  ) {
    this.db = new SQLite(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('secure_delete = ON');
    this.db.exec(SCHEMA);
    const p = (s: string) => this.db.prepare(s);
    this.sql = {
      sent: p('insert into sent values (?, ?, ?, ?, ?, ?, null, ?)'),
      queue: p(`insert into outbox (message_id, peer, state, created_at) values (?, ?, 'queued', ?)`),
      delivered: p(`update outbox set state = 'delivered', receipt = ?, delivered_at = ? where id = ?`),
      received: p('insert into received values (?, ?, ?, ?, ?, ?, ?, ?, ?, null, ?)'),
      stateOfSent: p('update sent set state = ?, updated_at = ? where id = ?'),
      stateOfReceived: p('update received set state = ?, updated_at = ? where id = ?'),
      seal: p('insert into seals values (?, ?, ?) on conflict (digest) do nothing'),
      batch: p('insert into receipt_batches values (?, ?, ?) on conflict (digest) do nothing'),
      audit: p('insert into audit values (?, ?, ?, ?, ?, ?, ?)'),
      head: p('insert into audit_head values (1, ?, ?) on conflict (id) do update set seq = excluded.seq, hash = excluded.hash'),
    };
  }

  /** The signer's transaction: each message kept with its queue rows (recipient, liaison office); a status moves the signer's referral. */
  signed(messages: Message[]): void {
    this.tx((now) => {
      for (const m of messages) {
        this.run('sent', m.id, m.kind, m.to.code, m.referral, m.jws, now, now);
        for (const peer of [m.to.code, 'LIAISON']) this.queued.set(`${m.id} ${peer}`, this.run('queue', m.id, peer, now).lastInsertRowid);
        if (m.kind === 'status') this.run('stateOfReceived', m.state, now, m.referral);
        this.audit(now, `sent.${m.kind}`, `${m.id}@${m.to.code}`, m.digest);
      }
    });
  }

  /** A recipient's transaction for one delivery: the seal and the receipt batch it signed, each message kept; a status moves its referral. */
  received(messages: Message[], seal: Signed | null, batch: Signed): void {
    this.tx((now) => {
      if (seal) {
        this.run('seal', seal.digest, seal.jws, now);
        this.audit(now, 'received.seal', `seal@${messages[0]?.from.code}`, seal.digest);
      }
      this.run('batch', batch.digest, batch.jws, now);
      this.audit(now, 'sent.receipt-batch', `batch@${messages[0]?.from.code}`, batch.digest);
      messages.forEach((m, i) => {
        this.run(
          'received',
          m.id,
          m.kind,
          m.from.code,
          m.referral,
          m.digest,
          m.jws,
          `batch:${batch.digest}:${i}`,
          seal?.digest ?? null,
          now,
          now,
        );
        // The origin's referral is in `sent`; everyone else holds it in `received`.
        if (m.kind === 'status') this.run(m.to.code === this.code ? 'stateOfSent' : 'stateOfReceived', m.state, now, m.referral);
        this.audit(now, `received.${m.kind}`, `${m.id}@${m.from.code}`, m.digest);
      });
    });
  }

  /** The sender's transaction for one answered delivery: the batch kept, each queue row settled by it. */
  receipted(peer: string, messages: Message[], batch: Signed): void {
    this.tx((now) => {
      this.run('batch', batch.digest, batch.jws, now);
      messages.forEach((m, i) => {
        this.run('delivered', `batch:${batch.digest}:${i}`, now, this.queued.get(`${m.id} ${peer}`) ?? -1);
      });
      this.audit(now, 'receipt.batch', `batch@${peer}`, batch.digest);
    });
  }

  /** Every page written copied from the log into the database file, as the node's checkpointer does. */
  checkpoint(): void {
    this.db.pragma('wal_checkpoint(PASSIVE)');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private tx(body: (now: number) => void): void {
    this.db.transaction(() => {
      body(Date.now());
      this.run('head', this.seq, this.head);
    })();
    this.transactions++;
  }

  private run(statement: string, ...values: unknown[]): SQLite.RunResult {
    this.rows++;
    return (this.sql[statement] as SQLite.Statement).run(...values);
  }

  private audit(at: number, kind: string, ref: string, digest: string): void {
    const seq = ++this.seq;
    const entry = `sha256:${hash('sha256', JSON.stringify([this.head, seq, at, kind, ref, digest]))}`;
    this.run('audit', seq, at, kind, ref, digest, this.head, entry);
    this.head = entry;
  }
}
