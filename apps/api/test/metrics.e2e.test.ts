import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startWebhookReceiver, waitFor, type WebhookReceiver } from '@wr/testing';
import type { RunningWorker } from '../../worker/src/workers.js';
import { startHarness, type Harness, type Tenant } from './support/harness.js';

/** One sample of a Prometheus text exposition: `name{label="value",…} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Scrape {
  contentType: string;
  text: string;
  samples: Sample[];
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/y;

/** Parses Prometheus' text format (version 0.0.4) into samples; comment lines are skipped. */
function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE_LINE.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    LABEL_PAIR.lastIndex = 0;
    while (LABEL_PAIR.lastIndex < body.length) {
      const pair = LABEL_PAIR.exec(body);
      if (!pair) throw new Error(`bad labels in: ${line}`);
      labels[pair[1]!] = pair[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    const v = m[3]!;
    samples.push({ name: m[1]!, labels, value: v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v) });
  }
  return samples;
}

/** Samples of `name` whose labels include every label given. */
function matching(scrape: Scrape, name: string, labels: Record<string, string> = {}): Sample[] {
  return scrape.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The sum of the matching samples; a series never touched yet is absent from the text, i.e. 0. */
function value(scrape: Scrape, name: string, labels: Record<string, string> = {}): number {
  return matching(scrape, name, labels).reduce((sum, s) => sum + s.value, 0);
}

async function scrapeUrl(url: string): Promise<Scrape> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { contentType: res.headers.get('content-type') ?? '', text, samples: parsePrometheus(text) };
}

const QUEUES = ['webhook-delivery', 'bulk-fanout', 'bulk-delivery', 'replay-schedules'];
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'];
const RESEND_ROUTE = '/api/resend-webhook/:identifier';
const BULK = '/v2/payin/notifications/resend';
const BULK_COUNT = 120;

