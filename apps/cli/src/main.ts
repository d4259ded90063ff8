#!/usr/bin/env node
import { SingleBar } from 'cli-progress';
import { parseReplayArgs, USAGE, UsageError } from './replay-args.js';
import { ApiError, ReplayClient, type ReplayStatus } from './replay-client.js';

const FINAL = new Set(['completed', 'failed', 'cancelled']);

async function main(): Promise<number> {
  const args = parseReplayArgs(process.argv.slice(2), process.env);
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const client = new ReplayClient(args);
  const started = Date.now();
  const created = await client.create({
    merchant_id: args.merchantId,
    from: args.from,
    to: args.to,
    only_failed: args.onlyFailed,
    dry_run: args.dryRun,
    ...(args.kind ? { kind: args.kind } : {}),
    ...(args.runAt ? { run_at: args.runAt } : {}),
  });
  if (created.id === null) {
    print(args.json, { dry_run: true, total: created.total }, `Dry run: ${created.total} notifications would be replayed.`);
    return 0;
  }

  // The bar goes to stderr so that --json output on stdout stays parseable.
  const bar = args.json
    ? undefined
    : new SingleBar({
        format: 'replay {bar} {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted} | {state}',
        stream: process.stderr,
        hideCursor: true,
      });
  bar?.start(Math.max(created.total, 1), 0, { rate: 0, state: created.state });
  let status: ReplayStatus = created;
  while (!FINAL.has(status.state)) {
    await new Promise((r) => setTimeout(r, args.pollMs));
    status = await client.status(created.id);
    const seconds = (Date.now() - started) / 1000;
    bar?.setTotal(Math.max(status.total, 1));
    bar?.update(status.processed, { rate: Math.round(status.processed / Math.max(seconds, 0.001)), state: status.state });
  }
  bar?.stop();

  const durationSeconds = Number(((Date.now() - started) / 1000).toFixed(2));
  const summary = {
    id: created.id,
    state: status.state,
    jobs: status.jobs,
    total: status.total,
    delivered: status.succeeded,
    failed: status.failed,
    duration_seconds: durationSeconds,
  };
  print(
    args.json,
    summary,
    `Replay ${summary.id} ${summary.state}: ${summary.delivered} delivered, ${summary.failed} failed of ${summary.total} in ${durationSeconds}s (${summary.jobs} job${summary.jobs === 1 ? '' : 's'}).`,
  );
  return status.state === 'completed' ? 0 : 1;
}

function print(json: boolean, data: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(data)}\n` : `${text}\n`);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) process.stderr.write(`${err.message}\n\n${USAGE}\n`);
    else if (err instanceof ApiError) process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`${(err as Error).message ?? String(err)}\n`);
    process.exit(2);
  },
);
