import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { startWebhookReceiver, TEST_ADMIN_TOKEN, type WebhookReceiver } from '@wr/testing';
import { startHarness, type Harness } from './support/harness.js';

/**
 * SPEC 7 ("Bad input gets a clear 4xx naming the field, never a 500") and SPEC 4, as properties:
 * every endpoint of app.ts gets generated hostile bodies, queries, path ids and credentials, and
 * must answer each with JSON, below 500, with nothing of its insides (stack frames, SQL).
 *
 * Safety: every URL the generators build names a loopback host (127.0.0.1, localhost, [::1]) on a
 * port of this test's own (its receiver, or one it reserved and closed), or is not a URL at all;
 * `assertLoopbackOnly` re-checks every generated string as the WHATWG parser (and so the delivery
 * client) reads it, and refuses to send anything that could name another host.
 */

const AUTHORIZED_RUNS = 60;
const UNAUTHORIZED_RUNS = 16;
const MIN_TOTAL_REQUESTS = 1000;

// ---------------------------------------------------------------------------------------------
// Safety: only loopback URLs, ever.

const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True when some reading of the string (as is, or trimmed as joi does) is a URL naming a non-loopback host. */
function namesForeignHost(s: string): boolean {
  for (const candidate of new Set([s, s.trim()])) {
    let url: URL;
    try {
      url = new URL(candidate);
    } catch {
      continue;
    }
    if (url.hostname !== '' && !LOOPBACK_HOSTNAMES.has(url.hostname.toLowerCase())) return true;
  }
  return false;
}

function everyStringIsSafe(root: unknown): boolean {
  // Iterative: generated bodies nest thousands deep.
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (namesForeignHost(value)) return false;
    } else if (Array.isArray(value)) {
      stack.push(...value);
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (namesForeignHost(k)) return false;
        stack.push(v);
      }
    }
  }
  return true;
}

function parseJsonIterative(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** A body is safe when it is not JSON (the service reads no field of it) or all its strings are. */
function bodyIsSafe(body: string | Uint8Array | undefined): boolean {
  if (body === undefined) return true;
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  const parsed = parseJsonIterative(text.replace(/^\uFEFF/, ''));
  return !parsed.ok || everyStringIsSafe(parsed.value);
}

function pathIsSafe(path: string): boolean {
  const decoded = safeDecode(path);
  return !namesForeignHost(decoded) && !decoded.split(/[?&=]/).some(namesForeignHost);
}

/** The last line of defence: nothing that could name another host is ever sent. */
function assertLoopbackOnly(path: string, body: string | Uint8Array | undefined): void {
  if (!bodyIsSafe(body) || !pathIsSafe(path)) {
    throw new Error(`refusing to send a request that names a non-loopback host: ${path}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP, so that any method may carry any bytes and any header.

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });

function sendRaw(port: number, req: HostileRequest): Promise<Answer> {
  assertLoopbackOnly(req.path, req.body);
  const bytes = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : Buffer.from(req.body);
  return new Promise<Answer>((resolve, reject) => {
    const r = http.request(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.path,
        agent,
        headers: { ...req.headers, 'content-length': String(bytes?.length ?? 0) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    r.setTimeout(15_000, () => r.destroy(new Error('no answer within 15 s')));
    r.on('error', reject);
    r.end(bytes);
  });
}

/** Percent-encodes the UTF-8 bytes of any string (lone surrogates included, as U+FFFD). */
function pct(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_.~-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---------------------------------------------------------------------------------------------
// What a client must never see.

const LEAKS: Array<[string, RegExp]> = [
  ['a stack frame line', /\n\s+at\s/],
  ['a stack frame', /\bat\s+[^\s()]+\s+\([^)]*:\d+:\d+\)/],
  ['a source file position', /\.(?:ts|js|mjs|cjs):\d+(?::\d+)?/],
  ['node_modules', /node_modules/],
  ['a "stack" field', /"stack"\s*:/],
  ['a JavaScript error name', /\b(?:TypeError|ReferenceError|RangeError|SyntaxError|EvalError|AggregateError)\b/],
  ['SQL (SELECT … FROM)', /\bSELECT\b[\s\S]{0,200}\bFROM\b/i],
  ['SQL (INSERT INTO)', /\bINSERT\s+INTO\b/i],
  ['SQL (UPDATE … SET)', /\bUPDATE\s+"?\w+"?\s+SET\b/i],
  ['SQL (DELETE FROM)', /\bDELETE\s+FROM\b/i],
  ['a PostgreSQL error', /QueryFailedError|syntax error at or near|violates (?:unique|foreign key|check|not-null) constraint|duplicate key value|invalid input syntax for|out of range for (?:type|integer)|relation "[^"]*" does not exist|column "[^"]*" (?:of relation|does not exist)|invalid byte sequence for encoding|unsupported Unicode escape sequence|stack depth limit exceeded/i],
  ['a driver or ORM name', /\bTypeORM\b|\bpg-protocol\b|\bioredis\b|\bbullmq\b/i],
];

interface Dialect {
  name: string;
  unauthorized: unknown;
  /** The client-facing text of an error body. */
  messageOf(body: Record<string, unknown>): unknown;
}

const DEFAULT_DIALECT: Dialect = {
  name: 'default',
  unauthorized: { statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' },
  messageOf: (b) => b.message,
};
const INVOICE_DIALECT: Dialect = { name: 'gates2b', unauthorized: { message: 'Unauthorized', status: 'error' }, messageOf: (b) => b.message };
const SIMPAY_DIALECT: Dialect = { name: 'simpay', unauthorized: { worked: false, detail: 'Unauthorized' }, messageOf: (b) => b.detail };

/** Everything wrong with one answer, as readable lines (empty when it is clean). */
function problemsWith(req: HostileRequest, res: Answer, json = true, documented5xx?: (res: Answer) => boolean): string[] {
  const problems: string[] = [];
  if (res.status >= 500 && !documented5xx?.(res)) problems.push(`status ${res.status} (5xx)`);
  if (json) {
    if (!/^application\/json\b/i.test(res.contentType)) problems.push(`content-type ${JSON.stringify(res.contentType)} is not JSON`);
    const parsed = parseJsonIterative(res.text);
    if (!parsed.ok) problems.push('the body is not JSON');
    else if (parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) problems.push('the body is not a JSON object');
  }
  const sentText = [req.path, safeDecode(req.path), typeof req.body === 'string' ? req.body : req.body ? Buffer.from(req.body).toString('utf8') : ''].join('\n');
  for (const [what, pattern] of LEAKS) {
    // Validation messages may quote the client's own input back; only what the client did not send is a leak.
    if (pattern.test(res.text) && !pattern.test(sentText)) problems.push(`the body shows ${what}`);
  }
  return problems;
}

function describeExchange(req: HostileRequest, res: Answer): string {
  const body = req.body === undefined ? '(none)' : typeof req.body === 'string' ? req.body : `bytes ${Buffer.from(req.body).toString('hex')}`;
  return [
    `${req.method} ${req.path.length > 300 ? `${req.path.slice(0, 300)}… (${req.path.length} chars)` : req.path}`,
    `headers ${JSON.stringify(req.headers)}`,
    `body ${body.length > 600 ? `${body.slice(0, 600)}… (${body.length} chars)` : body}`,
    `→ ${res.status} ${res.contentType} ${res.text.slice(0, 600)}`,
  ].join('\n  ');
}

// ---------------------------------------------------------------------------------------------
// Generators. JSON is built as text, so bodies may hold duplicate keys, own "__proto__" keys,
// numbers JavaScript cannot hold (1e999, 400 digits) and -0.

const j = (v: unknown): string => JSON.stringify(v) ?? 'null';
const objText = (entries: Array<[string, string]>): string => `{${entries.map(([k, v]) => `${j(k)}:${v}`).join(',')}}`;
const arrText = (items: string[]): string => `[${items.join(',')}]`;

const NAN_LIKE = ['NaN', '-NaN', 'Infinity', '-Infinity', '1e999', '-1e999', '0x10', '0b1', '0o7', '1_000', '1,5', '١٢٣', '+1', '-0', '00', '1.0', '1e3', ' 1', '1 ', '', ' ', 'null', 'undefined', 'true', '[object Object]', '9'.repeat(40), '-1', '0', '2147483648', '9007199254740993'];
const SQLISH = ["' OR '1'='1", "1; DROP TABLE merchants; --", '$1', '\\', '%', '_', "1' UNION SELECT secret_hash FROM api_keys --", "E'\\x00'", '1)--', '"; DELETE FROM transactions; --', "'; UPDATE merchants SET webhook_url = NULL; --"];
const UNICODE_ODDITIES = ['\u0000', 'a\u0000b', '\ud800', '\udfff', 'a\ud83d', '\u202e', '\ufeff', '\u2028\u2029', 'ﷺ', 'Ω≈ç√', '😀'.repeat(50), 'e\u0301', '\u0007\u0008\u001b[31m', '\r\n\r\nHTTP/1.1 200 OK', '<script>alert(1)</script>', '{{7*7}}', '${7*7}', '../../etc/passwd', 'C:\\Windows\\system32'];
const DATEISH = ['+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00Z', '0000-01-01T00:00:00Z', '+010000-01-01T00:00:00Z', '2026-02-30 00:00:00', '2026-05-01T00:00:00', '2026-05-01 24:00:00', '0000-01-01 00:00:00', '9999-12-31 23:59:59', '2026-05-01T00:00:00Z', '2026-05-01T00:00:00+99:99', '+275760-09-13T00:00:00.000Z', '-271821-04-20T00:00:00Z', '2026-13-01 00:00:00', '2026-05-01 00:00:60', '1970-01-01 00:00:00', '2026-05-01 00:00:00.000'];
const NUMBER_TEXTS = ['1e999', '-1e999', '9'.repeat(400), '-0', '0.0000000000000000000001', '1E308', '4294967296', '9007199254740993', '2147483648', '-2147483649', '1.5', '-1', '0', '1e2', '100000000000000000000000', '5e-324'];

const controlChar = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
const headerSafeChar = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff })).map((c) => String.fromCharCode(c));
const printableAscii = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));

const hugeString = fc
  .tuple(fc.integer({ min: 1_000, max: 20_000 }), fc.constantFrom('a', '0', '\u0000', '😀', '"', '\\', ' '))
  .map(([n, c]) => c.repeat(n));

/** Ports this test owns: its receiver's and one reserved then closed (so nothing listens there). */
interface Ports {
  receiver: number;
  closed: number;
}

/** URLs on loopback hosts only, well-formed or not. */
function loopbackUrl(ports: Ports): fc.Arbitrary<string> {
  const scheme = fc.constantFrom('http', 'https', 'HTTP', 'hTTps', 'ftp', 'file', 'javascript', 'ws', 'gopher', 'data');
  const separator = fc.constantFrom('://', '://', '://', ':/', ':///', ':\\\\', ':');
  const userinfo = fc.constantFrom('', '', '', 'user:pass@', 'admin@', ':@', '%40@');
  const host = fc.constantFrom(...LOOPBACK_HOSTNAMES);
  const port = fc.constantFrom(`:${ports.receiver}`, `:${ports.receiver}`, `:${ports.closed}`, ':0', ':65536', ':99999', ':-1', ':abc', ':', ':８０');
  const path = fc.oneof(
    fc.webPath(),
    fc.string({ unit: 'binary', maxLength: 30 }).map((s) => `/${s}`),
    fc.string({ maxLength: 30 }).map((s) => `/${pct(s)}`),
    fc.constantFrom('', '/', '/../../etc/passwd', '/%00', '/%zz', '/?a=1#frag', '/#', '/\\x', '//', '/@x', `/${'a'.repeat(3000)}`),
  );
  const edge = fc.constantFrom('', '', '', ' ', '\u0000', '\t', '\n', '\u00a0', '\ufeff');
  return fc
    .tuple(edge, scheme, separator, userinfo, host, port, path, edge)
    .map(([pre, s, sep, user, h, p, rest, post]) => `${pre}${s}${sep}${user}${h}${p}${rest}${post}`);
}

/** URLs a merchant could really configure: http on loopback at this test's ports. */
function validLoopbackUrl(ports: Ports): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...LOOPBACK_HOSTNAMES), fc.constantFrom(ports.receiver, ports.closed), fc.webPath())
    .map(([h, p, path]) => `http://${h}:${p}${path.startsWith('/') ? path : `/${path}`}`);
}

const garbageUrl = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('http://', 'http:', '://', 'http:///', 'http://[::1', 'http://[::1]]/', '//127.0.0.1/', 'localhost', '127.0.0.1', 'http://%', 'http://%zz/', 'http://\u0000/', ' ', 'mailto:a@b', 'about:blank', 'http://[::1]:65536/', 'http://127.0.0.1:1:2/', 'http://127.0.0.1:-80/', 'http://:80/'),
);

function hostileStringArb(ports: Ports): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.string({ unit: controlChar, maxLength: 20 }),
    fc.constantFrom(...NAN_LIKE, ...SQLISH, ...UNICODE_ODDITIES, ...DATEISH),
    hugeString,
    loopbackUrl(ports),
    garbageUrl,
  );
}

