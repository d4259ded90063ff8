import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The Prometheus metrics both processes expose. Each process has its own registry (the API on
 * /metrics, the worker on its own small port); deliveries are counted where they happen.
 */
export interface ServiceMetrics {
  registry: Registry;
  deliveries: Counter<'trigger' | 'outcome'>;
  deliveryDuration: Histogram<'trigger' | 'outcome'>;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  /** Endpoint health transitions: failing, disabled, recovered. */
  endpointTransitions: Counter<'to'>;
  /** Registers a gauge whose value is read at scrape time (queue depths, bulk jobs). */
  gaugeAtScrape<L extends string>(name: string, help: string, labelNames: L[], read: (set: (labels: Record<L, string>, value: number) => void) => Promise<void>): void;
}

export function createServiceMetrics(service: 'api' | 'worker'): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const deliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Webhook delivery attempts by trigger and outcome',
    labelNames: ['trigger', 'outcome'] as const,
    registers: [registry],
  });
  const deliveryDuration = new Histogram({
    name: 'webhook_delivery_duration_seconds',
    help: 'Time from sending a webhook to its answer (or failure)',
    labelNames: ['trigger', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'API requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const endpointTransitions = new Counter({
    name: 'webhook_endpoint_transitions_total',
    help: 'Merchant endpoints turning failing, disabled or recovered',
    labelNames: ['to'] as const,
    registers: [registry],
  });
  return {
    registry,
    endpointTransitions,
    deliveries,
    deliveryDuration,
    httpRequests,
    gaugeAtScrape(name, help, labelNames, read) {
      new Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        async collect() {
          this.reset();
          await read((labels, value) => this.set(labels, value)).catch(() => undefined);
        },
      });
    },
  };
}
