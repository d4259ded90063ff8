import { parseArgs } from 'node:util';

export interface ReplayArgs {
  apiUrl: string;
  apiKey: string;
  merchantId: number;
  from: string;
  to: string;
  onlyFailed: boolean;
  dryRun: boolean;
  runAt?: string;
  kind?: 'CASHIN' | 'CASHOUT';
  json: boolean;
  pollMs: number;
}

export const USAGE = `Usage: npm run replay -- --merchant <id> --from <ISO time> --to <ISO time>
         [--only-failed] [--dry-run] [--at <ISO time>] [--kind CASHIN|CASHOUT] [--json]
         [--api-url <url>] [--api-key <key>]
       npm run replay -- --help

Replays a merchant's webhooks over a window through the API (POST /v1/replays) and follows it
to the end with a progress bar. --api-url and --api-key default to WR_API_URL (else
http://127.0.0.1:3000) and WR_API_KEY.`;

export class UsageError extends Error {}

/** Reads the command line; every problem names the option. `--help` (or `-h`) asks for the usage. */
export function parseReplayArgs(argv: string[], env: Record<string, string | undefined>): ReplayArgs | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      merchant: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'only-failed': { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      at: { type: 'string' },
      kind: { type: 'string' },
      json: { type: 'boolean', default: false },
      'api-url': { type: 'string' },
      'api-key': { type: 'string' },
      'poll-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const merchantId = Number(values.merchant);
  if (!values.merchant || !Number.isInteger(merchantId) || merchantId < 1) throw new UsageError('--merchant must be a merchant id');
  for (const name of ['from', 'to'] as const) {
    if (!values[name] || Number.isNaN(Date.parse(values[name]!))) throw new UsageError(`--${name} must be an ISO 8601 time`);
  }
  if (values.at !== undefined && Number.isNaN(Date.parse(values.at))) throw new UsageError('--at must be an ISO 8601 time');
  if (values.kind !== undefined && values.kind !== 'CASHIN' && values.kind !== 'CASHOUT') throw new UsageError('--kind must be CASHIN or CASHOUT');
  const apiKey = values['api-key'] ?? env.WR_API_KEY;
  if (!apiKey) throw new UsageError('--api-key (or WR_API_KEY) is required');
  return {
    apiUrl: (values['api-url'] ?? env.WR_API_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, ''),
    apiKey,
    merchantId,
    from: values.from!,
    to: values.to!,
    onlyFailed: values['only-failed'] ?? false,
    dryRun: values['dry-run'] ?? false,
    runAt: values.at,
    kind: values.kind as ReplayArgs['kind'],
    json: values.json ?? false,
    pollMs: Number(values['poll-ms'] ?? 500),
  };
}
