// A host outside the directory knocking on a member's federation listener with a certificate of its
// own (argv: host port keyFile certFile). Prints one JSON line: whether the TLS handshake completed
// from its side, and what (if anything) it read back for its HTTP request before the connection closed.
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';

const [host, port, keyFile, certFile] = process.argv.slice(2);
const socket = connect({
  host,
  port: Number(port),
  key: readFileSync(keyFile),
  cert: readFileSync(certFile),
  rejectUnauthorized: false,
  minVersion: 'TLSv1.3',
});
let handshake = false;
let answer = '';
let error = null;
socket.setTimeout(10_000, () => socket.destroy(new Error('timeout')));
socket.on('secureConnect', () => {
  handshake = true;
  socket.write(`GET /trpc/federation.health HTTP/1.1\r\nhost: ${host}\r\n\r\n`);
});
socket.on('data', (d) => {
  answer += d.toString();
});
socket.on('error', (e) => {
  error = e.code ?? e.message;
});
socket.on('close', () => {
  process.stdout.write(`${JSON.stringify({ handshake, answer, error })}\n`);
});
