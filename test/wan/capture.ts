/**
 * The capture for `pnpm wan`: tshark on the root-namespace ends of the hosts' veths, written to a
 * pcap, then each TCP stream reassembled (tshark's tcp.stream and tcp.payload) and searched for
 * needles: what must never be readable on the wire (IP addresses, evidence digests, JSON member
 * names). The same scan of the LAN capture (operators' plain HTTP) must find them: the check can fail.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Capture {
  file: string;
  stop(): Promise<void>;
}

export async function startCapture(interfaces: string[], file: string): Promise<Capture> {
  const args = [...interfaces.flatMap((i) => ['-i', i]), '-q', '-w', file];
  const child: ChildProcess = spawn('tshark', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d.toString();
  });
  // tshark says "Capturing on …" once the interfaces are open.
  const deadline = Date.now() + 20_000;
  while (!/Capturing on/.test(stderr)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`tshark did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    file,
    async stop() {
      child.kill('SIGINT');
      await exited;
      if (!existsSync(file)) throw new Error(`tshark wrote no ${file}: ${stderr}`);
    },
  };
}

/** The TCP payload of every stream in the pcap, each stream's segments joined in capture order. */
export function streams(file: string): Buffer[] {
  const out = execFileSync('tshark', ['-r', file, '-Y', 'tcp.len > 0', '-T', 'fields', '-e', 'tcp.stream', '-e', 'tcp.payload'], {
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const byStream = new Map<string, Buffer[]>();
  for (const line of out.split('\n')) {
    const [stream, hex] = line.split('\t');
    if (!stream || !hex) continue;
    const parts = byStream.get(stream) ?? [];
    parts.push(Buffer.from(hex.replace(/:/g, ''), 'hex'));
    byStream.set(stream, parts);
  }
  return [...byStream.values()].map((parts) => Buffer.concat(parts));
}

/** Which needles occur in any stream, and how many packets with payload there were to search. */
export function findInClear(file: string, needles: string[]): { found: string[]; streams: number; bytes: number } {
  const all = streams(file);
  const found = needles.filter((n) => all.some((s) => s.includes(n)));
  return { found, streams: all.length, bytes: all.reduce((a, s) => a + s.length, 0) };
}
