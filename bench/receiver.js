// A loopback webhook receiver in its own process, so its CPU is not charged to the process measured.
import http from 'node:http';

let count = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    count += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
process.on('message', () => process.send?.({ count }));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
