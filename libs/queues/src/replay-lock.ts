import type { RedisClient } from './redis.js';

// Compare-and-delete / compare-and-extend: only the holder's token may release or renew.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/** How long a replay lock lives without renewal; the fan-out and every batch renew it. */
export const REPLAY_LOCK_TTL_MS = 10 * 60 * 1000;

export interface ReplayLockTarget {
  merchantId: number;
  windowStart: Date;
}

/**
 * One bulk job per merchant and window start, whatever the contract or kind (SPEC 5.4's 409): SET NX with the job id as
 * token and an expiry, renewed while the job runs, released by compare-and-delete when it ends.
 */
export class ReplayLock {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  key(target: ReplayLockTarget): string {
    return `${this.prefix}:replay-lock:${target.merchantId}:${target.windowStart.getTime()}`;
  }

  async acquire(target: ReplayLockTarget, token: string, ttlMs = REPLAY_LOCK_TTL_MS): Promise<boolean> {
    return (await this.redis.set(this.key(target), token, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async renew(target: ReplayLockTarget, token: string, ttlMs = REPLAY_LOCK_TTL_MS): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.key(target), token, String(ttlMs))) === 1;
  }

  /** The token (job id) holding the lock, if any. */
  async holder(target: ReplayLockTarget): Promise<string | null> {
    return this.redis.get(this.key(target));
  }

  async release(target: ReplayLockTarget, token: string): Promise<boolean> {
    return (await this.redis.eval(RELEASE, 1, this.key(target), token)) === 1;
  }
}