/** One hostile JSON value, as JSON text. */
function hostileScalar(ports: Ports): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: hostileStringArb(ports).map(j) },
    { weight: 2, arbitrary: fc.constantFrom(...NUMBER_TEXTS) },
    { weight: 1, arbitrary: fc.double().map(j) },
    { weight: 1, arbitrary: fc.integer().map(String) },
    { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String) },
    { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null', '{}', '[]') },
  );
}

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', ''];
const POLLUTERS = ['{"polluted":"yes","isAdmin":true,"accountId":1}', '{"prototype":{"polluted":"yes"}}', '{"__proto__":{"polluted":"yes"}}', '"polluted"', 'null', '[]'];

function keyArb(fields: string[]): fc.Arbitrary<string> {
  const real = fields.length > 0 ? [fc.constantFrom(...fields)] : [];
  return fc.oneof(
    ...real,
    ...real.map((f) => f.map((k) => k.toUpperCase())),
    ...real.map((f) => f.chain((k) => fc.constantFrom(`${k} `, ` ${k}`, `${k}\u0000`, `${k}[]`, `${k}.x`))),
    fc.constantFrom(...PROTO_KEYS),
    fc.string({ unit: 'binary', maxLength: 12 }),
  );
}

function hostileValue(ports: Ports, fields: string[], depth = 3): fc.Arbitrary<string> {
  const scalar = hostileScalar(ports);
  if (depth === 0) return scalar;
  const inner = hostileValue(ports, fields, depth - 1);
  return fc.oneof(
    { weight: 5, arbitrary: scalar },
    { weight: 1, arbitrary: fc.array(inner, { maxLength: 4 }).map(arrText) },
    { weight: 1, arbitrary: fc.array(fc.tuple(keyArb(fields), inner), { maxLength: 4 }).map(objText) },
    { weight: 1, arbitrary: deepNesting },
  );
}

/** Arrays or objects nested 64 to 5000 deep. */
const deepNesting = fc.tuple(fc.integer({ min: 64, max: 5000 }), fc.constantFrom('array', 'object', 'mixed')).map(([n, kind]) => {
  if (kind === 'array') return '['.repeat(n) + ']'.repeat(n);
  if (kind === 'object') return '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  return '[{"a":'.repeat(n) + 'null' + '}]'.repeat(n);
});

/** `{"a":` and friends: text that is not JSON. */
const MALFORMED = [
  '{', '}', '{"a":', '{"a":1,}', "{'a':1}", '{a:1}', '[1,2', 'nul', 'tru', '"unterminated', '{"a":1}{"b":2}', '\u0000', '\ufeff{}',
  '{"a":NaN}', '{"a":Infinity}', '{"a":undefined}', '{"a":0x10}', '{"a":01}', '{"a":.5}', '{"a":"\\x41"}', '{"a":"\\u12"}',
  '//comment\n{}', '{"a":1 /*c*/}', '--', '<xml/>', 'a=1&b=2', '{"a":"\u0000"', '{"a" "b"}', '{"a":1}}', '[]]', '{"":}', '\\',
  '{"a":"\ud800"}', '{"__proto__":', '{"constructor":{"prototype":', '{,}', '{"a":1,"a":}',
];

interface Payload {
  body?: string | Uint8Array;
  contentType: string | null;
  contentEncoding?: string;
}

