import type { LookupFunction } from 'node:net';
import type { AppConfig } from '@wr/config';
import type { Logger } from '@wr/logger';
import { FlowControl } from '@wr/queues';
import { createRuntime, type Runtime } from '@wr/runtime';
import { EndpointGate } from './endpoint-gate.js';

/** What the worker's processors share, wired once per process. */
export interface WorkerContext extends Runtime {
  config: AppConfig;
  logger: Logger;
  /** Per-merchant caps, rates and Retry-After holds, shared by every worker through Redis. */
  flow: FlowControl;
  /** The circuit breaker in front of every attempt (endpoint health). */
  endpoints: EndpointGate;
  /** Set when the process is shutting down: long jobs hand themselves back at their next step. */
  stopping: { value: boolean };
}

/** Replaceable parts: a resolver for deliveries (tests point a public name at loopback with it). */
export interface WorkerContextOptions {
  lookup?: LookupFunction;
}

export async function createWorkerContext(config: AppConfig, logger: Logger, options: WorkerContextOptions = {}): Promise<WorkerContext> {
  const runtime = await createRuntime(config, logger, {
    service: 'worker',
    database: { applicationName: 'wr-worker', queryTimeoutMs: 30_000 },
    redis: 'worker',
    lookup: options.lookup,
  });
  return {
    ...runtime,
    config,
    logger,
    flow: new FlowControl(runtime.redis, config.queuePrefix, { maxConcurrency: config.merchantMaxConcurrency }),
    endpoints: new EndpointGate({
      health: runtime.repos.endpointHealth,
      recovery: runtime.endpointRecovery,
      events: runtime.endpointEvents,
      logger,
    }),
    stopping: { value: false },
  };
}
