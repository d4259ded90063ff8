import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { startWebhookReceiver, waitFor, type WebhookReceiver } from '@wr/testing';
import { payinsEvery, startHarness, type Harness, type Tenant } from './support/harness.js';

/**
 * Endpoint health as a merchant and the platform's operators see it (SPEC 6, 7): a merchant whose
 * server goes down is probed, not hammered, and gets what piled up by itself when it is back;
 * 410 Gone disables the endpoint until it is re-enabled; a lone failing webhook still gets its 4
 * attempts. Real PostgreSQL, Redis and worker; receivers on loopback whose behaviour the test
 * switches (answering 500, 410, or not listening at all: connection refused).
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: string) => process.stdout.write(`[endpoint-health] ${line}\n`);
const OPERATOR_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

type Mode = 'ok' | 'fail' | 'gone' | 'down';

interface Hook {
  transactionId: number;
  statusId: number;
  webhookId: string;
  answered: number;
  at: number;
}

/** A merchant server that can answer 200, 500 or 410, or be down (its port closed), on one port. */
interface SwitchableReceiver {
  url: string;
  hooks: Hook[];
  /** Webhooks answered 200, per transaction. */
  delivered(transactionId: number): Hook[];
  setMode(mode: Mode): Promise<void>;
  close(): Promise<void>;
}

async function startSwitchableReceiver(decide?: (hook: Omit<Hook, 'answered'>) => number | undefined): Promise<SwitchableReceiver> {
  const hooks: Hook[] = [];
  let mode: Mode = 'ok';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const seen = { transactionId: body.transactionId, statusId: body.statusId, webhookId: String(req.headers['webhook-id']), at: Date.now() };
      const answered = decide?.(seen) ?? (mode === 'fail' ? 500 : mode === 'gone' ? 410 : 200);
      hooks.push({ ...seen, answered });
      res.writeHead(answered, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  await listen(0);
  const { port } = server.address() as AddressInfo;
  const stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    hooks,
    delivered: (id) => hooks.filter((h) => h.transactionId === id && h.answered === 200),
    async setMode(next) {
      if (next === 'down' && mode !== 'down') await stop();
      if (next !== 'down' && mode === 'down') await listen(port);
      mode = next;
    },
    async close() {
      if (mode !== 'down') await stop();
    },
  };
}