const CONTENT_TYPES: Array<string | null> = [
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  null,
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/*',
  ';;;',
];

function toJsonText(value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Map) return [...v.entries()];
    if (v instanceof Set) return [...v.values()];
    return v;
  });
  return text ?? '';
}

interface EndpointSpec {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  auth: 'admin' | 'client' | 'none';
  /** False for the one non-JSON surface (Prometheus text at /metrics). */
  json?: boolean;
  dialect: Dialect;
  /** Builds the path from an already-encoded id (ignored when the route has none). */
  path(id: string): string;
  hasId: boolean;
  /** The route's real body or query fields, for targeted mutation. */
  fields: string[];
  /** A valid (or nearly) body as JSON-text fragments per field; absent for routes without a body. */
  valid?: () => fc.Arbitrary<Record<string, string>>;
  /** Where the fields travel. */
  fieldsIn: 'body' | 'query';
  /** A valid (or nearly) query for routes that read one, as raw values per parameter. */
  validQuery?: () => fc.Arbitrary<Record<string, string>>;
  /** Identifiers of real resources for this route's id. */
  realIds(): string[];
  /** A check beyond cleanliness, per answer. */
  expect?(res: Answer, body: Record<string, unknown>): string | undefined;
  /**
   * A 5xx the contract itself prescribes (SPEC 5.2: the synchronous resend answers 502 when the
   * merchant's endpoint fails and 504 when it times out, naming the audit row); any other 5xx fails.
   */
  documented5xx?(res: Answer): boolean;
  /** Counterexamples found earlier, replayed before the generated runs so they stay reproducible. */
  examples?(): Array<[id: string, query: string, payload: Payload]>;
}

/** SPEC 5.2 / the Avista seed: `502 Webhook failed …` or `504 Timeout after …ms`, with the attempt's audit row. */
function isDocumentedWebhookFailure(res: Answer): boolean {
  if (res.status !== 502 && res.status !== 504) return false;
  const parsed = parseJsonIterative(res.text);
  if (!parsed.ok || parsed.value === null || typeof parsed.value !== 'object') return false;
  const b = parsed.value as Record<string, unknown>;
  const message = res.status === 502 ? /^Webhook failed/ : /^Timeout after \d+ms$/;
  return b.statusCode === res.status && typeof b.message === 'string' && message.test(b.message) && Number.isInteger(b.webhookLogId) && typeof b.sentAt === 'string';
}

function bodyArb(spec: EndpointSpec, ports: Ports): fc.Arbitrary<Payload> {
  const value = hostileValue(ports, spec.fields);
  const key = keyArb(spec.fields);
  const fieldBag = fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 8 }).map(objText);
  const anything = fc
    .anything({
      maxDepth: 4,
      withBoxedValues: true,
      withMap: true,
      withSet: true,
      withObjectString: true,
      withNullPrototype: true,
      withBigInt: true,
      withDate: true,
      withTypedArray: true,
      withSparseArray: true,
    })
    .map(toJsonText);
  const valid = spec.valid?.() ?? fc.constant<Record<string, string>>({});
  const mutated = fc
    .tuple(
      valid,
      fc.array(fc.tuple(spec.fields.length > 0 ? fc.constantFrom(...spec.fields) : key, fc.option(value, { nil: undefined })), { minLength: 1, maxLength: 3 }),
    )
    .map(([base, changes]) => {
      const entries = new Map(Object.entries(base));
      for (const [k, v] of changes) {
        if (v === undefined) entries.delete(k);
        else entries.set(k, v);
      }
      return objText([...entries.entries()]);
    });
  const polluted = fc
    .tuple(valid, fc.array(fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.constantFrom(...POLLUTERS)), { minLength: 1, maxLength: 3 }), fc.boolean())
    .map(([base, extra, first]) => {
      const entries = Object.entries(base);
      return objText(first ? [...extra, ...entries] : [...entries, ...extra]);
    });
  const validAsIs = valid.map((base) => objText(Object.entries(base)));
  const malformed = fc.oneof(
    fc.constantFrom(...MALFORMED),
    fc.tuple(validAsIs, fc.nat()).map(([text, cut]) => text.slice(0, text.length > 1 ? cut % (text.length - 1) : 0)),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({ unit: printableAscii, maxLength: 60 }),
  );
  const text = fc.oneof(
    { weight: 1, arbitrary: fc.jsonValue().map(j) },
    { weight: 1, arbitrary: anything },
    { weight: 2, arbitrary: fieldBag },
    { weight: spec.valid ? 4 : 0, arbitrary: validAsIs },
    { weight: 4, arbitrary: mutated },
    { weight: 1, arbitrary: polluted },
    { weight: 2, arbitrary: malformed },
    { weight: 1, arbitrary: fc.tuple(deepNesting, fc.constantFrom(...(spec.fields.length > 0 ? spec.fields : ['a']))).map(([deep, f]) => objText([[f, deep]])) },
    { weight: 1, arbitrary: deepNesting },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\n', '\r\n\t ') },
  );
  const bytes = fc.uint8Array({ minLength: 1, maxLength: 64 });
  const contentType = fc.constantFrom(...CONTENT_TYPES);
  // Generated strings are loopback URLs or not URLs; the filter drops any that chance made otherwise.
  const payload: fc.Arbitrary<Payload> = fc.oneof(
    { weight: 12, arbitrary: fc.record({ body: text as fc.Arbitrary<string | Uint8Array | undefined>, contentType: fc.oneof(fc.constant('application/json'), contentType) }) },
    { weight: 1, arbitrary: fc.record({ body: bytes as fc.Arbitrary<string | Uint8Array | undefined>, contentType }) },
    { weight: 1, arbitrary: fc.record({ body: fc.constant(undefined), contentType }) },
    {
      weight: 1,
      arbitrary: fc.record({
        body: text as fc.Arbitrary<string | Uint8Array | undefined>,
        contentType: fc.constant<string | null>('application/json'),
        contentEncoding: fc.constantFrom('gzip', 'deflate', 'br', 'bogus', 'identity, gzip'),
      }),
    },
  );
  return payload.filter((p) => bodyIsSafe(p.body));
}

/** A hostile query string (or none), with the route's field names among the keys. */
function queryArb(spec: EndpointSpec, ports: Ports): fc.Arbitrary<string> {
  const key = keyArb(spec.fields);
  // Short values (a request head past Node's 16 KB limit never reaches the app), plus one long one.
  const value = fc.oneof(
    { weight: 8, arbitrary: hostileStringArb(ports).filter((v) => v.length <= 200) },
    { weight: 2, arbitrary: fc.constantFrom(...NUMBER_TEXTS) },
    { weight: 1, arbitrary: fc.integer().map(String) },
    { weight: 1, arbitrary: fc.integer({ min: 500, max: 4000 }).map((n) => 'a'.repeat(n)) },
  );
  const pairs = fc.array(fc.tuple(key, value, fc.constantFrom('', '[]', '[a]', '[__proto__]')), { minLength: 1, maxLength: 6 }).filter((ps) => ps.reduce((n, [k, v]) => n + pct(k).length + pct(v).length, 0) <= 6000).map(
    (ps) => `?${ps.map(([k, v, suffix]) => `${pct(k)}${suffix}=${pct(v)}`).join('&')}`,
  );
  const raw = fc.constantFrom('?', '?%', '?%zz=1', '?a[b][c]=1', '?__proto__[polluted]=yes', '?constructor[prototype][polluted]=yes', '?limit=1&limit=2', '?%00=%00', '?&&&=&', '?=', `?${'a'.repeat(3000)}`, '?a=%FF%FE', '?a=%E0%A4%A');
  const rawPrintable = fc.string({ unit: printableAscii, maxLength: 40 }).map((s) => `?${s.replace(/#/g, '%23')}`);
  // A valid query with one parameter swapped for a hostile value (or dropped): reaches the database.
  const validQuery = spec.validQuery?.() ?? fc.constant<Record<string, string>>({});
  const nearlyValid = fc
    .tuple(validQuery, fc.option(fc.tuple(spec.fields.length > 0 ? fc.constantFrom(...spec.fields) : key, fc.option(value, { nil: undefined })), { nil: undefined }))
    .map(([base, change]) => {
      const entries = new Map(Object.entries(base));
      if (change) {
        if (change[1] === undefined) entries.delete(change[0]);
        else entries.set(change[0], change[1]);
      }
      return entries.size === 0 ? '' : `?${[...entries].map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&')}`;
    });
  return fc
    .oneof(
      { weight: spec.validQuery ? 6 : 0, arbitrary: nearlyValid },
      { weight: spec.fieldsIn === 'query' ? 2 : 6, arbitrary: fc.constant('') },
      { weight: spec.fieldsIn === 'query' ? 6 : 1, arbitrary: pairs },
      { weight: 1, arbitrary: raw },
      { weight: 1, arbitrary: rawPrintable },
    )
    .filter(pathIsSafe);
}

