/**
 * IP addresses on the wire: one canonical text form, and a refusal for every range that can never be
 * traced to a subscriber abroad. Uses ipaddr.js for parsing and range tables; never regexes.
 */
import ipaddr from 'ipaddr.js';
import { keep } from './bounded.js';

export type IpCheck =
  | { ok: true; canonical: string; family: 4 | 6 }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'unroutable'; range: string; canonical: string };

// ipaddr.js names every special range; only these are global unicast that a country can trace.
const ROUTABLE_V4 = new Set(['unicast']);
// IPv6 global unicast lives in 2000::/3; ipaddr.js calls all of it 'unicast' except its special ranges,
// and also calls unallocated space outside 2000::/3 'unicast', which we refuse below.
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

function parseStrict(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (text.length > 45) return null;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (text.includes('%')) return null; // zone ids are local to a host
  if (ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return null;
}

/**
 * Parses, unwraps IPv4-mapped IPv6, and classifies. A pure function of the text, so its answers are
 * kept for the texts seen last (every referral's IP is checked by its schema, at the sender and at
 * each recipient, and a call centre's addresses recur across many referrals); the cache is bounded and
 * simply emptied when full.
 */
export function checkIp(text: string): IpCheck {
  return checked.get(text) ?? keep(checked, CHECKED_SIZE, text, Object.freeze(classify(text)));
}

const CHECKED_SIZE = 1024;
const checked = new Map<string, IpCheck>();

function classify(text: string): IpCheck {
  let addr = parseStrict(text);
  if (!addr) return { ok: false, reason: 'invalid' };
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  }
  if (addr.kind() === 'ipv4') {
    const v4 = addr as ipaddr.IPv4;
    const canonical = v4.toString();
    const range = v4.range();
    if (!ROUTABLE_V4.has(range)) return { ok: false, reason: 'unroutable', range, canonical };
    return { ok: true, canonical, family: 4 };
  }
  const v6 = addr as ipaddr.IPv6;
  const canonical = v6.toRFC5952String();
  const range = v6.range();
  if (range !== 'unicast') return { ok: false, reason: 'unroutable', range, canonical };
  if (!v6.match(GLOBAL_UNICAST_V6)) return { ok: false, reason: 'unroutable', range: 'unallocated', canonical };
  return { ok: true, canonical, family: 6 };
}

/** The canonical text form of a routable IP, or null. Producers call this before signing. */
export function canonicalIp(text: string): string | null {
  const result = checkIp(text);
  return result.ok ? result.canonical : null;
}

/** The network a referral's IP belongs to for correlation: IPv4 /24, IPv6 /48. */
export function ipNetwork(text: string): string | null {
  const addr = parseStrict(text);
  if (!addr) return null;
  if (addr.kind() === 'ipv4') {
    const o = (addr as ipaddr.IPv4).octets;
    return `${o[0]}.${o[1]}.${o[2]}.0/24`;
  }
  const p = (addr as ipaddr.IPv6).parts;
  const net = new ipaddr.IPv6([p[0] ?? 0, p[1] ?? 0, p[2] ?? 0, 0, 0, 0, 0, 0]);
  return `${net.toRFC5952String()}/48`;
}