describe('GET /metrics (Prometheus) on the API and on the worker', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let tenant: Tenant;
  let tx: any;
  let worker: RunningWorker | undefined;

  const scrapeApi = () => scrapeUrl(`${h.api.url}/metrics`);
  const scrapeWorker = () => scrapeUrl(`http://127.0.0.1:${worker!.metricsPort}/metrics`);
  const resend = (identifier: string) => h.request('POST', `/api/resend-webhook/${encodeURIComponent(identifier)}`, { token: tenant.apiKey });

  /** Polls the API's metrics until `check` holds (counters are bumped when a response finishes). */
  async function scrapeApiUntil(check: (s: Scrape) => boolean, what: string): Promise<Scrape> {
    let last = await scrapeApi();
    await waitFor(
      async () => {
        last = await scrapeApi();
        return check(last);
      },
      5_000,
      what,
    );
    return last;
  }

  beforeAll(async () => {
    // No worker yet: queued work stays visible in the queue gauges until one starts.
    h = await startHarness();
    receiver = await startWebhookReceiver();
    tenant = await h.createTenant({ webhookUrl: receiver.url });
    tx = await h.createTransaction({ merchant_id: tenant.merchant.id, external_id: 'metrics-order-1' });
  });

  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  it('when /metrics is scraped, then it answers Prometheus text with every advertised metric family', async () => {
    const scrape = await scrapeApi();
    expect(scrape.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const [family, type] of [
      ['webhook_deliveries_total', 'counter'],
      ['webhook_delivery_duration_seconds', 'histogram'],
      ['http_requests_total', 'counter'],
      ['queue_jobs', 'gauge'],
      ['bulk_jobs', 'gauge'],
      ['bulk_job_notifications', 'gauge'],
    ]) {
      expect(scrape.text).toContain(`# TYPE ${family} ${type}\n`);
    }
    // Every sample is labelled with the process it comes from.
    expect(matching(scrape, 'queue_jobs').every((s) => s.labels.service === 'api')).toBe(true);
  });

  it('when a synchronous resend succeeds, then the manual success counter, the latency histogram and the 200 request count each grow by 1', async () => {
    const before = await scrapeApi();
    const res = await resend(String(tx.id));
    expect(res.status).toBe(200);

    const ok = { trigger: 'manual', outcome: 'success' };
    const req200 = { method: 'POST', route: RESEND_ROUTE, status: '200' };
    const after = await scrapeApiUntil(
      (s) => value(s, 'http_requests_total', req200) === value(before, 'http_requests_total', req200) + 1,
      'the 200 resend to be counted',
    );
    expect(value(after, 'webhook_deliveries_total', ok)).toBe(value(before, 'webhook_deliveries_total', ok) + 1);
    expect(value(after, 'webhook_deliveries_total', { trigger: 'manual', outcome: 'http_error' })).toBe(
      value(before, 'webhook_deliveries_total', { trigger: 'manual', outcome: 'http_error' }),
    );
    expect(value(after, 'webhook_delivery_duration_seconds_count')).toBe(value(before, 'webhook_delivery_duration_seconds_count') + 1);
    expect(value(after, 'webhook_delivery_duration_seconds_count', ok)).toBe(value(before, 'webhook_delivery_duration_seconds_count', ok) + 1);
    expect(value(after, 'webhook_delivery_duration_seconds_bucket', { ...ok, le: '+Inf' })).toBe(
      value(before, 'webhook_delivery_duration_seconds_bucket', { ...ok, le: '+Inf' }) + 1,
    );
    expect(value(after, 'webhook_delivery_duration_seconds_sum', ok)).toBeGreaterThan(value(before, 'webhook_delivery_duration_seconds_sum', ok));
    // The route label is the matched route, not the raw path with the id in it.
    expect(matching(after, 'http_requests_total').filter((s) => s.labels.route?.includes(String(tx.id)))).toEqual([]);
  });

  it('when a synchronous resend gets a 500 from the merchant, then the http_error counter and the 502 request count grow by 1 and the success counter does not', async () => {
    const before = await scrapeApi();
    receiver.respondWith({ status: 500, body: '{"error":"down"}' });
    try {
      const res = await resend('metrics-order-1');
      expect(res.status).toBe(502);
      expect(res.body.message).toBe('Webhook failed with status 500');
    } finally {
      receiver.respondWith({});
    }

    const failed = { trigger: 'manual', outcome: 'http_error' };
    const req502 = { method: 'POST', route: RESEND_ROUTE, status: '502' };
    const req200 = { method: 'POST', route: RESEND_ROUTE, status: '200' };
    const after = await scrapeApiUntil(
      (s) => value(s, 'http_requests_total', req502) === value(before, 'http_requests_total', req502) + 1,
      'the 502 resend to be counted',
    );
    expect(value(after, 'webhook_deliveries_total', failed)).toBe(value(before, 'webhook_deliveries_total', failed) + 1);
    expect(value(after, 'webhook_deliveries_total', { trigger: 'manual', outcome: 'success' })).toBe(
      value(before, 'webhook_deliveries_total', { trigger: 'manual', outcome: 'success' }),
    );
    expect(value(after, 'webhook_delivery_duration_seconds_count', failed)).toBe(value(before, 'webhook_delivery_duration_seconds_count', failed) + 1);
    expect(value(after, 'http_requests_total', req200)).toBe(value(before, 'http_requests_total', req200));
  });

  it('when an automatic webhook is queued and no worker runs, then every queue reports its four depths and webhook-delivery waiting grows by 1', async () => {
    const before = await scrapeApi();
    for (const queue of QUEUES) {
      for (const state of QUEUE_STATES) {
        const series = matching(before, 'queue_jobs', { queue, state });
        expect({ queue, state, series: series.length }).toEqual({ queue, state, series: 1 });
        expect(Number.isInteger(series[0]!.value) && series[0]!.value >= 0).toBe(true);
      }
    }

    const created = await h.createTransaction({ merchant_id: tenant.merchant.id, external_id: 'metrics-auto-1', notify: true });
    expect(created.id).toEqual(expect.any(Number));
    const waiting = { queue: 'webhook-delivery', state: 'waiting' };
    await scrapeApiUntil((s) => value(s, 'queue_jobs', waiting) === value(before, 'queue_jobs', waiting) + 1, 'the automatic delivery to wait in its queue');
  });

  it('when a bulk replay is queued and then run by a worker, then bulk_jobs and its progress move from queued to completed and the worker counts every bulk delivery', async () => {
    const base = Date.parse('2026-05-10T09:00:00Z');
    const seeded = await h.admin('POST', '/admin/transactions/batch', {
      notify: false,
      transactions: Array.from({ length: BULK_COUNT }, (_, i) => ({
        merchant_id: tenant.merchant.id,
        kind: 'CASHIN',
        status_id: 3,
        amount: 100 + i,
        status_changed_at: new Date(base + i * 1000).toISOString(),
      })),
    });
    expect(seeded.status).toBe(201);

    const before = await scrapeApi();
    const res = await h.request('POST', BULK, {
      token: tenant.apiKey,
      body: { merchant_id: tenant.merchant.id, start_time: '2026-05-10 09:00:00', end_time: '2026-05-10 11:00:00' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ job_id: expect.stringMatching(/^[0-9a-f]{32}$/), total: BULK_COUNT });

    // Queued, nobody working: the job, its notifications and its fan-out are visible.
    const queued = await scrapeApi();
    expect(value(queued, 'bulk_jobs', { state: 'queued' })).toBe(value(before, 'bulk_jobs', { state: 'queued' }) + 1);
    expect(value(queued, 'bulk_job_notifications', { count: 'total' })).toBe(BULK_COUNT);
    expect(value(queued, 'bulk_job_notifications', { count: 'processed' })).toBe(0);
    expect(value(queued, 'queue_jobs', { queue: 'bulk-fanout', state: 'waiting' })).toBe(
      value(before, 'queue_jobs', { queue: 'bulk-fanout', state: 'waiting' }) + 1,
    );
    expect(value(queued, 'http_requests_total', { method: 'POST', route: BULK, status: '200' })).toBeGreaterThanOrEqual(1);

    // One batch of 50 at a time, each answered slowly: the progress is seen part-way.
    receiver.respondWith({ delayMs: 400 });
    worker = await h.startWorker({ BULK_CONCURRENCY: '1' });
    const midway = await scrapeApiUntil((s) => {
      const processed = value(s, 'bulk_job_notifications', { count: 'processed' });
      return processed > 0 && processed < BULK_COUNT;
    }, 'the bulk job to be part-way');
    expect(value(midway, 'bulk_jobs', { state: 'running' })).toBe(1);
    expect(value(midway, 'bulk_job_notifications', { count: 'total' })).toBe(BULK_COUNT);
    expect(value(midway, 'bulk_job_notifications', { count: 'succeeded' })).toBe(value(midway, 'bulk_job_notifications', { count: 'processed' }));

    let job: any;
    await waitFor(
      async () => {
        job = (await h.request('GET', `${BULK}/${res.body.job_id}`, { token: tenant.apiKey })).body;
        return job.state === 'completed';
      },
      30_000,
      'the bulk job to complete',
    );
    receiver.respondWith({});
    expect(job).toMatchObject({ state: 'completed', total: BULK_COUNT, processed: BULK_COUNT, succeeded: BULK_COUNT, failed: 0 });

    const done = await scrapeApi();
    expect(value(done, 'bulk_jobs', { state: 'completed' })).toBe(value(before, 'bulk_jobs', { state: 'completed' }) + 1);
    expect(value(done, 'bulk_jobs', { state: 'queued' })).toBe(0);
    expect(value(done, 'bulk_jobs', { state: 'running' })).toBe(0);
    // Progress covers queued and running jobs only: nothing is left in flight.
    expect(value(done, 'bulk_job_notifications', { count: 'total' })).toBe(0);
    for (const queue of ['bulk-fanout', 'bulk-delivery']) {
      for (const state of ['waiting', 'active']) expect({ queue, state, jobs: value(done, 'queue_jobs', { queue, state }) }).toEqual({ queue, state, jobs: 0 });
    }

    // The worker's own port: bulk deliveries happen there, one success per notification.
    const w = await scrapeWorker();
    expect(w.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(value(w, 'webhook_deliveries_total', { trigger: 'bulk', outcome: 'success' })).toBe(job.total);
    expect(value(w, 'webhook_delivery_duration_seconds_count', { trigger: 'bulk', outcome: 'success' })).toBe(job.total);
    expect(matching(w, 'webhook_deliveries_total').every((s) => s.labels.service === 'worker')).toBe(true);
    // Deliveries are counted by the process that makes them: none of these on the API.
    expect(value(done, 'webhook_deliveries_total', { trigger: 'bulk' })).toBe(0);
  }, 60_000);

  it('when the worker delivers the queued automatic webhook, then its metrics count it and the live queue drains', async () => {
    await waitFor(
      () => receiver.received.some((r) => JSON.parse(r.body).externalId === 'metrics-auto-1'),
      15_000,
      'the automatic webhook to arrive',
    );
    const w = await scrapeApiUntil(
      (s) => value(s, 'queue_jobs', { queue: 'webhook-delivery', state: 'waiting' }) === 0 && value(s, 'queue_jobs', { queue: 'webhook-delivery', state: 'active' }) === 0,
      'the live queue to drain',
    );
    expect(value(w, 'queue_jobs', { queue: 'webhook-delivery', state: 'failed' })).toBe(0);
    let workerScrape = await scrapeWorker();
    await waitFor(
      async () => {
        workerScrape = await scrapeWorker();
        return value(workerScrape, 'webhook_deliveries_total', { trigger: 'automatic', outcome: 'success' }) === 1;
      },
      5_000,
      'the worker to count the automatic delivery',
    );
    expect(value(workerScrape, 'webhook_deliveries_total', { trigger: 'automatic' })).toBe(1);
  });
});