/** Path ids: real ones, odd numbers, odd hex, encodings that do not decode, traversal, unicode, length. */
function oddIdArb(spec: EndpointSpec): fc.Arbitrary<string> {
  const real = spec.realIds();
  return fc.oneof(
    { weight: 4, arbitrary: real.length > 0 ? fc.constantFrom(...real.map(pct)) : fc.constant('1') },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map(pct) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '0', '-1', '1.5', '1e3', '0x10', '%201', '%20', '%00', '1%00', '%', '%zz', '%FF%FE', '%E0%A4%A', '..', '.', '%2e%2e', '%2F', '..%2F..%2Fadmin',
        '9'.repeat(40), '9007199254740993', '2147483648', '2147483647', 'NaN', 'Infinity', 'null', 'undefined', '__proto__', 'constructor',
        'f'.repeat(32), 'F'.repeat(32), 'g'.repeat(32), 'f'.repeat(33), 'f'.repeat(31), `E${'a'.repeat(32)}`, `D${'0'.repeat(32)}`,
        "1'%20OR%20'1'%3D'1", '%3Cscript%3E', '%0d%0aSet-Cookie:%20x=1', '1;DROP%20TABLE%20merchants', '%F0%9F%98%80', '%C0%AE%C0%AE',
      ),
    },
    { weight: 1, arbitrary: fc.integer({ min: 129, max: 4000 }).map((n) => 'x'.repeat(n)) },
    { weight: 1, arbitrary: fc.stringMatching(/^[0-9a-f]{32}$/) },
    { weight: 1, arbitrary: fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String) },
    { weight: 1, arbitrary: fc.string({ unit: printableAscii, minLength: 1, maxLength: 40 }).map((s) => s.replace(/[/?#]/g, '_')) },
  ).filter(pathIsSafe);
}

/** Path ids for the unauthenticated runs: well-formed ones, so 401 is the only right answer. */
function plainIdArb(spec: EndpointSpec): fc.Arbitrary<string> {
  const real = spec.realIds();
  return fc.oneof(
    real.length > 0 ? fc.constantFrom(...real.map(pct)) : fc.constant('1'),
    fc.integer({ min: 1, max: 2_000_000_000 }).map(String),
    fc.stringMatching(/^[0-9a-f]{32}$/),
  );
}

// ---------------------------------------------------------------------------------------------

describe('hostile input on every endpoint (property-based)', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let port: number;
  let ports: Ports;
  let apiKey: string;
  let accountId: number;
  const pools = {
    merchants: [] as string[],
    transactions: [] as string[],
    identifiers: [] as string[],
    jobs: [] as string[],
    requests: [] as string[],
    replays: [] as string[],
    schedules: [] as string[],
    logs: [] as string[],
  };
  const sent = new Map<string, number>();
  const statuses = new Map<string, Map<number, number>>();
  const unexpected5xx: string[] = [];
  /** Endpoints whose property held over all its runs (a counterexample stops a property early). */
  const held = new Set<string>();
  const prototypeKeysBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  async function closedLoopbackPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port: p } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return p;
  }

  async function setupCall(method: string, path: string, body: unknown, token = apiKey): Promise<any> {
    const res = await h.request(method, path, { token, body });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    return res.body;
  }

  beforeAll(async () => {
    h = await startHarness({ worker: false, env: { RESEND_RATE_LIMIT_PER_MINUTE: '100000', WEBHOOK_TIMEOUT_MS: '1000' } });
    port = Number(new URL(h.api.url).port);
    expect(new URL(h.api.url).hostname).toBe('127.0.0.1');
    receiver = await startWebhookReceiver();
    ports = { receiver: Number(new URL(receiver.url).port), closed: await closedLoopbackPort() };

    const account = await setupCall('POST', '/admin/accounts', { name: 'hostile input account' }, TEST_ADMIN_TOKEN);
    accountId = account.id;
    apiKey = account.api_key;
    // Without a webhook URL: invoice resends of its payins answer at once instead of waiting for a worker.
    const quiet = await setupCall('POST', '/admin/merchants', { account_id: accountId, name: 'quiet', branch_identifier: '3003', account_number: '30030-1', webhook_url: null }, TEST_ADMIN_TOKEN);
    const loud = await setupCall('POST', '/admin/merchants', { account_id: accountId, name: 'loud', branch_identifier: '3003', account_number: '30030-2', webhook_url: `${receiver.url}/loud` }, TEST_ADMIN_TOKEN);
    pools.merchants.push(String(quiet.id), String(loud.id));

    const payin = await h.createTransaction({ merchant_id: quiet.id, kind: 'CASHIN', external_id: 'hostile-order-1', end_to_end_id: `E${'1'.repeat(32)}`, status_changed_at: '2026-04-01T10:00:00Z' });
    const payout = await h.createTransaction({ merchant_id: loud.id, kind: 'CASHOUT', external_id: 'hostile-payout-1', end_to_end_id: `D${'2'.repeat(32)}`, status_changed_at: '2026-04-01T10:30:00Z' });
    pools.transactions.push(String(payin.id), String(payout.id));
    pools.identifiers.push(String(payin.id), String(payout.id), 'hostile-order-1', 'hostile-payout-1', `E${'1'.repeat(32)}`, `D${'2'.repeat(32)}`);

    const log = await setupCall('POST', `/api/resend-webhook/${payout.id}`, undefined);
    pools.logs.push(String(log.webhookLogId));
    const job = await setupCall('POST', '/v2/payin/notifications/resend', { merchant_id: loud.id, start_time: '2026-04-01 09:00:00', end_time: '2026-04-01 12:00:00' });
    pools.jobs.push(job.job_id);
    const simpay = await setupCall('POST', '/v3/webhooks/resend', { resend_type: 'CASHOUT', object_reference_id: payout.id });
    pools.requests.push(/ID: ([0-9a-f]{32})$/.exec(simpay.detail)![1]!);
    const replay = await setupCall('POST', '/v1/replays', { merchant_id: loud.id, from: '2026-04-01T00:00:00Z', to: '2026-04-01T01:00:00Z' });
    pools.replays.push(replay.id);
    const schedule = await setupCall('POST', '/v1/replay-schedules', { merchant_id: loud.id, every_seconds: 604800 });
    pools.schedules.push(schedule.id);
  }, 60_000);

  afterAll(async () => {
    agent.destroy();
    await receiver?.close();
    await h?.close();
  });

  // Valid values at their edges (NUL, unicode, bounds, odd dates): they pass validation and reach
  // the services and PostgreSQL, where a 500 would hide.
  const realMerchant = () => fc.oneof(fc.constantFrom(...pools.merchants.map(Number)), fc.constantFrom(1, 2_147_483_647));
  const edgyName = fc
    .oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
      fc.constantFrom('a\u0000b', '\u0000', 'x'.repeat(200), '😀'.repeat(100), "Robert'); DROP TABLE merchants;--", '\ud800x', '\u202eevil', '%s%n%x', '${7*7}', '\\', '"', 'NULL'),
    )
    .filter((n) => n.trim().length > 0)
    .map(j);
  const status = fc.integer({ min: 1, max: 10 }).map(j);
  const edgyInstant = fc.oneof(
    fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => j(d.toISOString())),
    fc.constantFrom('0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00Z', '1970-01-01T00:00:00Z', '2026-05-01T00:00:00+14:00', '2026-05-01', '2026-05-01T00:00:00.123456789Z').map(j),
  );
  const edgyData = fc.oneof(
    fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map(j),
    fc.constantFrom('{"a":"\\u0000"}', '{"\\u0000":1}', '{"__proto__":{"polluted":"yes"}}', '{"constructor":{"prototype":{"polluted":"yes"}}}', '{"a":1e308}', `{"big":${'9'.repeat(400)}}`, '{"s":"\\ud800"}'),
    fc.integer({ min: 100, max: 3000 }).map((n) => `{"deep":${'['.repeat(n)}${']'.repeat(n)}}`),
    fc.integer({ min: 100, max: 2000 }).map((n) => `{"deep":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`),
  );
  const transactionBase = (withNotify = true) =>
    fc.record(
      {
        merchant_id: realMerchant().map(j),
        kind: fc.constantFrom('"CASHIN"', '"CASHOUT"'),
        status_id: status,
        amount: fc.oneof(fc.nat(), fc.constantFrom(0, Number.MAX_SAFE_INTEGER)).map(j),
        id: fc.oneof(fc.constantFrom(1, Number.MAX_SAFE_INTEGER), fc.integer({ min: 1_000_000, max: 2_000_000_000 })).map(j),
        external_id: fc.oneof(fc.stringMatching(/^[\x21-\x7e]{1,24}$/), fc.constantFrom('!'.repeat(128), "'--", '%', '\\', 'hostile-order-1')).map(j),
        end_to_end_id: fc.oneof(fc.stringMatching(/^[ED][A-Za-z0-9]{32}$/).map(j), fc.constant('null')),
        status_changed_at: edgyInstant,
        data: edgyData,
        notify: fc.constantFrom('false', 'false', 'true'),
      },
      { requiredKeys: ['merchant_id', 'kind', 'status_id', 'amount'] },
    ).map((t) => {
      if (withNotify) return t;
      const { notify: _notify, ...item } = t;
      return item;
    });
  const sqlDateTime = (d: Date) => j(d.toISOString().slice(0, 19).replace('T', ' '));
  const payinWindow = fc
    .tuple(
      fc.date({ min: new Date('2026-03-31T00:00:00Z'), max: new Date('2026-04-02T00:00:00Z'), noInvalidDate: true }),
      fc.oneof(fc.constantFrom(-1, 0, 1, 3 * 3600, 3 * 3600 + 1), fc.integer({ min: 1, max: 4 * 3600 })),
    )
    .map(([start, seconds]) => {
      const from = new Date(Math.floor(start.getTime() / 1000) * 1000);
      return { start_time: sqlDateTime(from), end_time: sqlDateTime(new Date(from.getTime() + seconds * 1000)) };
    });
  const isoRange = (maxSeconds: number) =>
    fc
      .tuple(
        fc.oneof(
          fc.date({ min: new Date('2026-03-01T00:00:00Z'), max: new Date('2026-05-01T00:00:00Z'), noInvalidDate: true }),
          fc.constantFrom(new Date('0001-01-01T00:00:00Z'), new Date('9999-12-30T00:00:00Z'), new Date('1970-01-01T00:00:00Z')),
        ),
        fc.oneof(fc.constantFrom(-1, 0, 1, 3 * 3600, maxSeconds, maxSeconds + 1), fc.integer({ min: 1, max: maxSeconds })),
        fc.constantFrom('Z', '+00:00', '-03:00', '+14:00'),
      )
      .map(([start, seconds, zone]) => {
        const iso = (d: Date) => d.toISOString().slice(0, 19) + zone;
        const shift = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 3600_000);
        return { from: j(iso(new Date(start.getTime() + shift))), to: j(iso(new Date(start.getTime() + shift + seconds * 1000))) };
      });
  const kinds = fc.constantFrom('"CASHIN"', '"CASHOUT"');
  const statusIds = fc.uniqueArray(fc.integer({ min: 2, max: 10 }), { minLength: 1, maxLength: 3 }).map(j);
  const bool = fc.constantFrom('true', 'false');

  const okBody = (name: string, wanted: Record<string, unknown>) => (res: Answer, body: Record<string, unknown>) =>
    res.status === 200 && Object.entries(wanted).every(([k, v]) => body[k] === v) ? undefined : `${name} must answer 200 ${JSON.stringify(wanted)}`;

  const endpoints: EndpointSpec[] = [
    {
      name: 'GET /healthz', method: 'GET', auth: 'none', dialect: DEFAULT_DIALECT, path: () => '/healthz', hasId: false,
      fields: [], fieldsIn: 'query', realIds: () => [], expect: okBody('/healthz', { status: 'ok' }),
    },
    {
      name: 'GET /readyz', method: 'GET', auth: 'none', dialect: DEFAULT_DIALECT, path: () => '/readyz', hasId: false,
      fields: [], fieldsIn: 'query', realIds: () => [], expect: okBody('/readyz', { status: 'ok' }),
    },
    {
      name: 'GET /metrics', method: 'GET', auth: 'none', json: false, dialect: DEFAULT_DIALECT, path: () => '/metrics', hasId: false,
      fields: ['name[]', 'format'], fieldsIn: 'query', realIds: () => [],
      expect: (res) => (res.status === 200 && /^text\/plain/.test(res.contentType) ? undefined : '/metrics must answer 200 in Prometheus text'),
    },
    {
      name: 'POST /api/resend-webhook/:identifier', method: 'POST', auth: 'client', dialect: DEFAULT_DIALECT,
      path: (id) => `/api/resend-webhook/${id}`, hasId: true, fields: ['url'], fieldsIn: 'body', realIds: () => pools.identifiers,
      documented5xx: isDocumentedWebhookFailure,
      valid: () => fc.record({ url: fc.oneof(validLoopbackUrl(ports), loopbackUrl(ports)).map(j) }, { requiredKeys: [] }),
    },
    {
      name: 'POST /invoices/resend-webhook/:id', method: 'POST', auth: 'client', dialect: INVOICE_DIALECT,
      path: (id) => `/invoices/resend-webhook/${id}`, hasId: true, fields: ['id', 'invoice_id', 'url'], fieldsIn: 'body', realIds: () => pools.transactions,
    },
    {
      name: 'POST /v3/webhooks/resend', method: 'POST', auth: 'client', dialect: SIMPAY_DIALECT, path: () => '/v3/webhooks/resend', hasId: false,
      fields: ['resend_type', 'object_reference_id', 'source_account_branch_identifier', 'source_account_number', 'start_datetime', 'end_datetime'],
      fieldsIn: 'body', realIds: () => [],
      valid: () =>
        fc.oneof(
          fc.record({
            resend_type: kinds,
            object_reference_id: fc.oneof(fc.constantFrom(...pools.transactions), fc.constantFrom(1, Number.MAX_SAFE_INTEGER).map(j)),
          }),
          fc.tuple(kinds, fc.constantFrom(['"3003"', '"30030-1"'], ['"3003"', '"30030-2"'], ['"9999"', '"1"'], ['" 3003 "', '" 30030-2 "']), isoRange(31 * 24 * 3600)).map(
            ([resendType, [branch, number], range]) => ({
              resend_type: resendType,
              source_account_branch_identifier: branch,
              source_account_number: number,
              start_datetime: range.from,
              end_datetime: range.to,
            }),
          ),
        ),
    },
    {
      name: 'GET /v3/webhooks/resend-logs', method: 'GET', auth: 'client', dialect: SIMPAY_DIALECT, path: () => '/v3/webhooks/resend-logs', hasId: false,
      fields: ['limit', 'offset'], fieldsIn: 'query', realIds: () => [],
      validQuery: () => fc.record({ limit: fc.constantFrom('1', '100', '50'), offset: fc.constantFrom('0', '1000000', '5') }, { requiredKeys: [] }),
    },
    {
      name: 'GET /v3/webhooks/resend-logs/:id', method: 'GET', auth: 'client', dialect: SIMPAY_DIALECT,
      path: (id) => `/v3/webhooks/resend-logs/${id}`, hasId: true, fields: [], fieldsIn: 'query', realIds: () => [...pools.requests, ...pools.jobs],
    },
    {
      name: 'POST /v2/payin/notifications/resend', method: 'POST', auth: 'client', dialect: DEFAULT_DIALECT, path: () => '/v2/payin/notifications/resend', hasId: false,
      fields: ['merchant_id', 'start_time', 'end_time', 'status_ids', 'dry_run'], fieldsIn: 'body', realIds: () => [],
      valid: () =>
        fc
          .tuple(realMerchant().map(j), payinWindow, fc.option(statusIds, { nil: undefined }), fc.option(bool, { nil: undefined }))
          .map(([merchant, window, ids, dry]) => ({
            merchant_id: merchant,
            ...window,
            ...(ids === undefined ? {} : { status_ids: ids }),
            ...(dry === undefined ? {} : { dry_run: dry }),
          })),
    },
    {
      name: 'GET /v2/payin/notifications/resend/:job_id', method: 'GET', auth: 'client', dialect: DEFAULT_DIALECT,
      path: (id) => `/v2/payin/notifications/resend/${id}`, hasId: true, fields: [], fieldsIn: 'query', realIds: () => pools.jobs,
    },
    {
      name: 'GET /v1/resend-jobs/:job_id', method: 'GET', auth: 'client', dialect: DEFAULT_DIALECT,
      path: (id) => `/v1/resend-jobs/${id}`, hasId: true, fields: [], fieldsIn: 'query', realIds: () => pools.jobs,
    },
    {
      name: 'POST /v1/resend-jobs/:job_id/cancel', method: 'POST', auth: 'client', dialect: DEFAULT_DIALECT,
      path: (id) => `/v1/resend-jobs/${id}/cancel`, hasId: true, fields: ['state', 'reason'], fieldsIn: 'body', realIds: () => pools.jobs,
    },
    {
      name: 'POST /v1/replays', method: 'POST', auth: 'client', dialect: DEFAULT_DIALECT, path: () => '/v1/replays', hasId: false,
      fields: ['merchant_id', 'from', 'to', 'kind', 'status_ids', 'only_failed', 'run_at', 'dry_run'], fieldsIn: 'body', realIds: () => [],
      valid: () =>
        fc
          .tuple(realMerchant().map(j), isoRange(31 * 24 * 3600), fc.option(kinds, { nil: undefined }), fc.option(statusIds, { nil: undefined }), bool, bool, fc.option(fc.integer({ min: -3600, max: 8 * 24 * 3600 }), { nil: undefined }))
          .map(([merchant, range, kind, ids, onlyFailed, dry, runIn]) => ({
            merchant_id: merchant,
            from: range.from,
            to: range.to,
            ...(kind === undefined ? {} : { kind }),
            ...(ids === undefined ? {} : { status_ids: ids }),
            only_failed: onlyFailed,
            dry_run: dry,
            ...(runIn === undefined ? {} : { run_at: j(new Date(Date.now() + runIn * 1000).toISOString()) }),
          })),
    },
    {
      name: 'GET /v1/replays/:id', method: 'GET', auth: 'client', dialect: DEFAULT_DIALECT,
      path: (id) => `/v1/replays/${id}`, hasId: true, fields: [], fieldsIn: 'query', realIds: () => [...pools.replays, ...pools.requests],
    },
    {
      name: 'POST /v1/replay-schedules', method: 'POST', auth: 'client', dialect: DEFAULT_DIALECT, path: () => '/v1/replay-schedules', hasId: false,
      fields: ['merchant_id', 'every_seconds', 'lookback_seconds', 'only_failed', 'kind'], fieldsIn: 'body', realIds: () => [],
      valid: () =>
        fc.record(
          {
            merchant_id: realMerchant().map(j),
            every_seconds: fc.oneof(fc.constantFrom(1, 3600, 604800, 604801), fc.integer({ min: 1, max: 604800 })).map(j),
            lookback_seconds: fc.oneof(fc.constantFrom(1, 2678400, 2678401), fc.integer({ min: 1, max: 2678400 })).map(j),
            only_failed: bool,
            kind: kinds,
          },
          { requiredKeys: ['merchant_id', 'every_seconds'] },
        ),
    },
    {
      name: 'GET /v1/replay-schedules', method: 'GET', auth: 'client', dialect: DEFAULT_DIALECT, path: () => '/v1/replay-schedules', hasId: false,
      fields: ['merchant_id', 'limit'], fieldsIn: 'query', realIds: () => [],
    },
    {
      name: 'DELETE /v1/replay-schedules/:id', method: 'DELETE', auth: 'client', dialect: DEFAULT_DIALECT,
      path: (id) => `/v1/replay-schedules/${id}`, hasId: true, fields: [], fieldsIn: 'query',
      realIds: () => [...pools.schedules, 'sched-', `sched-${'0'.repeat(24)}`, 'sched-*', 'sched-%2A', 'repeat:sched'],
    },
    {
      name: 'GET /v1/webhook-logs', method: 'GET', auth: 'client', dialect: DEFAULT_DIALECT, path: () => '/v1/webhook-logs', hasId: false,
      fields: ['transaction_id', 'merchant_id', 'trigger', 'outcome', 'resend_job_id', 'from', 'to', 'cursor', 'limit'], fieldsIn: 'query', realIds: () => [],
      validQuery: () =>
        fc.record(
          {
            transaction_id: fc.oneof(fc.constantFrom(...pools.transactions), fc.constantFrom('1', String(Number.MAX_SAFE_INTEGER))),
            merchant_id: fc.oneof(fc.constantFrom(...pools.merchants), fc.constantFrom('1', '2147483647')),
            trigger: fc.constantFrom('automatic', 'manual', 'bulk', 'scheduled'),
            outcome: fc.constantFrom('success', 'http_error', 'timeout', 'network_error', 'blocked'),
            resend_job_id: fc.oneof(fc.constantFrom(...pools.jobs), fc.stringMatching(/^[0-9a-f]{32}$/)),
            from: edgyInstant.map((t) => JSON.parse(t) as string),
            to: edgyInstant.map((t) => JSON.parse(t) as string),
            cursor: fc.nat().map((n) => Buffer.from(`log:${n + 1}`).toString('base64url')),
            limit: fc.constantFrom('1', '200', '50'),
          },
          { requiredKeys: [] },
        ),
      examples: () => [
        ['', '?from=%2B275760-09-13T00:00:00.000Z', { contentType: null }],
        ['', '?to=-000001-01-01T00:00:00Z', { contentType: null }],
      ],
    },
    {
      name: 'GET /v1/webhook-logs/:id', method: 'GET', auth: 'client', dialect: DEFAULT_DIALECT,
      path: (id) => `/v1/webhook-logs/${id}`, hasId: true, fields: [], fieldsIn: 'query', realIds: () => pools.logs,
    },
    {
      name: 'POST /v1/portal-sessions', method: 'POST', auth: 'client', dialect: DEFAULT_DIALECT, path: () => '/v1/portal-sessions', hasId: false,
      fields: ['merchant_id'], fieldsIn: 'body', realIds: () => [],
      valid: () => fc.record({ merchant_id: realMerchant().map(j) }),
    },
    // Admin routes come last: they may re-point or add to the client tenant's data.
    {
      name: 'POST /admin/accounts', method: 'POST', auth: 'admin', dialect: DEFAULT_DIALECT, path: () => '/admin/accounts', hasId: false,
      fields: ['name'], fieldsIn: 'body', realIds: () => [],
      valid: () => fc.record({ name: edgyName }),
    },
    {
      name: 'POST /admin/merchants', method: 'POST', auth: 'admin', dialect: DEFAULT_DIALECT, path: () => '/admin/merchants', hasId: false,
      fields: ['account_id', 'name', 'id', 'branch_identifier', 'account_number', 'webhook_url'], fieldsIn: 'body', realIds: () => [],
      valid: () =>
        fc.record(
          {
            account_id: fc.oneof(fc.constant(accountId), fc.constantFrom(1, 2_147_483_647)).map(j),
            name: edgyName,
            id: fc.oneof(fc.constantFrom(...pools.merchants.map(Number), 2_147_483_647), fc.integer({ min: 1_000, max: 2_000_000_000 })).map(j),
            branch_identifier: fc.oneof(fc.stringMatching(/^[0-9]{1,10}$/), fc.constantFrom('0', '0000000000', '9999999999', '3003')).map(j),
            account_number: fc.oneof(fc.stringMatching(/^[0-9A-Za-z-]{1,32}$/), fc.constantFrom('-', '0'.repeat(32), '30030-1')).map(j),
            webhook_url: fc.oneof(validLoopbackUrl(ports).map(j), fc.constant('null')),
          },
          { requiredKeys: ['account_id', 'name'] },
        ),
    },
    {
      name: 'PATCH /admin/merchants/:id', method: 'PATCH', auth: 'admin', dialect: DEFAULT_DIALECT,
      path: (id) => `/admin/merchants/${id}`, hasId: true, fields: ['name', 'webhook_url'], fieldsIn: 'body', realIds: () => pools.merchants,
      valid: () => fc.record({ name: edgyName, webhook_url: fc.oneof(validLoopbackUrl(ports).map(j), fc.constant('null')) }, { requiredKeys: [] }),
    },
    {
      name: 'POST /admin/transactions', method: 'POST', auth: 'admin', dialect: DEFAULT_DIALECT, path: () => '/admin/transactions', hasId: false,
      fields: ['merchant_id', 'kind', 'status_id', 'amount', 'id', 'external_id', 'end_to_end_id', 'status_changed_at', 'data', 'notify'], fieldsIn: 'body',
      realIds: () => [], valid: () => transactionBase(),
      examples: () =>
        [
          `{"merchant_id":${pools.merchants[0]},"kind":"CASHIN","status_id":3,"amount":1,"notify":false,"status_changed_at":"-000001-01-01T00:00:00Z"}`,
          `{"merchant_id":${pools.merchants[0]},"kind":"CASHIN","status_id":3,"amount":1,"notify":false,"status_changed_at":"+275760-09-13T00:00:00.000Z"}`,
          `{"merchant_id":${pools.merchants[0]},"kind":"CASHIN","status_id":3,"amount":1,"notify":false,"data":{"s":"\\ud800"}}`,
        ].map((body) => ['', '', { body, contentType: 'application/json' }]),
    },
    {
      name: 'POST /admin/transactions/batch', method: 'POST', auth: 'admin', dialect: DEFAULT_DIALECT, path: () => '/admin/transactions/batch', hasId: false,
      fields: ['transactions', 'notify'], fieldsIn: 'body', realIds: () => [],
      valid: () =>
        fc.record(
          {
            transactions: fc.array(transactionBase(false).map((t) => objText(Object.entries(t))), { minLength: 1, maxLength: 4 }).map(arrText),
            notify: bool,
          },
          { requiredKeys: ['transactions'] },
        ),
      examples: () =>
        [
          `{"notify":false,"transactions":[{"merchant_id":${pools.merchants[0]},"kind":"CASHIN","status_id":3,"amount":1,"status_changed_at":"0000-01-01T00:00:00Z"}]}`,
          `{"notify":false,"transactions":[{"merchant_id":${pools.merchants[0]},"kind":"CASHIN","status_id":3,"amount":1,"data":{"\\udc00":1}}]}`,
        ].map((body) => ['', '', { body, contentType: 'application/json' }]),
    },
    {
      name: 'PATCH /admin/transactions/:id', method: 'PATCH', auth: 'admin', dialect: DEFAULT_DIALECT,
      path: (id) => `/admin/transactions/${id}`, hasId: true, fields: ['status_id', 'status_changed_at'], fieldsIn: 'body', realIds: () => pools.transactions,
      valid: () => fc.record({ status_id: status, status_changed_at: edgyInstant }, { requiredKeys: ['status_id'] }),
      examples: () => [[pools.transactions[0]!, '', { body: '{"status_id":4,"status_changed_at":"+010000-01-01T00:00:00Z"}', contentType: 'application/json' }]],
    },
  ];

  function record(spec: EndpointSpec, res: Answer): void {
    sent.set(spec.name, (sent.get(spec.name) ?? 0) + 1);
    if (res.status >= 500 && !spec.documented5xx?.(res)) unexpected5xx.push(`${spec.name}: ${res.status} ${res.text.slice(0, 200)}`);
    const byStatus = statuses.get(spec.name) ?? new Map<number, number>();
    byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
    statuses.set(spec.name, byStatus);
  }

  function buildRequest(spec: EndpointSpec, id: string, query: string, payload: Payload, authorization: string | undefined): HostileRequest {
    const headers: Record<string, string> = {};
    if (authorization !== undefined) headers.authorization = authorization;
    if (payload.contentType !== null) headers['content-type'] = payload.contentType;
    if (payload.contentEncoding) headers['content-encoding'] = payload.contentEncoding;
    return { method: spec.method, path: `${spec.path(id)}${query}`, headers, body: payload.body };
  }

  function prototypeProblems(): string[] {
    const now = Object.getOwnPropertyNames(Object.prototype).sort();
    const probe = {} as Record<string, unknown>;
    const problems: string[] = [];
    if (JSON.stringify(now) !== JSON.stringify(prototypeKeysBefore)) problems.push(`Object.prototype changed: ${now.join(',')}`);
    if (probe.polluted !== undefined || probe.isAdmin !== undefined || probe.accountId !== undefined) problems.push('Object.prototype was polluted');
    return problems;
  }

  /** An answer with no body at all (204) is clean; anything with a body must be JSON. */
  const expectsJson = (spec: EndpointSpec, res: Answer) => spec.json !== false && !(res.status === 204 && res.text === '');

  const credentialOf = (spec: EndpointSpec): string | undefined =>
    spec.auth === 'admin' ? `Bearer ${TEST_ADMIN_TOKEN}` : spec.auth === 'client' ? `Bearer ${apiKey}` : undefined;

  /** Credentials that must not open a door: none, malformed, unknown, tampered, or the other kind. */
  function badCredentialArb(spec: EndpointSpec): fc.Arbitrary<string | undefined> {
    const tampered = fc.nat().map((i) => {
      const at = 21 + (i % 43); // inside the secret of wrk_<16 hex>_<43>
      const c = apiKey[at] === 'A' ? 'B' : 'A';
      return `Bearer ${apiKey.slice(0, at)}${c}${apiKey.slice(at + 1)}`;
    });
    const otherKind = spec.auth === 'admin' ? `Bearer ${apiKey}` : `Bearer ${TEST_ADMIN_TOKEN}`;
    return fc.oneof(
      fc.constant(undefined),
      fc.constantFrom('', 'Bearer', 'Bearer ', 'Basic Zm9vOmJhcg==', 'Token abc', 'Bearer null', 'Bearer undefined', `Bearer wrk_${'0'.repeat(16)}_${'a'.repeat(43)}`, otherKind, `Basic ${Buffer.from(`x:${TEST_ADMIN_TOKEN}`).toString('base64')}`),
      fc.string({ unit: headerSafeChar, maxLength: 600 }).map((s) => `Bearer ${s}`),
      fc.string({ unit: headerSafeChar, maxLength: 80 }),
      tampered,
      fc.constant(`Bearer ${apiKey.toUpperCase()}`),
    );
  }

  const ENDPOINT_NAMES = [
    'GET /healthz', 'GET /readyz', 'GET /metrics',
    'POST /api/resend-webhook/:identifier', 'POST /invoices/resend-webhook/:id',
    'POST /v3/webhooks/resend', 'GET /v3/webhooks/resend-logs', 'GET /v3/webhooks/resend-logs/:id',
    'POST /v2/payin/notifications/resend', 'GET /v2/payin/notifications/resend/:job_id',
    'GET /v1/resend-jobs/:job_id', 'POST /v1/resend-jobs/:job_id/cancel',
    'POST /v1/replays', 'GET /v1/replays/:id', 'POST /v1/replay-schedules', 'GET /v1/replay-schedules', 'DELETE /v1/replay-schedules/:id',
    'GET /v1/webhook-logs', 'GET /v1/webhook-logs/:id', 'POST /v1/portal-sessions',
    'POST /admin/accounts', 'POST /admin/merchants', 'PATCH /admin/merchants/:id', 'POST /admin/transactions', 'POST /admin/transactions/batch', 'PATCH /admin/transactions/:id',
  ];
  const PUBLIC = new Set(['GET /healthz', 'GET /readyz', 'GET /metrics']);
  const specNamed = (name: string): EndpointSpec => {
    const spec = endpoints.find((e) => e.name === name);
    if (!spec) throw new Error(`no spec for ${name}`);
    return spec;
  };

  it('when the endpoint table is compared with the routes the test covers, then every endpoint has exactly one spec', () => {
    expect(endpoints.map((e) => e.name).sort()).toEqual([...ENDPOINT_NAMES].sort());
    expect(endpoints.filter((e) => e.auth === 'none').map((e) => e.name).sort()).toEqual([...PUBLIC].sort());
  });

  it.each(ENDPOINT_NAMES)(
    'when %s gets generated hostile bodies, queries and path ids with valid credentials, then every answer is below 500, in JSON, and shows no stack or SQL',
    async (name) => {
      const spec = specNamed(name);
      const before = sent.get(spec.name) ?? 0;
      const idArb = spec.hasId ? oddIdArb(spec) : fc.constant('');
      await fc.assert(
        fc.asyncProperty(idArb, queryArb(spec, ports), bodyArb(spec, ports), async (id, q, payload) => {
          const req = buildRequest(spec, id, q, payload, credentialOf(spec));
          const res = await sendRaw(port, req);
          record(spec, res);
          const json = expectsJson(spec, res);
          const problems = problemsWith(req, res, json, spec.documented5xx);
          const parsed = json ? parseJsonIterative(res.text) : ({ ok: false } as const);
          const answer = (parsed.ok && parsed.value !== null && typeof parsed.value === 'object' ? parsed.value : {}) as Record<string, unknown>;
          if (spec.auth !== 'none' && res.status === 401) problems.push('valid credentials were answered 401');
          if (json && res.status >= 400 && res.status < 500) {
            const message = spec.dialect.messageOf(answer) ?? answer.message;
            if (typeof message !== 'string' || message.length === 0) problems.push('a 4xx without a message');
          }
          const extra = spec.expect?.(res, answer);
          if (extra) problems.push(extra);
          problems.push(...prototypeProblems());
          if (problems.length > 0) throw new Error(`${problems.join('; ')}\n  ${describeExchange(req, res)}`);
        }),
        { numRuns: AUTHORIZED_RUNS, endOnFailure: true, examples: spec.examples?.() ?? [] },
      );
      expect((sent.get(spec.name) ?? 0) - before).toBeGreaterThanOrEqual(AUTHORIZED_RUNS);
      held.add(spec.name);
    },
    60_000,
  );

  it.each(ENDPOINT_NAMES.filter((n) => !PUBLIC.has(n)))(
    'when %s gets generated hostile input without valid credentials, then every answer is 401 with the documented body and nothing else',
    async (name) => {
      const spec = specNamed(name);
      const before = sent.get(spec.name) ?? 0;
      const idArb = spec.hasId ? plainIdArb(spec) : fc.constant('');
      await fc.assert(
        fc.asyncProperty(idArb, queryArb(spec, ports), bodyArb(spec, ports), badCredentialArb(spec), async (id, q, payload, authorization) => {
          const req = buildRequest(spec, id, q, payload, authorization);
          const res = await sendRaw(port, req);
          record(spec, res);
          const problems = problemsWith(req, res);
          if (res.status !== 401) problems.push(`expected 401, got ${res.status}`);
          else if (JSON.stringify(JSON.parse(res.text)) !== JSON.stringify(spec.dialect.unauthorized)) {
            problems.push(`expected the ${spec.dialect.name} 401 body ${JSON.stringify(spec.dialect.unauthorized)}`);
          }
          problems.push(...prototypeProblems());
          if (problems.length > 0) throw new Error(`${problems.join('; ')}\n  ${describeExchange(req, res)}`);
        }),
        { numRuns: UNAUTHORIZED_RUNS, endOnFailure: true },
      );
      expect((sent.get(spec.name) ?? 0) - before).toBe(UNAUTHORIZED_RUNS);
    },
    60_000,
  );

  it('when the public endpoints get hostile Authorization headers along with hostile bodies and queries, then they still answer 200', async () => {
    const open = endpoints.filter((e) => e.auth === 'none');
    const before = open.reduce((n, e) => n + (sent.get(e.name) ?? 0), 0);
    const exchange = fc
      .constantFrom(...open)
      .chain((spec) => fc.tuple(fc.constant(spec), queryArb(spec, ports), bodyArb(spec, ports), fc.string({ unit: headerSafeChar, maxLength: 600 })));
    await fc.assert(
      fc.asyncProperty(exchange, async ([spec, q, payload, authorization]) => {
        const req = buildRequest(spec, '', q, payload, authorization);
        const res = await sendRaw(port, req);
        record(spec, res);
        const json = expectsJson(spec, res);
        const problems = [...problemsWith(req, res, json), ...prototypeProblems()];
        const parsed = json ? parseJsonIterative(res.text) : ({ ok: false } as const);
        const extra = spec.expect?.(res, (parsed.ok ? parsed.value : {}) as Record<string, unknown>);
        if (extra) problems.push(extra);
        if (problems.length > 0) throw new Error(`${problems.join('; ')}\n  ${describeExchange(req, res)}`);
      }),
      { numRuns: UNAUTHORIZED_RUNS * 3, endOnFailure: true },
    );
    expect(open.reduce((n, e) => n + (sent.get(e.name) ?? 0), 0) - before).toBe(UNAUTHORIZED_RUNS * 3);
  });

  it(`when every endpoint has been exercised, then at least ${MIN_TOTAL_REQUESTS} hostile requests were sent in all, at least ${AUTHORIZED_RUNS} to each endpoint, and none got an undocumented 5xx`, () => {
    const total = [...sent.values()].reduce((a, b) => a + b, 0);
    const perEndpoint = endpoints.map((e) => ({ endpoint: e.name, sent: sent.get(e.name) ?? 0, statuses: Object.fromEntries(statuses.get(e.name) ?? []) }));
    if (process.env.HOSTILE_INPUT_REPORT) process.stderr.write(`${JSON.stringify({ total, perEndpoint })}\n`);
    // The tally travels with the assertion, so a failure shows what was sent where.
    expect({ total, enough: total >= MIN_TOTAL_REQUESTS, perEndpoint }).toEqual({ total, enough: true, perEndpoint });
    expect(total).toBeGreaterThanOrEqual(MIN_TOTAL_REQUESTS);
    // A property stops at its first counterexample; the others must have had all their runs.
    for (const row of perEndpoint.filter((r) => held.has(r.endpoint))) expect(row.sent).toBeGreaterThanOrEqual(AUTHORIZED_RUNS);
    expect(ENDPOINT_NAMES.filter((n) => !held.has(n))).toEqual([]);
    // Not one 5xx but the synchronous resend's documented 502/504 for a failing merchant endpoint.
    expect(unexpected5xx).toEqual([]);
    expect(prototypeProblems()).toEqual([]);
  });

  // Huge ids the schemas accept, followed through: they must not break later requests. These run
  // last because they move the id sequences of this file's database.
  it('when a merchant is created with the largest id the API accepts (2147483647), then a merchant created afterwards without an id still gets 201', async () => {
    const top = await h.admin('POST', '/admin/merchants', { account_id: accountId, name: 'top of the id range', id: 2_147_483_647 });
    // Refusing the id, or having already given it out, would be fine too.
    expect([201, 400, 409, 422]).toContain(top.status);
    const next = await h.admin('POST', '/admin/merchants', { account_id: accountId, name: 'created after the top id' });
    expect({ status: next.status, body: next.body }).toEqual({ status: 201, body: expect.objectContaining({ id: expect.any(Number), name: 'created after the top id' }) });
  });

  it('when a transaction is created with the largest id the API accepts (2^53-1), then transactions created afterwards without an id get 201 with ids the API can address', async () => {
    const merchantId = Number(pools.merchants[1]);
    const top = await h.admin('POST', '/admin/transactions', { merchant_id: merchantId, kind: 'CASHOUT', status_id: 3, amount: 1, notify: false, id: Number.MAX_SAFE_INTEGER });
    expect([201, 400, 409, 422]).toContain(top.status);
    for (let i = 0; i < 2; i++) {
      const next = await h.admin('POST', '/admin/transactions', { merchant_id: merchantId, kind: 'CASHOUT', status_id: 3, amount: 1, notify: false });
      expect({ status: next.status, safeId: Number.isSafeInteger(next.body?.id) }).toEqual({ status: 201, safeId: true });
      const named = await h.admin('PATCH', `/admin/transactions/${next.body.id}`, { status_id: 4 });
      expect(named.status).toBe(200);
      expect(named.body.id).toBe(next.body.id);
    }
  });
});
