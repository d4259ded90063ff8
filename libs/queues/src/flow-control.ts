import type { RedisClient } from './redis.js';
import { randomUUID } from 'node:crypto';

/**
 * Takes up to ARGV[1] delivery slots for one merchant, in one step on Redis's clock:
 * - none while the merchant asked us to wait (429/503 Retry-After): {0, ms left};
 * - in flight at most ARGV[2] - ARGV[3] (slots are leases that expire, so a dead worker's return);
 * - at most ARGV[4] in any window of ARGV[7] ms (0 = no rate cap): each grant is logged in a sorted
 *   set scored by its time, so the count slides, rather than restarting each clock second (which let
 *   twice the rate through across a second's edge): {0, ms until the oldest leaves the window}.
 * Keys share one hash tag, so the script runs on Redis Cluster too.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local hold = tonumber(redis.call('GET', KEYS[3]) or '0')
if hold > now then return {0, hold - now} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local free = tonumber(ARGV[2]) - tonumber(ARGV[3]) - redis.call('ZCARD', KEYS[1])
local grant = math.min(tonumber(ARGV[1]), free)
if grant <= 0 then return {0, 0} end
local rate = tonumber(ARGV[4])
if rate > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[7]))
  grant = math.min(grant, rate - redis.call('ZCARD', KEYS[2]))
  if grant <= 0 then
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    return {0, math.max(1, tonumber(oldest[2]) + tonumber(ARGV[7]) - now)}
  end
  for i = 1, grant do redis.call('ZADD', KEYS[2], now, ARGV[6] .. ':' .. i) end
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[7]))
end
local expires = now + tonumber(ARGV[5])
for i = 1, grant do redis.call('ZADD', KEYS[1], expires, ARGV[6] .. ':' .. i) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[5]))
return {grant, 0}
`;

/** Holds the merchant until ARGV[1] (ms, Redis clock), never shortening a longer hold. */
const HOLD = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > current then redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1])) end
return untilMs
`;

/**
 * The rate is counted over a little more than a second: a grant comes one database round trip
 * (the claim) before its request leaves, and that gap varies, so a window of exactly 1 s would let
 * a slow wave and the next fast one land in the same second at the merchant. 1.15 s absorbs up to
 * 150 ms of it, at the price of ~13% of the rate (100/s allows ~87/s).
 */
export const RATE_WINDOW_MS = 1150;

export type FlowLane = 'live' | 'bulk';

export interface MerchantFlow {
  id: number;
  maxConcurrency: number | null;
  maxPerSecond: number | null;
}

export interface FlowGrant {
  /** How many deliveries may start now (0 to what was asked). */
  granted: number;
  /** When nothing was granted: how long to wait before asking again (0 = a slot may free any moment). */
  retryInMs: number;
  /** Gives the slots back once the deliveries are done (a dead worker's expire on their own). */
  release(): Promise<void>;
}

/**
 * Per-merchant flow control shared by every worker (SPEC 7, "merchants are protected"): a cap on
 * deliveries in flight, an optional rate, and a hold while the merchant asked us to wait
 * (Retry-After). Live webhooks and replays share the cap with live ones first: a replay may use
 * all but a fifth of it (at least one slot when the cap is 2 or more), so a merchant's automatic
 * webhooks always find room while its replay runs.
 */
export class FlowControl {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly defaults: { maxConcurrency: number },
  ) {}

  private keys(merchantId: number): [string, string, string] {
    const base = `${this.prefix}:flow:{m${merchantId}}`;
    return [`${base}:slots`, `${base}:window`, `${base}:hold`];
  }

  /** The part of the cap a replay leaves to live webhooks. */
  static reservedForLive(cap: number): number {
    return cap >= 2 ? Math.max(1, Math.floor(cap / 5)) : 0;
  }

  async acquire(merchant: MerchantFlow, want: number, lane: FlowLane, leaseMs: number): Promise<FlowGrant> {
    const cap = merchant.maxConcurrency ?? this.defaults.maxConcurrency;
    const reserve = lane === 'bulk' ? FlowControl.reservedForLive(cap) : 0;
    const token = randomUUID();
    const [granted, retryInMs] = (await this.redis.eval(
      ACQUIRE,
      3,
      ...this.keys(merchant.id),
      String(want),
      String(cap),
      String(reserve),
      String(merchant.maxPerSecond ?? 0),
      String(leaseMs),
      token,
      String(RATE_WINDOW_MS),
    )) as [number, number];
    const [slots] = this.keys(merchant.id);
    return {
      granted,
      retryInMs,
      release: async () => {
        if (granted > 0) await this.redis.zrem(slots, ...Array.from({ length: granted }, (_, i) => `${token}:${i + 1}`));
      },
    };
  }

  /** The merchant answered 429/503 with Retry-After: nothing is sent to it for `ms`. */
  async holdFor(merchantId: number, ms: number): Promise<void> {
    if (ms <= 0) return;
    await this.redis.eval(HOLD, 1, this.keys(merchantId)[2], String(Math.ceil(ms)));
  }
}
