import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startWebhookReceiver, type WebhookReceiver } from '@wr/testing';
import { startHarness, type Harness, type Tenant } from './support/harness.js';

/** The operator CLI as `npm run replay` runs it, built by `tsc -b` (which `npm test` runs first). */
const CLI_MAIN = fileURLToPath(new URL('../../cli/dist/main.js', import.meta.url));

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const transactionIdOf = (hook: { body: string }) => JSON.parse(hook.body).transactionId as number;
const sorted = (ids: number[]) => ids.slice().sort((a, b) => a - b);
/** What a terminal shows once cursor movements and line clears are applied as plain text. */
// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs the CLI as a child process with no inherited environment beyond PATH; stdout and stderr apart. */
function runCli(args: string[], timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI did not exit within ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Runs the CLI as an operator does, in a terminal: `script` gives it a pseudo-terminal, whose
 * output is what stderr painted there; stdout is redirected to a file to keep the two apart.
 */
async function runCliInTerminal(args: string[], timeoutMs = 60_000): Promise<CliRun> {
  const dir = await mkdtemp(join(tmpdir(), 'wr-cli-'));
  const outFile = join(dir, 'stdout');
  try {
    const command = `${[process.execPath, CLI_MAIN, ...args].map(shellQuote).join(' ')} > ${shellQuote(outFile)}`;
    const terminal = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn('script', ['-q', '-e', '-f', '-c', command, '/dev/null'], {
        env: { PATH: process.env.PATH ?? '', TERM: 'xterm' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`CLI did not exit within ${timeoutMs} ms; terminal: ${output}`));
      }, timeoutMs);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });
    return { code: terminal.code, stdout: await readFile(outFile, 'utf8'), stderr: terminal.output };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('npm run replay (operator CLI) against the service', () => {
  let h: Harness;
  let failing: WebhookReceiver;

  beforeAll(async () => {
    h = await startHarness({ worker: true });
    failing = await startWebhookReceiver({ status: 500, body: 'outage' });
  });

  afterAll(async () => {
    await failing.close();
    await h.close();
  });

  /** `count` payins one minute apart from `startIso`, without automatic webhooks; their ids. */
  async function seedPayins(t: Tenant, startIso: string, count: number): Promise<number[]> {
    const base = Date.parse(startIso);
    const res = await h.admin('POST', '/admin/transactions/batch', {
      notify: false,
      transactions: Array.from({ length: count }, (_, i) => ({
        merchant_id: t.merchant.id,
        kind: 'CASHIN',
        status_id: 3,
        amount: 100 + i,
        status_changed_at: new Date(base + i * 60_000).toISOString(),
      })),
    });
    expect(res.status).toBe(201);
    return res.body.ids as number[];
  }

  const api = (t: Tenant) => ['--api-url', h.api.url, '--api-key', t.apiKey];
  const window = (t: Tenant, from: string, to: string) => ['--merchant', String(t.merchant.id), '--from', from, '--to', to, ...api(t)];
  const lines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');

  it('when a replay of 25 transactions runs, then it exits 0 and its summary says "25 delivered, 0 failed"', async () => {
    const r = await startWebhookReceiver();
    try {
      const t = await h.createTenant({ webhookUrl: r.url });
      const ids = await seedPayins(t, '2026-03-01T01:00:00Z', 25);
      const run = await runCli(window(t, '2026-03-01T00:00:00Z', '2026-03-01T06:00:00Z'));
      expect(run.code).toBe(0);
      expect(lines(run.stdout)).toEqual([expect.stringMatching(/^Replay [0-9a-f]{32} completed: 25 delivered, 0 failed of 25 in \d+(\.\d+)?s \(2 jobs\)\.$/)]);
      expect(sorted(r.received.map(transactionIdOf))).toEqual(sorted(ids));

      // The summary agrees with what the API says about the same replay.
      const id = /^Replay ([0-9a-f]{32})/.exec(run.stdout)![1]!;
      const status = await h.request('GET', `/v1/replays/${id}`, { token: t.apiKey });
      expect(status.body).toMatchObject({ state: 'completed', jobs: 2, total: 25, processed: 25, succeeded: 25, failed: 0 });
    } finally {
      await r.close();
    }
  });

  it('when --json is given, then stdout is one JSON line with delivered, failed, total, duration_seconds and state "completed"', async () => {
    const r = await startWebhookReceiver();
    try {
      const t = await h.createTenant({ webhookUrl: r.url });
      await seedPayins(t, '2026-03-02T01:00:00Z', 12);
      const run = await runCli([...window(t, '2026-03-02T00:00:00Z', '2026-03-02T03:00:00Z'), '--json']);
      expect(run.code).toBe(0);
      expect(lines(run.stdout)).toHaveLength(1);
      const summary = JSON.parse(run.stdout);
      expect(summary).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        state: 'completed',
        jobs: 1,
        total: 12,
        delivered: 12,
        failed: 0,
        duration_seconds: expect.any(Number),
      });
      expect(summary.duration_seconds).toBeGreaterThan(0);
      expect(r.received).toHaveLength(12);
    } finally {
      await r.close();
    }
  });

  it('when the merchant endpoint refuses the deliveries, then the summary counts them as failed, not delivered', async () => {
    const t = await h.createTenant({ webhookUrl: failing.url });
    // Two: with three or more failing deliveries the endpoint's circuit opens and the rest waits
    // for it to recover (endpoint-health.e2e.test.ts), instead of spending its attempts.
    await seedPayins(t, '2026-03-03T01:00:00Z', 2);
    const human = await runCli(window(t, '2026-03-03T00:00:00Z', '2026-03-03T03:00:00Z'));
    expect(lines(human.stdout)).toEqual([expect.stringMatching(/ 0 delivered, 2 failed of 2 in /)]);
  });

  it('when --only-failed is given, then only the transactions whose latest delivery failed are replayed', async () => {
    const r = await startWebhookReceiver();
    try {
      const t = await h.createTenant({ webhookUrl: r.url });
      const ids = await seedPayins(t, '2026-03-04T01:00:00Z', 5);
      for (const [i, url, expected] of [
        [0, failing.url, 502],
        [1, r.url, 200],
        [2, failing.url, 502],
        [3, r.url, 200],
      ] as const) {
        const res = await h.request('POST', `/api/resend-webhook/${ids[i]}`, { token: t.apiKey, body: { url } });
        expect(res.status).toBe(expected);
      }
      const manual = r.received.length;
      // ids[4] was never delivered at all; the window stops before it.
      const run = await runCli([...window(t, '2026-03-04T00:00:00Z', '2026-03-04T01:04:00Z'), '--only-failed', '--json']);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ state: 'completed', total: 2, delivered: 2, failed: 0 });
      expect(sorted(r.received.slice(manual).map(transactionIdOf))).toEqual(sorted([ids[0]!, ids[2]!]));
    } finally {
      await r.close();
    }
  });

  it('when --at is 2 s ahead, then nothing is sent before then and the CLI follows the replay to the end', async () => {
    const r = await startWebhookReceiver();
    try {
      const t = await h.createTenant({ webhookUrl: r.url });
      await seedPayins(t, '2026-03-05T01:00:00Z', 4);
      const at = new Date(Date.now() + 2000);
      const run = await runCli([...window(t, '2026-03-05T00:00:00Z', '2026-03-05T03:00:00Z'), '--at', at.toISOString(), '--json']);
      expect(run.code).toBe(0);
      const summary = JSON.parse(run.stdout);
      expect(summary).toMatchObject({ state: 'completed', total: 4, delivered: 4, failed: 0 });
      expect(summary.duration_seconds).toBeGreaterThanOrEqual(1.5);
      expect(r.received).toHaveLength(4);
      expect(Math.min(...r.received.map((hook) => hook.receivedAt))).toBeGreaterThanOrEqual(at.getTime());
    } finally {
      await r.close();
    }
  });

  it('when --dry-run is given, then it prints the count, exits 0 and sends nothing', async () => {
    const r = await startWebhookReceiver();
    try {
      const t = await h.createTenant({ webhookUrl: r.url });
      await seedPayins(t, '2026-03-06T01:00:00Z', 7);
      const human = await runCli([...window(t, '2026-03-06T00:00:00Z', '2026-03-06T09:00:00Z'), '--dry-run']);
      expect(human.code).toBe(0);
      expect(lines(human.stdout)).toEqual(['Dry run: 7 notifications would be replayed.']);
      const json = await runCli([...window(t, '2026-03-06T00:00:00Z', '2026-03-06T09:00:00Z'), '--dry-run', '--json']);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual({ dry_run: true, total: 7 });
      await h.untilIdle();
      expect(r.received).toHaveLength(0);
      const jobs = await h.db.dataSource.query('SELECT count(*)::int AS n FROM resend_jobs WHERE merchant_id = $1', [t.merchant.id]);
      expect(jobs[0].n).toBe(0);
    } finally {
      await r.close();
    }
  });

  it.each([
    ['--merchant is missing', '--merchant', (t: Tenant) => ['--from', '2026-03-07T00:00:00Z', '--to', '2026-03-07T03:00:00Z', ...api(t)]],
    ['--merchant is not a number', '--merchant', (t: Tenant) => [...window(t, '2026-03-07T00:00:00Z', '2026-03-07T03:00:00Z'), '--merchant', 'abc']],
    ['--from is not a time', '--from', (t: Tenant) => ['--merchant', String(t.merchant.id), '--from', 'yesterday', '--to', '2026-03-07T03:00:00Z', ...api(t)]],
    ['--to is missing', '--to', (t: Tenant) => ['--merchant', String(t.merchant.id), '--from', '2026-03-07T00:00:00Z', ...api(t)]],
    ['an option is misspelt', '--only-faild', (t: Tenant) => [...window(t, '2026-03-07T00:00:00Z', '2026-03-07T03:00:00Z'), '--only-faild']],
  ])('when %s, then it exits non-zero with a message naming %s', async (_what, option, argsOf) => {
    const t = await h.createTenant({ webhookUrl: failing.url });
    const run = await runCli(argsOf(t));
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBeNull();
    expect(run.stderr).toContain(option);
    expect(run.stdout).toBe('');
    const jobs = await h.db.dataSource.query('SELECT count(*)::int AS n FROM resend_jobs WHERE merchant_id = $1', [t.merchant.id]);
    expect(jobs[0].n).toBe(0);
  });

  it.each([['--help'], ['-h']])('when run with %s, then it prints the usage on stdout and exits 0, sending nothing', async (flag) => {
    const run = await runCli([flag]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: npm run replay -- --merchant <id> --from <ISO time> --to <ISO time>');
    expect(run.stderr).toBe('');
  });

  it("when the merchant does not exist or is another account's, then it exits non-zero with the API's 404 message", async () => {
    const owner = await h.createTenant({ webhookUrl: failing.url });
    const caller = await h.createTenant({ webhookUrl: failing.url });
    for (const merchant of ['2000000000', String(owner.merchant.id)]) {
      const run = await runCli(['--merchant', merchant, '--from', '2026-03-08T00:00:00Z', '--to', '2026-03-08T03:00:00Z', ...api(caller)]);
      expect(run.code).not.toBe(0);
      expect(run.code).not.toBeNull();
      expect(run.stderr).toContain('404');
      expect(run.stderr).toContain('Merchant not found');
      expect(run.stdout).toBe('');
    }
  });

  it('when it runs in a terminal over a slow receiver, then stderr shows a live progress bar with rate and ETA and stdout only the summary', async () => {
    const slow = await startWebhookReceiver();
    try {
      const t = await h.createTenant({ webhookUrl: slow.url });
      const ids = await seedPayins(t, '2026-03-09T00:00:00Z', 60);
      // The first batch of 50 is answered quickly, the last 10 slowly: the bar has a part-way state to show.
      const quick = new Set(ids.slice(0, 50));
      slow.respondWith((hook) => ({ delayMs: quick.has(transactionIdOf(hook)) ? 100 : 2500 }));
      const run = await runCliInTerminal(window(t, '2026-03-09T00:00:00Z', '2026-03-09T03:00:00Z'));
      expect(run.code).toBe(0);
      expect(lines(run.stdout)).toEqual([expect.stringMatching(/ completed: 60 delivered, 0 failed of 60 in /)]);

      const screen = stripAnsi(run.stderr);
      const frames = [...screen.matchAll(/replay \S* (\d+)% \| (\d+)\/60 \| (\d+)\/s \| ETA (\S+) \| (queued|running|completed)/g)].map((f) => ({
        percent: Number(f[1]),
        value: Number(f[2]),
        rate: Number(f[3]),
        eta: f[4],
        state: f[5],
      }));
      // Live: part-way through it showed how far it got, its rate and a time left.
      const partWay = frames.find((f) => f.value > 0 && f.value < 60);
      expect(partWay).toMatchObject({ state: 'running', rate: expect.any(Number), eta: expect.stringMatching(/^\d+(s|m|h)/) });
      expect(partWay!.rate).toBeGreaterThan(0);
      expect(partWay!.percent).toBe(Math.floor((partWay!.value / 60) * 100));
      // Its last frame is the finished replay.
      expect(frames[frames.length - 1]).toMatchObject({ percent: 100, value: 60, eta: '0s', state: 'completed' });
      expect(frames[frames.length - 1]!.rate).toBeGreaterThan(0);
      expect(screen).not.toContain('delivered');
    } finally {
      await slow.close();
    }
  }, 60_000);

  it('when --json is given, then no progress bar is drawn even in a terminal, and stdout parses', async () => {
    const r = await startWebhookReceiver({ delayMs: 300 });
    try {
      const t = await h.createTenant({ webhookUrl: r.url });
      await seedPayins(t, '2026-03-10T00:00:00Z', 5);
      const run = await runCliInTerminal([...window(t, '2026-03-10T00:00:00Z', '2026-03-10T03:00:00Z'), '--json']);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ state: 'completed', total: 5, delivered: 5, failed: 0 });
      expect(stripAnsi(run.stderr)).not.toMatch(/replay .*\/s/);
    } finally {
      await r.close();
    }
  });
});