describe('endpoint health: circuit breaker, recovery, 410, operators told', () => {
  let h: Harness;
  let operator: WebhookReceiver;
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    operator = await startWebhookReceiver();
    h = await startHarness({
      worker: true,
      env: {
        // Retries a second apart (not the suite's 20 ms): a status's retry comes after the next status.
        RETRY_BASE_DELAY_MS: '1000',
        OPERATOR_WEBHOOK_URL: `${operator.url}/ops`,
        OPERATOR_WEBHOOK_SECRET: OPERATOR_SECRET,
      },
    });
  });

  afterAll(async () => {
    for (const close of closers) await close().catch(() => undefined);
    await operator.close();
    await h.close();
  });

  async function tenantWith(receiver: SwitchableReceiver): Promise<Tenant> {
    closers.push(() => receiver.close());
    return h.createTenant({ webhookUrl: receiver.url });
  }

  const setStatus = async (id: number, statusId: number) => {
    const res = await h.admin('PATCH', `/admin/transactions/${id}`, { status_id: statusId });
    if (res.status !== 200) say(`PATCH ${id}: ${res.status} ${res.text}`);
    expect(res.status).toBe(200);
  };

  const endpointOf = async (tenant: Tenant) => {
    const res = await h.request('GET', `/v1/merchants/${tenant.merchant.id}/endpoint`, { token: tenant.apiKey });
    expect(res.status).toBe(200);
    return res.body;
  };

  const incidentsOf = async (tenant: Tenant) => {
    const res = await h.request('GET', `/v1/merchants/${tenant.merchant.id}/incidents`, { token: tenant.apiKey });
    expect(res.status).toBe(200);
    return res.body.data as any[];
  };

  /** Operator webhooks about one merchant, each verified with the operators' secret. */
  const operatorEvents = (merchantId: number) =>
    operator.received
      .map((hook) => {
        const verified = new Webhook(OPERATOR_SECRET).verify(hook.body, hook.headers as Record<string, string>) as any;
        return verified;
      })
      .filter((event) => event.data.merchant_id === merchantId);

  it('when a merchant is down for 20 s while 200 statuses change, then it gets probes only, and all 200 arrive within 30 s of its return, by themselves', async () => {
    const receiver = await startSwitchableReceiver();
    const tenant = await tenantWith(receiver);
    const ids = await h.seedTransactions(tenant.merchant.id, payinsEvery('2026-11-30T10:00:00Z', 200, 1000));

    const outageStart = Date.now();
    await receiver.setMode('fail');
    for (const [i, id] of ids.entries()) {
      if (i === 100) await receiver.setMode('down');
      await setStatus(id, 4);
      await sleep(60);
    }
    await sleep(Math.max(0, outageStart + 20_000 - Date.now()));
    const during = await endpointOf(tenant);
    expect(during.state).toBe('failing');
    expect(during.open_incident).toMatchObject({ state: 'open' });
    expect(during.open_incident.held).toBeGreaterThan(150);
    const attemptsDuringOutage: number = (
      await h.db.dataSource.query('SELECT count(*)::int AS n FROM webhook_logs WHERE merchant_id = $1', [tenant.merchant.id])
    )[0].n;

    await receiver.setMode('ok');
    const back = Date.now();
    await waitFor(() => ids.every((id) => receiver.delivered(id).some((hook) => hook.statusId === 4)), 30_000, 'all 200 statuses to arrive');
    const allIn = Date.now() - back;
    say(`outage: ${attemptsDuringOutage} attempts in 20 s (vs 800 = 4 x 200 without the breaker); all 200 delivered ${(allIn / 1000).toFixed(1)} s after the receiver came back`);
    expect(attemptsDuringOutage).toBeLessThan(60);
    expect(allIn).toBeLessThan(30_000);
    // None twice: each status was accepted once.
    for (const id of ids) expect(receiver.delivered(id)).toHaveLength(1);

    // The incident, as the merchant's account sees it.
    await waitFor(async () => (await incidentsOf(tenant))[0]?.still_to_send === 0, 10_000, 'the incident to have nothing left to send');
    const [incident] = await incidentsOf(tenant);
    expect(incident).toMatchObject({ state: 'closed', ended_by: 'recovered', still_to_send: 0 });
    expect(incident.probes).toBeGreaterThanOrEqual(1);
    expect(incident.held).toBeGreaterThan(150);
    expect(incident.replayed).toBeGreaterThanOrEqual(incident.held);
    expect(Date.parse(incident.recovered_at)).toBeGreaterThanOrEqual(Date.parse(incident.started_at));
    const after = await endpointOf(tenant);
    expect(after).toMatchObject({ state: 'healthy', consecutive_failures: 0, open_incident: null });
    expect(after.last_success).not.toBeNull();
    expect(after.last_failure).not.toBeNull();
    expect(after.last_hour.attempts).toBeGreaterThan(200);

    // Whatever spent its attempts during the outage (probes are real attempts) came back as
    // `recovery`, audited as such: every status arrived, so each failed one has its recovery.
    const failed: Array<{ n: number }> = await h.db.dataSource.query(
      `SELECT count(*)::int AS n FROM deliveries WHERE merchant_id = $1 AND state = 'failed'`,
      [tenant.merchant.id],
    );
    const recovered: Array<{ n: number }> = await h.db.dataSource.query(
      `SELECT count(*)::int AS n FROM webhook_logs WHERE merchant_id = $1 AND trigger = 'recovery' AND outcome = 'success'`,
      [tenant.merchant.id],
    );
    expect(recovered[0]!.n).toBe(failed[0]!.n);
    expect(incident.deliveries_failed).toBe(failed[0]!.n);

    // The operators were told, with signed webhooks.
    await waitFor(() => operatorEvents(tenant.merchant.id).some((e) => e.type === 'endpoint.recovered'), 10_000, 'the recovered operator webhook');
    const events = operatorEvents(tenant.merchant.id);
    expect(events.map((e) => e.type)).toEqual(['endpoint.failing', 'endpoint.recovered']);
    expect(events[1].data).toMatchObject({ merchant_id: tenant.merchant.id, state: 'healthy', incident: { id: incident.id, ended_by: 'recovered' } });
  }, 90_000);

  it('when the endpoint answers 410 Gone, then it is disabled and nothing is sent; re-enabled, everything owed arrives once', async () => {
    const receiver = await startSwitchableReceiver();
    await receiver.setMode('gone');
    const tenant = await tenantWith(receiver);
    const ids = await h.seedTransactions(tenant.merchant.id, payinsEvery('2026-11-30T11:00:00Z', 20, 1000));

    await setStatus(ids[0]!, 4);
    await waitFor(async () => (await endpointOf(tenant)).state === 'disabled', 10_000, 'the endpoint to be disabled');
    for (const id of ids.slice(1)) await setStatus(id, 4);
    // One transaction moves on again while the endpoint is disabled: both statuses wait.
    await setStatus(ids[1]!, 9);
    // Every wake-up has met the disabled endpoint and parked its delivery; no probe is scheduled,
    // and a prober pass finds nothing to probe.
    await h.untilIdle();
    expect(await endpointOf(tenant)).toMatchObject({ state: 'disabled', next_probe_at: null });
    expect(await h.worker!.prober.runOnce()).toMatchObject({ probed: 0 });
    // The 410 itself, and nothing since: no probe goes to a disabled endpoint.
    expect(receiver.hooks).toHaveLength(1);
    expect(receiver.hooks[0]!.answered).toBe(410);
    const [incident] = await incidentsOf(tenant);
    expect(incident).toMatchObject({ state: 'open', disabled_reason: 'gone' });
    expect(incident.still_to_send).toBe(21);
    await waitFor(() => operatorEvents(tenant.merchant.id).some((e) => e.type === 'endpoint.disabled'), 10_000, 'the disabled operator webhook');

    await receiver.setMode('ok');
    const enabled = await h.request('POST', `/v1/merchants/${tenant.merchant.id}/endpoint/enable`, { token: tenant.apiKey, body: {} });
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({ merchant_id: tenant.merchant.id, state: 'healthy', incident: { id: incident.id, ended_by: 'enabled' } });
    // 21 waited; of ids[1]'s two statuses only the newest goes (order per transaction).
    expect(enabled.body.to_send).toBe(20);
    await waitFor(() => ids.every((id) => receiver.delivered(id).length > 0), 15_000, 'every owed status to arrive');
    await h.untilIdle();
    for (const id of ids) expect(receiver.delivered(id)).toHaveLength(1);
    expect(receiver.delivered(ids[1]!)[0]!.statusId).toBe(9);
    expect((await endpointOf(tenant)).state).toBe('healthy');
    await waitFor(() => operatorEvents(tenant.merchant.id).some((e) => e.type === 'endpoint.recovered'), 10_000, 'the recovered operator webhook');
  }, 60_000);

  it('when the first delivery of status 3 fails and status 4 is accepted, then 3 never arrives after 4 (it ends superseded)', async () => {
    let failedOnce = false;
    const receiver = await startSwitchableReceiver((hook) => {
      if (hook.statusId === 3 && !failedOnce) {
        failedOnce = true;
        return 500;
      }
      return undefined;
    });
    const tenant = await tenantWith(receiver);
    const tx = await h.createTransaction({ merchant_id: tenant.merchant.id, status_id: 1 });
    await setStatus(tx.id, 3);
    await waitFor(() => receiver.hooks.length === 1, 10_000, 'status 3 to be tried');
    await setStatus(tx.id, 4);
    await waitFor(() => receiver.delivered(tx.id).some((hook) => hook.statusId === 4), 10_000, 'status 4 to arrive');
    const acceptedAt = receiver.delivered(tx.id).find((hook) => hook.statusId === 4)!.at;
    await waitFor(
      async () =>
        (await h.db.dataSource.query(`SELECT state FROM deliveries WHERE transaction_id = $1 AND status_id = 3`, [tx.id]))[0]?.state === 'superseded',
      15_000,
      'the delivery of status 3 to end superseded',
    );
    expect(receiver.hooks.filter((hook) => hook.statusId === 3 && hook.at > acceptedAt)).toEqual([]);
    expect((await endpointOf(tenant)).state).toBe('healthy');
  }, 30_000);

  it('when one webhook keeps failing while the others succeed, then it gets its 4 attempts and the endpoint stays healthy', async () => {
    let lone = 0;
    const receiver = await startSwitchableReceiver((hook) => (hook.transactionId === lone ? 500 : undefined));
    const tenant = await tenantWith(receiver);
    const ids = await h.seedTransactions(tenant.merchant.id, payinsEvery('2026-11-30T12:00:00Z', 6, 1000));
    lone = ids[0]!;
    for (const id of ids) await setStatus(id, 4);
    await waitFor(
      async () => (await h.db.dataSource.query(`SELECT state FROM deliveries WHERE transaction_id = $1`, [lone]))[0]?.state === 'failed',
      30_000,
      'the lone webhook to spend its 4 attempts',
    );
    expect(receiver.hooks.filter((hook) => hook.transactionId === lone)).toHaveLength(4);
    for (const id of ids.slice(1)) expect(receiver.delivered(id)).toHaveLength(1);
    const endpoint = await endpointOf(tenant);
    expect(endpoint.state).toBe('healthy');
    expect(endpoint.open_incident).toBeNull();
    expect(await incidentsOf(tenant)).toEqual([]);
  }, 40_000);

  it('when another account asks about a merchant, then it is not found; bad input names its field', async () => {
    const receiver = await startSwitchableReceiver();
    const tenant = await tenantWith(receiver);
    const stranger = await h.createTenant();
    for (const [method, path] of [
      ['GET', 'endpoint'],
      ['GET', 'incidents'],
      ['POST', 'endpoint/enable'],
    ] as const) {
      const res = await h.request(method, `/v1/merchants/${tenant.merchant.id}/${path}`, { token: stranger.apiKey, body: method === 'POST' ? {} : undefined });
      expect(res.status).toBe(404);
      const anonymous = await h.request(method, `/v1/merchants/${tenant.merchant.id}/${path}`);
      expect(anonymous.status).toBe(401);
    }
    const badSince = await h.request('POST', `/v1/merchants/${tenant.merchant.id}/endpoint/enable`, { token: tenant.apiKey, body: { since: 'yesterday' } });
    expect(badSince.status).toBe(400);
    expect(JSON.stringify(badSince.body)).toContain('since');
    const badCursor = await h.request('GET', `/v1/merchants/${tenant.merchant.id}/incidents?cursor=nope`, { token: tenant.apiKey });
    expect(badCursor.status).toBe(400);
    expect(JSON.stringify(badCursor.body)).toContain('cursor');
    const fresh = await endpointOf(tenant);
    expect(fresh).toMatchObject({ state: 'healthy', consecutive_failures: 0, last_success: null, last_failure: null, open_incident: null });
  });
});

