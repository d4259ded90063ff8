// What both benches share: the loopback receiver in a process of its own, and seeding a window.
import { fork } from 'node:child_process';

/** The receiver (bench/receiver.js) in its own process; `args` = ['--tls', cert, key] for HTTPS. */
export async function startReceiver(args = []) {
  const child = fork(new URL('./receiver.js', import.meta.url), args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(JSON.parse(String(d)).port)));
  return { child, port, url: `${args.length ? 'https' : 'http'}://127.0.0.1:${port}` };
}

/**
 * `size` paid payins of one merchant, without webhooks, spread evenly over `spanMs` from
 * `startMs`, through the admin batch call (10,000 per request).
 */
export async function seedWindow(call, merchantId, { startMs, spanMs, size }) {
  for (let i = 0; i < size; i += 10_000) {
    const n = Math.min(10_000, size - i);
    const seeded = await call('POST', '/admin/transactions/batch', {
      notify: false,
      transactions: Array.from({ length: n }, (_, k) => ({
        merchant_id: merchantId,
        kind: 'CASHIN',
        status_id: 3,
        amount: i + k + 1,
        status_changed_at: new Date(startMs + Math.floor(((i + k) * spanMs) / size)).toISOString(),
      })),
    });
    if (seeded.count !== n) throw new Error(`seeding: ${JSON.stringify(seeded).slice(0, 300)}`);
  }
}
