import type { ReplayArgs } from './replay-args.js';

export interface ReplayStatus {
  id: string;
  state: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  jobs: number;
  total: number;
  processed: number;
  succeeded: number;
  failed: number;
}

export class ApiError extends Error {}

/** The two calls the CLI makes, over plain fetch. */
export class ReplayClient {
  constructor(private readonly args: Pick<ReplayArgs, 'apiUrl' | 'apiKey'>) {}

  async create(body: Record<string, unknown>): Promise<ReplayStatus | { id: null; total: number }> {
    return this.call('POST', '/v1/replays', body);
  }

  async status(id: string): Promise<ReplayStatus> {
    return this.call('GET', `/v1/replays/${encodeURIComponent(id)}`);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.args.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.args.apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // not JSON
      }
      throw new ApiError(`${method} ${path} answered ${res.status}: ${message}`);
    }
    return JSON.parse(text) as T;
  }
}
