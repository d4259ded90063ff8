import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

export interface ReceiverBehaviour {
  status?: number;
  delayMs?: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface WebhookReceiver {
  /** Base URL on loopback, e.g. http://127.0.0.1:40123 */
  url: string;
  received: ReceivedWebhook[];
  /** Changes how later requests are answered; a function decides per request. */
  respondWith(behaviour: ReceiverBehaviour | ((req: ReceivedWebhook) => ReceiverBehaviour)): void;
  waitForCount(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  /** Connections open to it now; none means every request a client sent has been read. */
  openConnections(): Promise<number>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 that records every webhook it gets. */
export async function startWebhookReceiver(initial: ReceiverBehaviour = {}): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let decide: (req: ReceivedWebhook) => ReceiverBehaviour = () => initial;
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hook = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() };
      received.push(hook);
      const b = decide(hook);
      const answer = () => {
        res.writeHead(b.status ?? 200, { 'content-type': 'application/json', ...b.headers });
        res.end(b.body ?? '{"ok":true}');
      };
      if (b.delayMs) {
        const t = setTimeout(() => {
          timers.delete(t);
          answer();
        }, b.delayMs);
        timers.add(t);
      } else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    respondWith(b) {
      decide = typeof b === 'function' ? b : () => b;
    },
    async waitForCount(count, timeoutMs = 10_000) {
      await waitFor(() => received.length >= count, timeoutMs, `receiver to get ${count} webhooks (got ${received.length})`);
      return received;
    },
    openConnections() {
      return new Promise<number>((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls until the condition holds, or fails with a message saying what was awaited. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
