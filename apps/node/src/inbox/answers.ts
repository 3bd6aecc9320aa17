/**
 * How a delivery is answered (PROTOCOL.md §5.1): a signed receipt per envelope, or one receipt batch
 * with every verdict in order; what is kept as each accepted message's receipt; and the audit entries
 * for what was signed. It signs verdicts already decided (judge.ts) and never changes one.
 */
import { type SigningKey, sha256Digest, signMessageSync, uuidv7 } from '@firstlight/protocol';
import type { AuditEntryInput } from '../audit/audit-log.js';
import { seconds } from '../clock.js';
import { batchRef } from '../receipts/stored.js';
import type { Judgement, Settled } from './judge.js';

export type Answer = 'each' | 'batch';
export type Answered = { receipts: string[] } | { receiptBatch: string };

export interface Answers {
  answered: Answered;
  /** What is stored as the receipt of the envelope at an index: its JWS, or its place in the batch. */
  receiptOf: (index: number) => string;
  audit: AuditEntryInput[];
  /** The receipt batch, kept once. */
  batch: { digest: string; jws: string } | null;
  /** Bytes answered in a batch before, now answered with a receipt of their own: it is kept in the batch's place. */
  restated: Array<{ id: string; digest: string; receipt: string }>;
}

interface Signer {
  party: string;
  key: SigningKey;
  now: number;
}

export function signAnswers(judged: Judgement, answer: Answer, signer: Signer): Answers {
  const { now } = signer;
  const audit: AuditEntryInput[] = judged.refused.map((r) => ({
    at: now,
    kind: `received.rejected.${r.code}`,
    ref: r.ref,
    digest: r.digest,
  }));
  return answer === 'batch' ? answerBatch(judged, signer, audit) : answerEach(judged, signer, audit);
}

function answerBatch({ settled, accepted, refused }: Judgement, { party, key, now }: Signer, audit: AuditEntryInput[]): Answers {
  const senders = new Set(settled.flatMap((r) => (r.to === null ? [] : [r.to])));
  const id = uuidv7(now);
  const jws = signMessageSync(
    'receiptBatch',
    {
      v: 1,
      id,
      from: party,
      to: senders.size === 1 ? ([...senders][0] as string) : null,
      iat: seconds(now),
      receipts: settled.map((r) => r.verdict),
    },
    key,
  );
  const digest = sha256Digest(jws);
  if (accepted.length > 0 || refused.length > 0) audit.push({ at: now, kind: 'sent.receipt-batch', ref: `batch:${id}`, digest });
  return { answered: { receiptBatch: jws }, receiptOf: (index) => batchRef(digest, index), audit, batch: { digest, jws }, restated: [] };
}

function answerEach({ settled, refused }: Judgement, { party, key, now }: Signer, audit: AuditEntryInput[]): Answers {
  // Kept on the verdict, so the same message twice in one batch shares one receipt.
  const signOne = (r: Settled): string =>
    (r.receipt ??= signMessageSync('receipt', { v: 1, id: uuidv7(now), from: party, iat: seconds(now), to: r.to, ...r.verdict }, key));
  const receipts = settled.map(signOne);
  for (const r of refused) audit.push({ at: now, kind: 'sent.receipt', ref: r.ref, digest: sha256Digest(receipts[r.index] as string) });
  // A resend asking for a receipt of its own, for bytes answered in a batch before: the receipt signed
  // now is kept, so every later resend gets these same bytes again (idempotent, as §5.1 asks).
  const restated: Answers['restated'] = [];
  settled.forEach((r, i) => {
    if (!r.restate || restated.some((x) => x.digest === r.verdict.ref.digest)) return;
    restated.push({ id: r.verdict.ref.id as string, digest: r.verdict.ref.digest, receipt: receipts[i] as string });
    audit.push({ at: now, kind: 'sent.receipt', ref: `${r.verdict.ref.id}@${r.to}`, digest: sha256Digest(receipts[i] as string) });
  });
  return { answered: { receipts }, receiptOf: (index) => receipts[index] as string, audit, batch: null, restated };
}
