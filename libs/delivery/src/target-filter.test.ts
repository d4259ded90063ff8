import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { LookupFunction } from 'node:net';
import { BlockedTargetError, filteringConnector } from './target-filter.js';
import { allowedTarget, checkWebhookUrl, isAllowedTarget, parseAllowedTargets } from './target-policy.js';

// Classification and the connector's decision only: no test here opens a connection to anything
// but what the connector is refused to reach (refusals happen before any socket exists).
const STRICT = { allowPrivateTargets: false, allowedTargets: new Set<string>() };

describe('isAllowedTarget in the production configuration (private targets refused)', () => {
  const printed: unknown[] = [];
  beforeEach(() => {
    printed.length = 0;
    for (const method of ['log', 'warn', 'error', 'info', 'debug'] as const) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args));
    }
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => (printed.push(chunk), true));
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it.each([['8.8.8.8'], ['1.1.1.1'], ['93.184.216.34'], ['2606:4700:4700::1111'], ['2a00:1450:4001:80b::200e']])(
    'when a connection goes to the public address %s, then it passes and nothing is printed',
    (address) => {
      expect(isAllowedTarget(address, 443, STRICT)).toBe(true);
      expect(printed).toEqual([]);
    },
  );

  it.each([['127.0.0.1'], ['10.0.0.1'], ['169.254.169.254'], ['::1'], ['::ffff:127.0.0.1'], ['64:ff9b::7f00:1']])(
    'when a connection goes to the non-public address %s, then it is refused and nothing is printed',
    (address) => {
      expect(isAllowedTarget(address, 443, STRICT)).toBe(false);
      expect(printed).toEqual([]);
    },
  );
});

describe('WEBHOOK_ALLOWED_TARGETS: exact addresses allowed even when private targets are not', () => {
  const rules = { allowPrivateTargets: false, allowedTargets: parseAllowedTargets(['127.0.0.1:4000', '[::1]:4001', '[0:0:0:0:0:0:0:1]:4002']) };

  it('when the address and port are listed, then they pass, however the address is written', () => {
    expect(isAllowedTarget('127.0.0.1', 4000, rules)).toBe(true);
    expect(isAllowedTarget('::1', 4001, rules)).toBe(true);
    expect(isAllowedTarget('0:0:0:0:0:0:0:1', 4001, rules)).toBe(true);
    expect(isAllowedTarget('::1', 4002, rules)).toBe(true);
    expect(allowedTarget('::ffff:127.0.0.1', 4000)).toBe('127.0.0.1:4000');
  });

  it('when only the address or only the port matches, then it is still refused', () => {
    expect(isAllowedTarget('127.0.0.1', 4001, rules)).toBe(false);
    expect(isAllowedTarget('127.0.0.2', 4000, rules)).toBe(false);
    expect(isAllowedTarget('::1', 4000, rules)).toBe(false);
  });

  it('when an entry is not an ip:port pair, then parsing names it', () => {
    expect(() => parseAllowedTargets(['localhost:4000'])).toThrow('"localhost:4000" is not an ip:port pair');
    expect(() => parseAllowedTargets(['127.0.0.1'])).toThrow('"127.0.0.1" is not an ip:port pair');
    expect(() => parseAllowedTargets(['127.0.0.1:70000'])).toThrow('is not an ip:port pair');
    expect(() => parseAllowedTargets(['::1:4000'])).toThrow('is not an ip:port pair');
  });

  it('when a webhook URL names a listed address, then the API accepts it; another port is refused', () => {
    expect(checkWebhookUrl('http://127.0.0.1:4000/hook', rules)).toBeUndefined();
    expect(checkWebhookUrl('http://[::1]:4001/hook', rules)).toBeUndefined();
    expect(checkWebhookUrl('http://127.0.0.1:4001/hook', rules)).toBe('private_address');
    expect(checkWebhookUrl('http://127.0.0.1/hook', rules)).toBe('private_address');
  });
});

describe('filteringConnector', () => {
  const connectTo = (hostname: string, port: string, lookup?: LookupFunction) =>
    new Promise<Error | null>((resolve) => {
      const connector = filteringConnector(STRICT, { timeoutMs: 1000, lookup });
      connector({ hostname, host: `${hostname}:${port}`, protocol: 'http:', port, servername: undefined } as never, (err, socket) => {
        socket?.destroy();
        resolve(err);
      });
    });

  it.each([['127.0.0.1'], ['[::1]'], ['169.254.169.254'], ['10.1.2.3']])(
    'when the host is the literal %s, then it is refused before any socket is opened',
    async (hostname) => {
      expect(await connectTo(hostname, '80')).toBeInstanceOf(BlockedTargetError);
    },
  );

  it('when a name resolves to a non-public address among public ones (DNS rebinding), then it is refused', async () => {
    const rebinding = ((_host: string, _opts: unknown, cb: (err: null, addresses: Array<{ address: string; family: number }>) => void) =>
      cb(null, [
        { address: '93.184.216.34', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ])) as unknown as LookupFunction;
    const err = await connectTo('shop.example', '80', rebinding);
    expect(err).toBeInstanceOf(BlockedTargetError);
    expect((err as BlockedTargetError).address).toBe('127.0.0.1');
  });

  it('when the name does not resolve, then the lookup error is passed on (a network error, not blocked)', async () => {
    const failing = ((_host: string, _opts: unknown, cb: (err: Error) => void) =>
      cb(Object.assign(new Error('getaddrinfo ENOTFOUND shop.invalid'), { code: 'ENOTFOUND' }))) as unknown as LookupFunction;
    const err = await connectTo('shop.invalid', '80', failing);
    expect(err).not.toBeInstanceOf(BlockedTargetError);
    expect((err as Error & { code?: string }).code).toBe('ENOTFOUND');
  });
});
