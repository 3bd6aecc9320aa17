/**
 * Hosts for `pnpm wan`: network namespaces named flwan-*, one per node, each with a WAN interface on
 * one bridge (10.77.0.0/24, where federation traffic crosses and is captured) and a LAN interface to
 * the root namespace (10.78.N.0/30, the bureau's own network: operators' API, console, metrics).
 * Loss and partitions are nftables rules in a host's own namespace. The kernel here has no netem
 * qdisc, so latency is added by a relay (relay.ts), not here. Needs root. Must never touch an
 * interface, namespace or nftables table that is not named flwan-*.
 */
import { execFileSync } from 'node:child_process';

export const BRIDGE = 'flwan-br';
export const BRIDGE_IP = '10.77.0.1';

export interface Host {
  name: string;
  ns: string;
  /** The host's WAN address (the bridge network). */
  wan: string;
  /** The host's LAN address (reachable from the root namespace only). */
  lan: string;
  /** Root-namespace ends of its WAN and LAN veth pairs (where the capture listens). */
  wanVeth: string;
  lanVeth: string;
}

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function inNs(ns: string, cmd: string, args: string[]): string {
  return sh('ip', ['netns', 'exec', ns, cmd, ...args]);
}

/** Removes every flwan-* namespace and link left by an earlier run (a crash, a kill). */
export function teardown(): void {
  const namespaces = sh('ip', ['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith('flwan-'));
  for (const ns of namespaces) sh('ip', ['netns', 'delete', ns]);
  const links = sh('ip', ['-o', 'link', 'show'])
    .split('\n')
    .map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1] ?? '')
    .filter((n) => n.startsWith('flwan-'));
  for (const link of links) {
    try {
      sh('ip', ['link', 'delete', link]);
    } catch {
      // a veth's root end disappears with its namespace
    }
  }
}

export function createBridge(): void {
  sh('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
  sh('ip', ['addr', 'add', `${BRIDGE_IP}/24`, 'dev', BRIDGE]);
  sh('ip', ['link', 'set', BRIDGE, 'up']);
}

/** Host number i (1-based): namespace, WAN veth on the bridge, LAN veth to the root namespace. */
export function createHost(name: string, i: number): Host {
  const host: Host = {
    name,
    ns: `flwan-h${i}`,
    wan: `10.77.0.${10 + i}`,
    lan: `10.78.${i}.2`,
    wanVeth: `flwan-w${i}`,
    lanVeth: `flwan-l${i}`,
  };
  sh('ip', ['netns', 'add', host.ns]);
  inNs(host.ns, 'ip', ['link', 'set', 'lo', 'up']);
  sh('ip', ['link', 'add', host.wanVeth, 'type', 'veth', 'peer', 'name', 'wan0', 'netns', host.ns]);
  sh('ip', ['link', 'set', host.wanVeth, 'master', BRIDGE, 'up']);
  inNs(host.ns, 'ip', ['addr', 'add', `${host.wan}/24`, 'dev', 'wan0']);
  inNs(host.ns, 'ip', ['link', 'set', 'wan0', 'up']);
  sh('ip', ['link', 'add', host.lanVeth, 'type', 'veth', 'peer', 'name', 'lan0', 'netns', host.ns]);
  sh('ip', ['addr', 'add', `10.78.${i}.1/30`, 'dev', host.lanVeth]);
  sh('ip', ['link', 'set', host.lanVeth, 'up']);
  inNs(host.ns, 'ip', ['addr', 'add', `${host.lan}/30`, 'dev', 'lan0']);
  inNs(host.ns, 'ip', ['link', 'set', 'lan0', 'up']);
  setLoss(host, 0);
  return host;
}

/** Loads the host's nftables ruleset (table inet flwan), replacing any earlier one. */
function loadRules(host: Host, rules: string): void {
  execFileSync('ip', ['netns', 'exec', host.ns, 'nft', '-f', '-'], {
    input: `table inet flwan\ndelete table inet flwan\ntable inet flwan {\n${rules}\n}\n`,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

const chain = (hook: 'input' | 'output', rules: string[]) =>
  `  chain ${hook} {\n    type filter hook ${hook} priority 0; policy accept;\n${rules.map((r) => `    ${r}\n`).join('')}  }`;

const lossRule = (percent: number) => (percent > 0 ? [`iifname "wan0" numgen random mod 100 < ${percent} drop`] : []);

/** Drops `percent` % of the packets arriving on the host's WAN interface (each direction loses at its receiver). */
export function setLoss(host: Host, percent: number): void {
  loadRules(host, chain('input', lossRule(percent)));
}

/** Cuts the host off the WAN both ways (silently: packets dropped, as a broken link loses them). */
export function partition(host: Host): void {
  loadRules(host, `${chain('input', ['iifname "wan0" drop'])}\n${chain('output', ['oifname "wan0" drop'])}`);
}

export function execIn(host: Host, cmd: string, args: string[]): string {
  return inNs(host.ns, cmd, args);
}
