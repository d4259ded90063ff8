import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, deleteRedisPrefix, TEST_REDIS_URL, uniqueQueuePrefix, waitFor, type TestDatabase } from '@wr/testing';

/**
 * `npm run dev` as a new user meets it (issue: ten minutes to the first webhook): it starts, prints
 * the URLs and three curl lines, the lines work as pasted, and the demo receiver prints each
 * webhook with its signature verified. Runs the built script (`npm test` builds first).
 */

const DEV_SCRIPT = fileURLToPath(new URL('../../../scripts/dev.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const sh = promisify(execFile);

describe('npm run dev', () => {
  let db: TestDatabase;
  let dev: ChildProcess;
  let output = '';
  const prefix = uniqueQueuePrefix();

  beforeAll(async () => {
    db = await createTestDatabase();
    dev = spawn(process.execPath, [DEV_SCRIPT], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: prefix,
        PORT: '0',
        DEV_RECEIVER_PORT: '0',
        WORKER_METRICS_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    dev.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    dev.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
    await waitFor(() => output.includes('Try:') && curlLines().length === 3, 60_000, `npm run dev to print its curl lines (so far: ${output.slice(-500)})`);
  }, 90_000);

  afterAll(async () => {
    if (dev && dev.exitCode === null) {
      dev.kill('SIGTERM');
      await new Promise((resolve) => dev.once('exit', resolve));
    }
    await db.drop();
    await deleteRedisPrefix(prefix);
  });

  const curlLines = () => output.split('\n').filter((line) => line.startsWith('curl '));

  it('when it starts, then it names the docs and queues URLs and an API key, in readable (not JSON) logs', () => {
    expect(output).toMatch(/API docs\s+http:\/\/localhost:\d+\/docs/);
    expect(output).toMatch(/queues\s+http:\/\/localhost:\d+\/admin\/queues/);
    expect(output).toMatch(/API key wrk_/);
    expect(output).not.toMatch(/^\{"level"/m);
  });

  it('when it starts, then it prints a one-time delivery console link for the demo merchant, and the link signs in', async () => {
    const link = /console\s+(http:\/\/\S+\/console\/sign-in#token=(wrl_\S+))/.exec(output);
    expect(link).not.toBeNull();
    const origin = new URL(link![1]!).origin;
    const res = await fetch(`${origin}/console/api/session`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify({ token: link![2] }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ merchant_name: 'Loja Centro' });
    expect(output).toMatch(/operators: http:\/\/localhost:\d+\/console\/admin/);
  });

  it('when the three printed curl lines are run as pasted, then each answers, and the demo receiver prints verified webhooks', async () => {
    const [resend, replay, logs] = curlLines().map((line) => line.concat(' -w "\\n%{http_code}"'));
    const run = async (line: string) => {
      const { stdout } = await sh('sh', ['-c', line!]);
      const lines = stdout.trim().split('\n');
      return { status: Number(lines.pop()), body: JSON.parse(lines.join('\n')) };
    };
    const resent = await run(resend!);
    expect(resent.status).toBe(200);
    const replayed = await run(replay!);
    expect(replayed.status).toBeLessThan(300);
    expect(replayed.body.id).toMatch(/^[0-9a-f]{32}$/);
    await waitFor(() => (output.match(/signature verified/g) ?? []).length >= 5, 30_000, 'the demo receiver to print verified webhooks');
    expect(output).not.toContain('NOT VERIFIED');
    const listed = await run(logs!);
    expect(listed.status).toBe(200);
    expect(listed.body.data.length).toBeGreaterThan(0);
  }, 60_000);
});
