import { describe, expect, it } from '@jest/globals';
import { createLogger } from './logger.js';

/** The line a logger would print for one event (winston keeps it under Symbol.for('message')). */
function lineOf(format: 'json' | 'pretty', event: Record<string, unknown>): string {
  const logger = createLogger({ service: 'worker', level: 'info', format });
  // The logger adds its defaultMeta (service) before formatting; transform alone does not.
  const info = logger.format.transform({ level: 'info', message: 'webhook attempt', ...logger.defaultMeta, ...event }) as Record<symbol, string>;
  return info[Symbol.for('message')]!;
}

describe('createLogger formats', () => {
  it('when the format is pretty, then one readable line names time, level, service, message and fields, secrets redacted', () => {
    const line = lineOf('pretty', { merchantId: 303, outcome: 'success', error: 'HTTP 500 from server', webhookSecret: 'whsec_abc' });
    expect(line).not.toContain('\n');
    expect(line).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} \S*info\s*\S* worker: webhook attempt /);
    expect(line).toContain('merchantId=303 outcome=success error="HTTP 500 from server"');
    expect(line).not.toContain('whsec_abc');
  });

  it('when the format is json, then each event is one JSON object with the service and a timestamp', () => {
    const event = JSON.parse(lineOf('json', { merchantId: 303 }));
    expect(event).toMatchObject({ level: 'info', message: 'webhook attempt', service: 'worker', merchantId: 303 });
    expect(typeof event.timestamp).toBe('string');
  });
});
