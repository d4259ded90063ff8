// A loopback webhook receiver in its own process, so its CPU is not charged to the process measured.
// `node receiver.js [--tls <cert.pem> <key.pem>]`: HTTP, or HTTPS with the given certificate.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

let count = 0;
// Receipt times of live webhooks (the bench sends them as CASHOUT, its replays are CASHIN).
const live = [];
const handler = (req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    count += 1;
    if (body.includes('"kind":"CASHOUT"')) live.push({ transactionId: JSON.parse(body).transactionId, at: Date.now() });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
};
const tls = process.argv.indexOf('--tls');
const server =
  tls >= 0
    ? https.createServer({ cert: readFileSync(process.argv[tls + 1]), key: readFileSync(process.argv[tls + 2]) }, handler)
    : http.createServer(handler);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.on('message', () => process.send?.({ count, live }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
