/** Routing a suspect IP to the country that must act on it, with refusals an officer can act on. */
import { checkIp } from '@firstlight/protocol';
import type { IpIndex } from './ip-index.js';

/**
 * A refusal an officer may override (domestic, or not in the data set) still carries the canonical
 * IP: an override must send that form, never the text as typed.
 */
export type RouteResult =
  | { ok: true; country: string; ip: string }
  | { ok: false; code: 'ERR_IP_UNROUTABLE' | 'ERR_IP_INVALID'; message: string }
  | { ok: false; code: 'ERR_IP_DOMESTIC' | 'ERR_IP_UNKNOWN_COUNTRY'; message: string; ip: string };

const RANGE_TEXT: Record<string, string> = {
  private: 'a private address (RFC 1918)',
  loopback: 'a loopback address',
  linkLocal: 'a link-local address',
  multicast: 'a multicast address',
  carrierGradeNat: 'a carrier-grade NAT address (100.64.0.0/10): ask the mobile operator for the public IP and port',
  reserved: 'a reserved or documentation address',
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  uniqueLocal: 'a unique-local IPv6 address',
  benchmarking: 'a benchmarking address',
  unallocated: 'unallocated IPv6 space',
};

export function routeIp(index: IpIndex, ip: string, ownCountry: string): RouteResult {
  const checked = checkIp(ip.trim());
  if (!checked.ok && checked.reason === 'invalid')
    return { ok: false, code: 'ERR_IP_INVALID', message: `"${ip.slice(0, 60)}" is not an IPv4 or IPv6 address` };
  if (!checked.ok && checked.reason === 'unroutable')
    return {
      ok: false,
      code: 'ERR_IP_UNROUTABLE',
      message: `${checked.canonical} is ${RANGE_TEXT[checked.range] ?? `in the ${checked.range} range`}: it cannot be traced abroad; find the public IP in the provider's logs`,
    };
  if (!checked.ok) return { ok: false, code: 'ERR_IP_INVALID', message: 'not an IP address' };
  const country = index.lookup(checked.canonical);
  if (!country)
    return {
      ok: false,
      code: 'ERR_IP_UNKNOWN_COUNTRY',
      message: `${checked.canonical} is not in the IP allocation data set: choose the country by hand with a reason`,
      ip: checked.canonical,
    };
  if (country === ownCountry)
    return {
      ok: false,
      code: 'ERR_IP_DOMESTIC',
      message: `${checked.canonical} is in ${country}, your own country: this is a domestic case`,
      ip: checked.canonical,
    };
  return { ok: true, country, ip: checked.canonical };
}