describe('endpoint health: failing for ENDPOINT_DISABLE_AFTER_HOURS disables the endpoint', () => {
  let h: Harness;

  beforeAll(async () => {
    // 0.0015 h = 5.4 s: the rule is the same as 72 h, only shorter.
    h = await startHarness({ worker: true, env: { RETRY_BASE_DELAY_MS: '1000', ENDPOINT_DISABLE_AFTER_HOURS: '0.0015' } });
  });

  afterAll(async () => {
    await h.close();
  });

  it('when an endpoint keeps failing past the limit, then it is disabled (probes stop) and the transitions are counted in Prometheus', async () => {
    const receiver = await startSwitchableReceiver();
    await receiver.setMode('fail');
    const tenant = await h.createTenant({ webhookUrl: receiver.url });
    try {
      const ids = await h.seedTransactions(tenant.merchant.id, payinsEvery('2026-11-30T13:00:00Z', 6, 1000));
      for (const id of ids) {
        const res = await h.admin('PATCH', `/admin/transactions/${id}`, { status_id: 4 });
        expect(res.status).toBe(200);
      }
      const endpoint = async () => (await h.request('GET', `/v1/merchants/${tenant.merchant.id}/endpoint`, { token: tenant.apiKey })).body;
      await waitFor(async () => (await endpoint()).state === 'failing', 10_000, 'the circuit to open');
      await waitFor(async () => (await endpoint()).state === 'disabled', 15_000, 'the endpoint to be disabled');
      const incidents = (await h.request('GET', `/v1/merchants/${tenant.merchant.id}/incidents`, { token: tenant.apiKey })).body.data;
      expect(incidents[0]).toMatchObject({ state: 'open', disabled_reason: 'failing_too_long' });
      const sent = receiver.hooks.length;
      // Probes stop: none is scheduled, a prober pass probes nothing, and no wake-up is left.
      expect(await endpoint()).toMatchObject({ state: 'disabled', next_probe_at: null });
      expect(await h.worker!.prober.runOnce()).toMatchObject({ probed: 0 });
      await h.untilIdle();
      expect(receiver.hooks.length).toBe(sent);

      const metrics = await (await fetch(`http://127.0.0.1:${h.worker!.metricsPort}/metrics`)).text();
      expect(metrics).toMatch(/webhook_endpoint_transitions_total\{[^}]*to="failing"[^}]*\} [1-9]/);
      expect(metrics).toMatch(/webhook_endpoint_transitions_total\{[^}]*to="disabled"[^}]*\} [1-9]/);
    } finally {
      await receiver.close();
    }
  }, 40_000);
});
