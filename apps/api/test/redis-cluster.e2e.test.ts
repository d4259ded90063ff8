import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Cluster } from 'ioredis';
import { startPrivateRedisCluster, startWebhookReceiver, waitFor, type PrivateRedisCluster, type WebhookReceiver } from '@wr/testing';
import { payinsEvery, startHarness, type Harness } from './support/harness.js';

/**
 * The service on a Redis Cluster of its own (3 masters on their own ports, SPEC 8
 * REDIS_CLUSTER_NODES): BullMQ's queues, the window lock, the resend rate limit and the merchant
 * flow control all run there, so a bulk replay, an automatic webhook with its retries, the rate
 * limit and the one-job-per-window rule behave as on a single Redis.
 */

const RESEND = '/v2/payin/notifications/resend';

describe('on a Redis Cluster', () => {
  let cluster: PrivateRedisCluster;
  let h: Harness;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    cluster = await startPrivateRedisCluster(3);
    h = await startHarness({ worker: true, env: { REDIS_CLUSTER_NODES: cluster.nodes, RESEND_RATE_LIMIT_PER_MINUTE: '3' } });
  }, 60_000);

  afterAll(async () => {
    for (const r of receivers) await r.close();
    await h?.close();
    await cluster?.stop();
  });

  async function receiver(...args: Parameters<typeof startWebhookReceiver>) {
    const r = await startWebhookReceiver(...args);
    receivers.push(r);
    return r;
  }

  it('when a bulk replay of 300 runs, then it completes with all delivered, and a second request for the same window meanwhile is 409', async () => {
    // Slow enough answers that the job is still running when the second request comes.
    const r = await receiver({ delayMs: 40 });
    const t = await h.createTenant({ webhookUrl: r.url });
    await h.seedTransactions(t.merchant.id, payinsEvery('2026-02-02T08:00:00Z', 300, 10_000));
    const body = { merchant_id: t.merchant.id, start_time: '2026-02-02 08:00:00', end_time: '2026-02-02 09:00:00' };
    const first = await h.request('POST', RESEND, { token: t.apiKey, body });
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(300);
    const second = await h.request('POST', RESEND, { token: t.apiKey, body });
    expect(second.status).toBe(409);

    let status: any;
    await waitFor(
      async () => (status = (await h.request('GET', `${RESEND}/${first.body.job_id}`, { token: t.apiKey })).body).state === 'completed',
      30_000,
      'the replay to complete on the cluster',
    );
    expect(status).toMatchObject({ total: 300, processed: 300, succeeded: 300, failed: 0 });
    expect(new Set(r.received.map((hook) => JSON.parse(hook.body).transactionId)).size).toBe(300);

    // The queues' keys are hash-tagged: every key of a queue hashes to one slot.
    const client = new Cluster(cluster.nodes.split(',').map((n) => ({ host: '127.0.0.1', port: Number(n.split(':')[1]) })));
    try {
      await new Promise((resolve) => client.once('ready', resolve));
      const keys: string[] = [];
      for (const node of client.nodes('master')) keys.push(...(await node.keys(`{${h.config.queuePrefix}}:*`)));
      expect(keys.length).toBeGreaterThan(0);
      const slots = new Set(await Promise.all(keys.slice(0, 50).map((k) => client.cluster('KEYSLOT', k))));
      expect(slots.size).toBe(1);
    } finally {
      client.disconnect();
    }
  }, 60_000);

  it('when the receiver fails twice, then the automatic webhook is retried through the cluster and delivered on the third attempt', async () => {
    let calls = 0;
    const r = await receiver();
    r.respondWith(() => ({ status: ++calls <= 2 ? 500 : 200 }));
    const t = await h.createTenant({ webhookUrl: r.url });
    const tx = await h.createTransaction({ merchant_id: t.merchant.id, status_id: 3, notify: true });
    await r.waitForCount(3, 15_000);
    let rows: any[] = [];
    await waitFor(
      async () => (rows = (await h.request('GET', `/v1/webhook-logs?transaction_id=${tx.id}`, { token: t.apiKey })).body.data).length === 3,
      10_000,
      'three audit rows',
    );
    expect(rows.map((row) => [row.attempt, row.outcome]).sort()).toEqual([
      [1, 'http_error'],
      [2, 'http_error'],
      [3, 'success'],
    ]);
  }, 30_000);

  it('when an account sends more synchronous resends than its limit, then the next is 429 (counted in the cluster)', async () => {
    const r = await receiver();
    const t = await h.createTenant({ webhookUrl: r.url });
    const tx = await h.createTransaction({ merchant_id: t.merchant.id, status_id: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await h.request('POST', `/api/resend-webhook/${tx.id}`, { token: t.apiKey })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});
