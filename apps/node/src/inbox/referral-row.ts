import type { Referral } from '@firstlight/protocol';

/** The columns every stored copy of a referral shares (a bureau's inbox, the liaison office's view). */
export function referralColumns(m: Referral) {
  return {
    id: m.id,
    from_country: m.from,
    to_country: m.to,
    ip: m.ip,
    port: m.port ?? null,
    seen_at: m.seenAt,
    action: m.action,
    urgency: m.urgency,
    operation: m.operation,
    evidence: JSON.stringify(m.evidence),
    iat: m.iat,
  };
}
