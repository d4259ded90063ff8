import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startWebhookReceiver, TEST_ADMIN_TOKEN, type WebhookReceiver } from '@wr/testing';
import { openApiDocument, SERVES_SUBPATHS } from '../src/docs/openapi.js';
import { startHarness, type Harness, type HttpAnswer } from './support/harness.js';
import { ensureConsoleBuilt } from './support/console-build.js';

/**
 * GET /docs (SPEC 6): the OpenAPI document is valid, names every route the running app serves
 * (and nothing it does not), and the running app's answers match the schemas it documents
 * (ajv, JSON Schema 2020-12, the dialect of OpenAPI 3.1).
 */

const doc = openApiDocument;
const addFormats = ajvFormats.default;

/** Debian's chromium, as the Bull Board test uses it (quiet flags: this machine's network is closed). */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * `SwaggerParser.validate(copy)` run by @apidevtools/swagger-parser in a plain Node process: the
 * package is CommonJS that requires an ES module (json-schema-ref-parser), which Node 20.19+
 * loads natively and jest's module registry cannot.
 */
const VALIDATE_SCRIPT = `
const SwaggerParser = require('@apidevtools/swagger-parser');
let input = '';
process.stdin.setEncoding('utf8').on('data', (c) => (input += c)).on('end', async () => {
  try {
    const api = await SwaggerParser.validate(JSON.parse(input));
    process.stdout.write(JSON.stringify({ valid: true, openapi: api.openapi, paths: Object.keys(api.paths).length }));
  } catch (err) {
    process.stdout.write(JSON.stringify({ valid: false, error: String(err && err.message) }));
  }
});`;

function swaggerParserValidate(document: unknown): Promise<{ valid: boolean; openapi?: string; paths?: number; error?: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', VALIDATE_SCRIPT], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`swagger-parser process exited ${code} with ${out.slice(0, 500)}`));
      }
    });
    child.stdin.end(JSON.stringify(document));
  });
}
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

// ---------------------------------------------------------------------------------------------
// The document, as plain JSON
// ---------------------------------------------------------------------------------------------

type Obj = Record<string, any>;

/** Follows a local `$ref` ("#/components/…") through the document. */
function deref(node: any): any {
  let current = node;
  for (let hops = 0; current && typeof current === 'object' && typeof current.$ref === 'string'; hops++) {
    if (hops > 20) throw new Error(`$ref loop at ${current.$ref}`);
    current = pointer(current.$ref);
  }
  return current;
}

function pointer(ref: string): any {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are used, got ${ref}`);
  let node: any = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === undefined || !(key in node)) throw new Error(`unresolvable $ref ${ref}`);
    node = node[key];
  }
  return node;
}

/** Documented operations as "METHOD /path/{param}" (paths marked as mounted UIs apart). */
function documentedOperations(): { operations: Set<string>; subtrees: string[] } {
  const operations = new Set<string>();
  const subtrees: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (item[SERVES_SUBPATHS] === true) subtrees.push(path);
    for (const method of METHODS) if (item[method]) operations.add(`${method.toUpperCase()} ${path}`);
  }
  return { operations, subtrees };
}

// ---------------------------------------------------------------------------------------------
// ajv, as JSON Schema 2020-12 (OpenAPI 3.1's dialect). The document's component schemas are one
// ajv schema; a schema taken from the document has its `#/components/schemas/…` refs pointed there.
// ---------------------------------------------------------------------------------------------

const COMPONENTS_ID = 'https://webhook-resend.test/components';

function pointRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(pointRefs);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' ? v.replace('#/components/schemas/', `${COMPONENTS_ID}#/$defs/`) : pointRefs(v),
    ]),
  );
}

// strict: an unknown keyword or a misplaced one fails the document; `example` is OpenAPI's own.
// (`required` inside `not`/`anyOf` naming the object's properties is how joi's key rules read.)
const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });
addFormats(ajv);
ajv.addVocabulary(['example']);
ajv.addSchema({ $id: COMPONENTS_ID, $defs: pointRefs(doc.components.schemas) as Record<string, object> });

const compiled = new Map<unknown, ValidateFunction>();
function problems(value: unknown, schema: unknown): string[] {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(pointRefs(schema) as object);
    compiled.set(schema, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '$'} ${e.message} ${JSON.stringify(e.params)}`);
}

// ---------------------------------------------------------------------------------------------
// The running app's routes, read from its Express 5 router stack
// ---------------------------------------------------------------------------------------------

interface LayerLike {
  name?: string;
  rawPath?: unknown;
  handle?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
}

interface ServedRoute {
  method: string;
  /** Express syntax, e.g. /v1/webhook-logs/:id */
  path: string;
}

/** The layers of a Router, an Express 5 app (`.router`) or an Express 4 app (`._router`). */
function innerStack(handle: unknown): LayerLike[] | undefined {
  const h = handle as { stack?: unknown; router?: { stack?: unknown }; _router?: { stack?: unknown } } | undefined;
  if (!h || (typeof h !== 'function' && typeof h !== 'object')) return undefined;
  if (Array.isArray(h.stack)) return h.stack as LayerLike[];
  if (Array.isArray(h.router?.stack)) return h.router!.stack as LayerLike[];
  if (Array.isArray(h._router?.stack)) return h._router!.stack as LayerLike[];
  return undefined;
}

function joinPath(prefix: string, path: string): string {
  const joined = `${prefix}/${path}`.replace(/\/+/g, '/');
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}

/**
 * The path(s) a layer or route is mounted on. Arrays are expanded; a RegExp has no OpenAPI form
 * and comes out as `<regexp …>`, which only a mounted UI's subtree may contain.
 */
function pathsOf(raw: unknown): string[] {
  if (typeof raw === 'string') return [raw];
  if (Array.isArray(raw)) return raw.flatMap(pathsOf);
  return [`<regexp ${String(raw)}>`];
}

/**
 * Routes (method + full path) and the paths at which plain middleware is mounted (helmet, a
 * sub-app): the latter are opaque, so the document must at least name their mount point.
 */
function servedRoutes(stack: LayerLike[], prefix = ''): { routes: ServedRoute[]; mounts: string[] } {
  const routes: ServedRoute[] = [];
  const mounts: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      for (const own of pathsOf(layer.route.path)) {
        const path = joinPath(prefix, own);
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (!on) continue;
          routes.push({ method: method === '_all' ? 'ALL' : method.toUpperCase(), path });
        }
      }
      continue;
    }
    const inner = innerStack(layer.handle);
    for (const own of pathsOf(layer.rawPath)) {
      const mountedAt = joinPath(prefix, own);
      if (inner) {
        const nested = servedRoutes(inner, mountedAt);
        routes.push(...nested.routes);
        mounts.push(...nested.mounts);
      } else if (own !== '/') {
        // Middleware mounted at a path of its own (not `router.use(fn)` for everything below).
        mounts.push(mountedAt);
      }
    }
  }
  return { routes, mounts: [...new Set(mounts)] };
}

/** Express `:param` to OpenAPI `{param}`; wildcards and optional groups have no OpenAPI form. */
function toOpenApiPath(expressPath: string): string | undefined {
  if (/[*{}()?+<>]/.test(expressPath)) return undefined;
  return expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

const under = (path: string, base: string) => path === base || path.startsWith(`${base}/`);

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('OpenAPI document (GET /docs)', () => {
  let h: Harness;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    ensureConsoleBuilt();
    h = await startHarness({ env: { WEBHOOK_TIMEOUT_MS: '500', RESEND_RATE_LIMIT_PER_MINUTE: '30' } });
    receiver = await startWebhookReceiver();
  });

  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  describe('the document', () => {
    it('is valid OpenAPI (swagger-parser validates it and resolves every $ref)', async () => {
      const result = await swaggerParserValidate(structuredClone(doc));
      expect(result).toEqual({ valid: true, openapi: '3.1.0', paths: Object.keys(doc.paths).length });
    });

    it('(the validator does reject a broken document)', async () => {
      const broken = structuredClone(doc) as Obj;
      broken.paths['/healthz'].get.responses = { '200': { content: {} } }; // a response needs a description
      broken.paths['/readyz'].get.responses['200'].content['application/json'].schema = { $ref: '#/components/schemas/Nope' };
      const result = await swaggerParserValidate(broken);
      expect(result.valid).toBe(false);
    });

    it('has unique operation ids, declares every path parameter, and gives every operation a security decision and responses', () => {
      const ids = new Map<string, string>();
      for (const [path, item] of Object.entries(doc.paths)) {
        const itemParams: Obj[] = ((item.parameters ?? []) as unknown[]).map(deref);
        for (const method of METHODS) {
          const op = item[method] as Obj | undefined;
          if (!op) continue;
          const where = `${method.toUpperCase()} ${path}`;
          expect(typeof op.operationId).toBe('string');
          expect(ids.get(op.operationId)).toBeUndefined();
          ids.set(op.operationId, where);
          expect(Array.isArray(op.security)).toBe(true);
          expect(Object.keys(op.responses ?? {}).length).toBeGreaterThan(0);
          const declared = [...itemParams, ...((op.parameters ?? []) as unknown[]).map(deref)].filter((p) => p.in === 'path').map((p) => p.name);
          const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
          expect({ where, params: declared.sort() }).toEqual({ where, params: templated.sort() });
          for (const name of Object.keys(op.security[0] ?? {})) expect(doc.components.securitySchemes[name]).toBeDefined();
        }
      }
    });

    it('(ajv does reject an answer with an undocumented field, a missing one or a wrong type)', () => {
      const schema = { $ref: '#/components/schemas/DefaultError' };
      expect(problems({ statusCode: 404, message: 'Job not found', error: 'Not Found' }, schema)).toEqual([]);
      expect(problems({ statusCode: 404, message: 'Job not found', error: 'Not Found', stack: 'at …' }, schema)).not.toEqual([]);
      expect(problems({ statusCode: 404, message: 'Job not found' }, schema)).not.toEqual([]);
      expect(problems({ statusCode: '404', message: 'Job not found', error: 'Not Found' }, schema)).not.toEqual([]);
    });

    it('has examples that match their own schemas (media types, parameters, and every schema with `examples`)', () => {
      const failures: string[] = [];
      let checked = 0;
      const visit = (node: unknown, at: string) => {
        if (!node || typeof node !== 'object') return;
        if (Array.isArray(node)) {
          node.forEach((n, i) => visit(n, `${at}[${i}]`));
          return;
        }
        const o = node as Obj;
        // Media type and parameter objects: `schema` with `example` or named `examples`.
        if (o.schema && o.example !== undefined) {
          checked++;
          failures.push(...problems(o.example, o.schema).map((p) => `${at}.example ${p}`));
        }
        if (o.schema && o.examples && !Array.isArray(o.examples)) {
          for (const [name, ex] of Object.entries(o.examples as Obj)) {
            checked++;
            failures.push(...problems(deref(ex).value, o.schema).map((p) => `${at}.examples.${name} ${p}`));
          }
        }
        // Schemas (JSON Schema 2020-12): `examples` is a list of values of the schema itself.
        if (Array.isArray(o.examples)) {
          o.examples.forEach((example: unknown, i: number) => {
            checked++;
            failures.push(...problems(example, o).map((p) => `${at}.examples[${i}] ${p}`));
          });
        }
        for (const [k, v] of Object.entries(o)) if (k !== 'example' && k !== 'examples') visit(v, `${at}.${k}`);
      };
      visit(doc.paths, 'paths');
      visit(doc.components, 'components');
      visit(doc.webhooks, 'webhooks');
      expect(failures).toEqual([]);
      expect(checked).toBeGreaterThan(50);
    });

    it('closes every answer object, so an undocumented field in a real answer fails', () => {
      const open: string[] = [];
      const visit = (schema: unknown, at: string, seen: Set<unknown>) => {
        const s = deref(schema) as Obj | undefined;
        if (!s || typeof s !== 'object' || seen.has(s)) return;
        seen.add(s);
        if (Object.keys(s.properties ?? {}).length > 0 && s.additionalProperties !== false) open.push(at);
        for (const [k, v] of Object.entries((s.properties ?? {}) as Obj)) visit(v, `${at}.${k}`, seen);
        if (s.items) visit(s.items, `${at}[]`, seen);
        for (const key of ['oneOf', 'anyOf', 'allOf']) ((s[key] ?? []) as unknown[]).forEach((sub, i) => visit(sub, `${at}<${key}${i}>`, seen));
      };
      for (const [path, item] of Object.entries(doc.paths)) {
        for (const method of METHODS) {
          for (const [status, response] of Object.entries(((item[method] as Obj | undefined)?.responses ?? {}) as Obj)) {
            for (const [type, media] of Object.entries((deref(response).content ?? {}) as Obj)) {
              visit(media.schema, `${method.toUpperCase()} ${path} ${status} ${type}`, new Set());
            }
          }
        }
      }
      expect(open).toEqual([]);
    });
  });

  describe('every route the running app serves', () => {
    function appRoutes() {
      // The request listener of the running server is the Express app itself.
      const [app] = h.api.server.listeners('request');
      const stack = innerStack(app);
      if (!stack) throw new Error('the running server is not an Express app with a router stack');
      return servedRoutes(stack);
    }

    it('finds the routes (sanity check of the enumeration)', () => {
      const { routes } = appRoutes();
      const served = routes.map((r) => `${r.method} ${r.path}`);
      expect(served).toEqual(
        expect.arrayContaining([
          'GET /healthz',
          'POST /api/resend-webhook/:identifier',
          'POST /invoices/resend-webhook/:id',
          'GET /v3/webhooks/resend-logs/:id',
          'GET /v2/payin/notifications/resend/:job_id',
          'POST /v1/resend-jobs/:job_id/cancel',
          'DELETE /v1/replay-schedules/:id',
          'PATCH /admin/transactions/:id',
          'GET /docs/openapi.json',
        ]),
      );
      expect(served.length).toBeGreaterThanOrEqual(30);
    });

    it('appears in the document with the same method', () => {
      const { operations, subtrees } = documentedOperations();
      const { routes } = appRoutes();
      const missing: string[] = [];
      for (const r of routes) {
        if (subtrees.some((s) => under(r.path, s))) continue; // a mounted UI's own pages and API
        const path = toOpenApiPath(r.path);
        if (path === undefined || !operations.has(`${r.method} ${path}`)) missing.push(`${r.method} ${r.path}`);
      }
      expect(missing).toEqual([]);
    });

    it('and the document names nothing the app does not serve', () => {
      const { operations, subtrees } = documentedOperations();
      const { routes } = appRoutes();
      const served = new Set(routes.map((r) => `${r.method} ${toOpenApiPath(r.path) ?? r.path}`));
      const extra = [...operations].filter((op) => !served.has(op) && !subtrees.some((s) => op.endsWith(` ${s}`)));
      expect(extra).toEqual([]);
    });

    it('mounts nothing at a path the document does not name', () => {
      const { subtrees } = documentedOperations();
      const documentedPaths = Object.keys(doc.paths);
      const { mounts } = appRoutes();
      const unnamed = mounts.filter((m) => !documentedPaths.includes(m) && !subtrees.some((s) => under(m, s)));
      expect(unnamed).toEqual([]);
    });
  });

  describe('served at /docs', () => {
    it.each(['/docs', '/docs/'])('GET %s answers the Swagger UI page', async (path) => {
      const res = await h.request('GET', path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.text).toContain('id="swagger-ui"');
      expect(res.text).toContain('swagger-ui-bundle.js');
      // Assets are relative to /docs/ whether or not the URL ends with a slash.
      expect(res.text).toContain('<base href="/docs/">');
    });

    it('GET /docs/openapi.json answers the document', async () => {
      const res = await h.request('GET', '/docs/openapi.json');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.body).toEqual(JSON.parse(JSON.stringify(doc)));
    });

    it('renders every operation in a browser, from /docs without a trailing slash', async () => {
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (err) => errors.push(err.message));
        page.on('response', (r) => {
          if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
        });
        await page.goto(`${h.api.url}/docs`);
        await page.waitForSelector('.opblock', { timeout: 15_000 });
        const title = await page.textContent('.info .title');
        expect(title).toContain(String(doc.info.title));
        // One block per operation, and one per webhook the service sends.
        const rendered = await page.$$eval('.opblock', (els) => els.length);
        expect(rendered).toBe(documentedOperations().operations.size + Object.keys(doc.webhooks).length);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    });

    it('serves the page assets, with the init script bound to this document, and not the demo files', async () => {
      const bundle = await h.request('GET', '/docs/swagger-ui-bundle.js');
      expect(bundle.status).toBe(200);
      expect(bundle.headers.get('content-type')).toMatch(/javascript/);
      const css = await h.request('GET', '/docs/swagger-ui.css');
      expect(css.status).toBe(200);
      const init = await h.request('GET', '/docs/swagger-ui-init.js');
      expect(init.status).toBe(200);
      expect(init.text).toContain(String(doc.info.title));
      for (const demo of ['/docs/index.html', '/docs/swagger-initializer.js', '/docs/package.json']) {
        expect((await h.request('GET', demo)).status).toBe(404);
      }
    });
  });

  describe("the running app's answers match the documented responses", () => {
    const exercised = new Set<string>();
    const failures: string[] = [];

    /**
     * Calls the app and checks the answer against the document: the status is documented for the
     * operation, the content type is the documented one, the JSON body matches its schema (ajv)
     * and required headers are present; and a request body the app accepted matches the
     * documented request schema. `expectStatus` guards the scenario itself.
     */
    async function call(
      method: string,
      template: string,
      options: { path?: string; token?: string; body?: unknown; headers?: Record<string, string>; expectStatus: number },
    ): Promise<HttpAnswer> {
      const res = await h.request(method, options.path ?? template, options);
      const where = `${method} ${options.path ?? template} -> ${res.status}`;
      expect({ where, status: res.status }).toEqual({ where, status: options.expectStatus });
      const op = doc.paths[template]?.[method.toLowerCase()] as Obj | undefined;
      if (!op) throw new Error(`${method} ${template} is not in the document`);
      exercised.add(`${method} ${template}`);
      // A body the app accepted is one its documented request schema (the route's joi schema) accepts.
      const requestSchema = deref(op.requestBody)?.content?.['application/json']?.schema;
      if (res.status < 300 && requestSchema && options.body !== undefined && typeof options.body !== 'string') {
        failures.push(...problems(options.body, requestSchema).map((p) => `${where}: the request body ${p}`));
      }
      const response = deref(op.responses[String(res.status)]);
      if (!response) {
        failures.push(`${where}: status not documented (${res.text.slice(0, 200)})`);
        return res;
      }
      for (const [name, header] of Object.entries((response.headers ?? {}) as Obj)) {
        if (deref(header).required && !res.headers.has(name)) failures.push(`${where}: header ${name} missing`);
      }
      const content = (response.content ?? {}) as Obj;
      const mediaTypes = Object.keys(content);
      if (mediaTypes.length === 0) {
        if (res.text !== '') failures.push(`${where}: a body where none is documented`);
        return res;
      }
      const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
      if (!mediaTypes.includes(contentType)) {
        failures.push(`${where}: content type ${contentType}, documented ${mediaTypes.join(', ')}`);
        return res;
      }
      if (contentType === 'application/json') {
        failures.push(...problems(res.body, content[contentType].schema).map((p) => `${where}: ${p} in ${res.text.slice(0, 300)}`));
      }
      return res;
    }

    const T0 = '2026-05-01T10:00:00.000Z';
    let apiKey = '';
    let otherKey = '';
    let merchantId = 0;
    let silentMerchantId = 0;
    let otherMerchantId = 0;
    let payinId = 0;
    let payoutId = 0;
    let silentPayinId = 0;
    let webhookLogId = 0;
    let payinJobId = '';
    const ACCOUNT_NUMBER = `99${Date.now() % 1_000_000}`;

    it('health, readiness, metrics and the document', async () => {
      await call('GET', '/healthz', { expectStatus: 200 });
      await call('GET', '/readyz', { expectStatus: 200 });
      await call('GET', '/metrics', { expectStatus: 200 });
      await call('GET', '/docs', { expectStatus: 200 });
      await call('GET', '/docs/openapi.json', { expectStatus: 200 });
    });

    it('Bull Board (HTTP Basic, any user, ADMIN_TOKEN as password)', async () => {
      const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`ops:${password}`).toString('base64')}` });
      await call('GET', '/admin/queues', { expectStatus: 401 });
      await call('GET', '/admin/queues', { headers: basic('wrong-password'), expectStatus: 401 });
      await call('GET', '/admin/queues', { token: TEST_ADMIN_TOKEN, expectStatus: 401 });
      await call('GET', '/admin/queues', { headers: basic(TEST_ADMIN_TOKEN), expectStatus: 200 });
    });

    it('the delivery console page (its own pages and JSON beneath /console are not described)', async () => {
      await call('GET', '/console', { expectStatus: 200 });
    });

    it('admin: accounts, merchants, transactions', async () => {
      const admin = { token: TEST_ADMIN_TOKEN };
      const account = await call('POST', '/admin/accounts', { ...admin, body: { name: 'Docs Co' }, expectStatus: 201 });
      apiKey = account.body.api_key;
      const other = await call('POST', '/admin/accounts', { ...admin, body: { name: 'Other Co' }, expectStatus: 201 });
      otherKey = other.body.api_key;
      await call('POST', '/admin/accounts', { body: { name: 'x' }, expectStatus: 401 });
      await call('POST', '/admin/accounts', { ...admin, body: {}, expectStatus: 400 });
      await call('POST', '/admin/accounts', { ...admin, body: '{"name":', expectStatus: 400 });
      await call('POST', '/admin/accounts', { ...admin, body: { name: 'x'.repeat(40_000) }, expectStatus: 413 });

      const merchant = await call('POST', '/admin/merchants', {
        ...admin,
        body: { account_id: account.body.id, name: 'Shop', branch_identifier: '0001', account_number: ACCOUNT_NUMBER, webhook_url: `${receiver.url}/hooks` },
        expectStatus: 201,
      });
      merchantId = merchant.body.id;
      await call('POST', '/admin/merchants', {
        ...admin,
        body: { account_id: account.body.id, name: 'Twin', branch_identifier: '0001', account_number: ACCOUNT_NUMBER },
        expectStatus: 409,
      });
      await call('POST', '/admin/merchants', { ...admin, body: { account_id: 2_000_000_000, name: 'Nobody' }, expectStatus: 422 });
      await call('POST', '/admin/merchants', { ...admin, body: { account_id: account.body.id }, expectStatus: 400 });
      silentMerchantId = (await call('POST', '/admin/merchants', { ...admin, body: { account_id: account.body.id, name: 'No URL' }, expectStatus: 201 })).body.id;
      otherMerchantId = (
        await call('POST', '/admin/merchants', { ...admin, body: { account_id: other.body.id, name: 'Theirs', webhook_url: receiver.url }, expectStatus: 201 })
      ).body.id;

      await call('PATCH', '/admin/merchants/{id}', { ...admin, path: `/admin/merchants/${merchantId}`, body: { name: 'Shop 2' }, expectStatus: 200 });
      await call('PATCH', '/admin/merchants/{id}', { ...admin, path: '/admin/merchants/2147483647', body: { name: 'x' }, expectStatus: 404 });
      await call('PATCH', '/admin/merchants/{id}', { ...admin, path: `/admin/merchants/${merchantId}`, body: {}, expectStatus: 400 });

      const tx = (fields: Obj) => ({ merchant_id: merchantId, kind: 'CASHIN', status_id: 3, amount: 1500, notify: false, status_changed_at: T0, ...fields });
      payinId = (await call('POST', '/admin/transactions', { ...admin, body: tx({ external_id: 'order-1', data: { sku: 'A1' } }), expectStatus: 201 })).body.id;
      await call('POST', '/admin/transactions', { ...admin, body: tx({ external_id: 'order-1' }), expectStatus: 409 });
      await call('POST', '/admin/transactions', { ...admin, body: tx({ merchant_id: 2_000_000_000 }), expectStatus: 422 });
      await call('POST', '/admin/transactions', { ...admin, body: tx({ kind: 'PIX' }), expectStatus: 400 });
      silentPayinId = (await call('POST', '/admin/transactions', { ...admin, body: tx({ merchant_id: silentMerchantId, external_id: 'dup' }), expectStatus: 201 })).body.id;
      await call('POST', '/admin/transactions', { ...admin, body: tx({ external_id: 'dup' }), expectStatus: 201 });

      const batch = await call('POST', '/admin/transactions/batch', {
        ...admin,
        body: {
          notify: false,
          transactions: [
            { merchant_id: merchantId, kind: 'CASHIN', status_id: 4, amount: 10, status_changed_at: '2026-05-01T10:30:00Z' },
            { merchant_id: merchantId, kind: 'CASHOUT', status_id: 8, amount: 20, status_changed_at: '2026-05-01T11:00:00Z', end_to_end_id: `E${'1'.repeat(32)}` },
          ],
        },
        expectStatus: 201,
      });
      payoutId = batch.body.ids[1];
      await call('POST', '/admin/transactions/batch', { ...admin, body: { transactions: [] }, expectStatus: 400 });
      await call('POST', '/admin/transactions/batch', {
        ...admin,
        body: { transactions: [{ merchant_id: 2_000_000_000, kind: 'CASHIN', status_id: 3, amount: 1 }] },
        expectStatus: 422,
      });
      await call('POST', '/admin/transactions/batch', {
        ...admin,
        body: { transactions: [{ merchant_id: merchantId, kind: 'CASHIN', status_id: 3, amount: 1, external_id: 'order-1' }] },
        expectStatus: 409,
      });

      await call('PATCH', '/admin/transactions/{id}', { ...admin, path: `/admin/transactions/${payinId}`, body: { status_id: 3 }, expectStatus: 200 });
      await call('PATCH', '/admin/transactions/{id}', { ...admin, path: '/admin/transactions/999999999', body: { status_id: 3 }, expectStatus: 404 });
      await call('PATCH', '/admin/transactions/{id}', { ...admin, path: `/admin/transactions/${payinId}`, body: { status_id: 11 }, expectStatus: 400 });
    });

    it('admin: reads, lists with cursors, API keys and bank accounts', async () => {
      const admin = { token: TEST_ADMIN_TOKEN };
      const accounts = await call('GET', '/admin/accounts', { ...admin, path: '/admin/accounts?limit=1', expectStatus: 200 });
      expect(accounts.body.next_cursor).not.toBeNull();
      await call('GET', '/admin/accounts', { ...admin, path: `/admin/accounts?limit=1&cursor=${accounts.body.next_cursor}`, expectStatus: 200 });
      await call('GET', '/admin/accounts', { ...admin, path: '/admin/accounts?limit=201', expectStatus: 400 });
      await call('GET', '/admin/accounts', { ...admin, path: '/admin/accounts?cursor=nope', expectStatus: 400 });
      await call('GET', '/admin/accounts', { expectStatus: 401 });
      const accountId = accounts.body.data[0].id;
      await call('GET', '/admin/accounts/{id}', { ...admin, path: `/admin/accounts/${accountId}`, expectStatus: 200 });
      await call('GET', '/admin/accounts/{id}', { ...admin, path: '/admin/accounts/2147483647', expectStatus: 404 });

      const keys = '/admin/accounts/{id}/api-keys';
      const issued = await call('POST', keys, { ...admin, path: `/admin/accounts/${accountId}/api-keys`, expectStatus: 201 });
      await call('POST', keys, { ...admin, path: '/admin/accounts/2147483647/api-keys', expectStatus: 404 });
      await call('GET', keys, { ...admin, path: `/admin/accounts/${accountId}/api-keys`, expectStatus: 200 });
      await call('GET', keys, { ...admin, path: '/admin/accounts/2147483647/api-keys', expectStatus: 404 });
      await call('DELETE', '/admin/api-keys/{id}', { ...admin, path: `/admin/api-keys/${issued.body.id}`, expectStatus: 204 });
      await call('DELETE', '/admin/api-keys/{id}', { ...admin, path: `/admin/api-keys/${issued.body.id}`, expectStatus: 204 });
      await call('DELETE', '/admin/api-keys/{id}', { ...admin, path: '/admin/api-keys/0000000000000000', expectStatus: 404 });
      await call('DELETE', '/admin/api-keys/{id}', { path: `/admin/api-keys/${issued.body.id}`, expectStatus: 401 });

      const merchants = await call('GET', '/admin/merchants', { ...admin, path: `/admin/merchants?account_id=${accountId}&limit=1`, expectStatus: 200 });
      expect(merchants.body.data).toHaveLength(1);
      await call('GET', '/admin/merchants', { ...admin, path: '/admin/merchants?account_id=x', expectStatus: 400 });
      await call('GET', '/admin/merchants/{id}', { ...admin, path: `/admin/merchants/${merchantId}`, expectStatus: 200 });
      await call('GET', '/admin/merchants/{id}', { ...admin, path: '/admin/merchants/2147483647', expectStatus: 404 });
      const m = '/admin/merchants/{id}';
      const silent = `/admin/merchants/${silentMerchantId}`;
      await call('PATCH', m, { ...admin, path: silent, body: { branch_identifier: '0002', account_number: ACCOUNT_NUMBER }, expectStatus: 200 });
      await call('PATCH', m, { ...admin, path: silent, body: { branch_identifier: '0001', account_number: ACCOUNT_NUMBER }, expectStatus: 409 });
      await call('PATCH', m, { ...admin, path: silent, body: { branch_identifier: null, account_number: ACCOUNT_NUMBER }, expectStatus: 400 });
      await call('PATCH', m, { ...admin, path: silent, body: { branch_identifier: null, account_number: null }, expectStatus: 200 });

      const txs = await call('GET', '/admin/transactions', { ...admin, path: `/admin/transactions?merchant_id=${merchantId}&limit=2`, expectStatus: 200 });
      expect(txs.body.next_cursor).not.toBeNull();
      await call('GET', '/admin/transactions', { ...admin, path: `/admin/transactions?merchant_id=${merchantId}&cursor=${txs.body.next_cursor}`, expectStatus: 200 });
      await call('GET', '/admin/transactions', { ...admin, path: '/admin/transactions', expectStatus: 400 });
      await call('GET', '/admin/transactions/{id}', { ...admin, path: `/admin/transactions/${payinId}`, expectStatus: 200 });
      await call('GET', '/admin/transactions/{id}', { ...admin, path: '/admin/transactions/999999999', expectStatus: 404 });
    });

    it('synchronous resend (Avista contract)', async () => {
      const t = '/api/resend-webhook/{identifier}';
      receiver.respondWith({ status: 200 });
      const ok = await call('POST', t, { path: '/api/resend-webhook/order-1', token: apiKey, expectStatus: 200 });
      webhookLogId = ok.body.webhookLogId;
      await call('POST', t, { path: `/api/resend-webhook/${payinId}`, token: apiKey, body: { url: `${receiver.url}/backup` }, expectStatus: 200 });
      await call('POST', t, { path: '/api/resend-webhook/order-1', expectStatus: 401 });
      await call('POST', t, { path: '/api/resend-webhook/no-such-order', token: apiKey, expectStatus: 404 });
      await call('POST', t, { path: `/api/resend-webhook/${silentPayinId}`, token: apiKey, expectStatus: 400 });
      await call('POST', t, { path: '/api/resend-webhook/order-1', token: apiKey, body: { url: 'not a url' }, expectStatus: 400 });
      await call('POST', t, { path: '/api/resend-webhook/order-1', token: apiKey, body: '{"url":', expectStatus: 400 });
      await call('POST', t, { path: '/api/resend-webhook/dup', token: apiKey, expectStatus: 409 });
      await call('POST', t, { path: '/api/resend-webhook/order-1', token: apiKey, body: { url: `${receiver.url}/${'x'.repeat(9000)}` }, expectStatus: 413 });
      receiver.respondWith({ status: 500 });
      await call('POST', t, { path: '/api/resend-webhook/order-1', token: apiKey, expectStatus: 502 });
      receiver.respondWith({ status: 200, delayMs: 1500 });
      await call('POST', t, { path: '/api/resend-webhook/order-1', token: apiKey, expectStatus: 504 });
      receiver.respondWith({ status: 200 });

      // The other account spends its 30 calls a minute (unknown ids count too).
      for (let i = 0; i < 30; i++) await call('POST', t, { path: '/api/resend-webhook/nothing', token: otherKey, expectStatus: 404 });
      await call('POST', t, { path: '/api/resend-webhook/nothing', token: otherKey, expectStatus: 429 });
    });

    it('invoice resend (gates2b contract)', async () => {
      const t = '/invoices/resend-webhook/{id}';
      // No worker runs here: the first attempt never comes, so the answer is `pending`.
      await call('POST', t, { path: `/invoices/resend-webhook/${payinId}`, token: apiKey, expectStatus: 200 });
      await call('POST', t, { path: `/invoices/resend-webhook/${payinId}`, expectStatus: 401 });
      await call('POST', t, { path: '/invoices/resend-webhook/999999999', token: apiKey, expectStatus: 404 });
      await call('POST', t, { path: `/invoices/resend-webhook/${payoutId}`, token: apiKey, expectStatus: 404 });
      await call('POST', t, { path: `/invoices/resend-webhook/${silentPayinId}`, token: apiKey, expectStatus: 400 });
    });

    it('webhook resend (SimPay contract)', async () => {
      const t = '/v3/webhooks/resend';
      const created = await call('POST', t, { token: apiKey, body: { resend_type: 'CASHIN', object_reference_id: payinId }, expectStatus: 200 });
      const requestId = /ID: ([0-9a-f]{32})$/.exec(created.body.detail)![1]!;
      const range = {
        resend_type: 'CASHIN',
        source_account_branch_identifier: '0001',
        source_account_number: ACCOUNT_NUMBER,
        start_datetime: '2026-05-01T09:00:00Z',
        end_datetime: '2026-05-01T15:00:00Z',
      };
      await call('POST', t, { token: apiKey, body: range, expectStatus: 200 });
      await call('POST', t, { token: apiKey, body: range, expectStatus: 409 });
      await call('POST', t, { token: apiKey, body: { resend_type: 'CASHIN', object_reference_id: 999999999 }, expectStatus: 400 });
      await call('POST', t, { token: apiKey, body: { resend_type: 'CASHOUT', object_reference_id: payinId }, expectStatus: 400 });
      await call('POST', t, { token: apiKey, body: { ...range, source_account_number: '000' }, expectStatus: 400 });
      await call('POST', t, { token: apiKey, body: '{', expectStatus: 400 });
      await call('POST', t, { token: apiKey, body: { resend_type: 'CASHIN' }, expectStatus: 422 });
      await call('POST', t, { token: apiKey, body: { resend_type: 'CASHIN', start_datetime: '2026-05-01T09:00:00Z' }, expectStatus: 422 });
      await call('POST', t, { token: apiKey, body: { resend_type: 'CASHIN', object_reference_id: 1, pad: 'x'.repeat(9000) }, expectStatus: 413 });
      await call('POST', t, { body: range, expectStatus: 401 });

      await call('GET', '/v3/webhooks/resend-logs', { token: apiKey, expectStatus: 200 });
      await call('GET', '/v3/webhooks/resend-logs', { path: '/v3/webhooks/resend-logs?limit=500', token: apiKey, expectStatus: 422 });
      await call('GET', '/v3/webhooks/resend-logs', { expectStatus: 401 });
      const one = await call('GET', '/v3/webhooks/resend-logs/{id}', { path: `/v3/webhooks/resend-logs/${requestId}`, token: apiKey, expectStatus: 200 });
      expect(one.body.data.object_reference_id).toBe(payinId);
      await call('GET', '/v3/webhooks/resend-logs/{id}', { path: `/v3/webhooks/resend-logs/${'0'.repeat(32)}`, token: apiKey, expectStatus: 404 });
      await call('GET', '/v3/webhooks/resend-logs/{id}', { path: `/v3/webhooks/resend-logs/${requestId}`, token: otherKey, expectStatus: 404 });
    });

    it('payin bulk resend and job status (WePayout contract)', async () => {
      const t = '/v2/payin/notifications/resend';
      const body = { merchant_id: merchantId, start_time: '2026-05-02 08:00:00', end_time: '2026-05-02 11:00:00' };
      const dry = await call('POST', t, { token: apiKey, body: { ...body, dry_run: true }, expectStatus: 200 });
      expect(dry.body.job_id).toBeNull();
      payinJobId = (await call('POST', t, { token: apiKey, body: { ...body, status_ids: [3, 4] }, expectStatus: 200 })).body.job_id;
      await call('POST', t, { token: apiKey, body, expectStatus: 409 });
      await call('POST', t, { token: apiKey, body: { ...body, end_time: '2026-05-02 12:00:01' }, expectStatus: 422 });
      await call('POST', t, { token: apiKey, body: { ...body, merchant_id: otherMerchantId }, expectStatus: 404 });
      await call('POST', t, { token: apiKey, body: '[', expectStatus: 400 });
      await call('POST', t, { token: apiKey, body: { ...body, pad: 'x'.repeat(9000) }, expectStatus: 413 });
      await call('POST', t, { body, expectStatus: 401 });

      const status = '/v2/payin/notifications/resend/{job_id}';
      await call('GET', status, { path: `${t}/${payinJobId}`, token: apiKey, expectStatus: 200 });
      await call('GET', status, { path: `${t}/${'f'.repeat(32)}`, token: apiKey, expectStatus: 404 });
      await call('GET', status, { path: `${t}/${payinJobId}`, token: otherKey, expectStatus: 404 });
      await call('GET', status, { path: `${t}/${payinJobId}`, expectStatus: 401 });
    });

    it('bulk jobs, replays and recurring replays (v1)', async () => {
      await call('GET', '/v1/resend-jobs/{job_id}', { path: `/v1/resend-jobs/${payinJobId}`, token: apiKey, expectStatus: 200 });
      await call('GET', '/v1/resend-jobs/{job_id}', { path: '/v1/resend-jobs/nope', token: apiKey, expectStatus: 404 });
      await call('GET', '/v1/resend-jobs/{job_id}', { path: `/v1/resend-jobs/${payinJobId}`, expectStatus: 401 });
      const cancel = '/v1/resend-jobs/{job_id}/cancel';
      const cancelled = await call('POST', cancel, { path: `/v1/resend-jobs/${payinJobId}/cancel`, token: apiKey, expectStatus: 200 });
      expect(cancelled.body.state).toBe('cancelled');
      await call('POST', cancel, { path: `/v1/resend-jobs/${payinJobId}/cancel`, token: apiKey, expectStatus: 409 });
      await call('POST', cancel, { path: `/v1/resend-jobs/${payinJobId}/cancel`, token: otherKey, expectStatus: 404 });

      const replay = { merchant_id: merchantId, from: '2026-05-03T00:00:00Z', to: '2026-05-03T07:00:00Z' };
      const dry = await call('POST', '/v1/replays', { token: apiKey, body: { ...replay, dry_run: true }, expectStatus: 200 });
      expect(dry.body.id).toBeNull();
      const created = await call('POST', '/v1/replays', { token: apiKey, body: { ...replay, only_failed: true, kind: 'CASHIN' }, expectStatus: 201 });
      expect(created.body.jobs).toBe(3);
      await call('POST', '/v1/replays', { token: apiKey, body: { ...replay, only_failed: true, kind: 'CASHIN' }, expectStatus: 409 });
      await call('POST', '/v1/replays', { token: apiKey, body: { ...replay, to: replay.from }, expectStatus: 422 });
      await call('POST', '/v1/replays', { token: apiKey, body: { ...replay, merchant_id: otherMerchantId }, expectStatus: 404 });
      await call('POST', '/v1/replays', { token: apiKey, body: { ...replay, merchant_id: silentMerchantId }, expectStatus: 422 });
      await call('POST', '/v1/replays', { token: apiKey, body: '{"merchant_id"', expectStatus: 400 });
      await call('POST', '/v1/replays', { body: replay, expectStatus: 401 });
      await call('GET', '/v1/replays/{id}', { path: `/v1/replays/${created.body.id}`, token: apiKey, expectStatus: 200 });
      await call('GET', '/v1/replays/{id}', { path: `/v1/replays/${created.body.id}`, token: otherKey, expectStatus: 404 });

      const schedule = await call('POST', '/v1/replay-schedules', { token: apiKey, body: { merchant_id: merchantId, every_seconds: 3600 }, expectStatus: 201 });
      await call('POST', '/v1/replay-schedules', { token: apiKey, body: { merchant_id: merchantId }, expectStatus: 422 });
      await call('POST', '/v1/replay-schedules', { token: apiKey, body: { merchant_id: silentMerchantId, every_seconds: 60 }, expectStatus: 422 });
      await call('POST', '/v1/replay-schedules', { token: apiKey, body: { merchant_id: otherMerchantId, every_seconds: 60 }, expectStatus: 404 });
      await call('POST', '/v1/replay-schedules', { token: apiKey, body: '{', expectStatus: 400 });
      const list = await call('GET', '/v1/replay-schedules', { token: apiKey, expectStatus: 200 });
      expect(list.body.data).toHaveLength(1);
      await call('GET', '/v1/replay-schedules', { expectStatus: 401 });
      const one = '/v1/replay-schedules/{id}';
      await call('DELETE', one, { path: `/v1/replay-schedules/${schedule.body.id}`, token: otherKey, expectStatus: 404 });
      await call('DELETE', one, { path: `/v1/replay-schedules/${schedule.body.id}`, token: apiKey, expectStatus: 204 });
      await call('DELETE', one, { path: `/v1/replay-schedules/${schedule.body.id}`, token: apiKey, expectStatus: 404 });
    });

    it('audit trail (v1)', async () => {
      const page = await call('GET', '/v1/webhook-logs', { path: '/v1/webhook-logs?limit=2', token: apiKey, expectStatus: 200 });
      expect(page.body.next_cursor).not.toBeNull();
      await call('GET', '/v1/webhook-logs', { path: `/v1/webhook-logs?limit=2&cursor=${page.body.next_cursor}&trigger=manual`, token: apiKey, expectStatus: 200 });
      await call('GET', '/v1/webhook-logs', { path: '/v1/webhook-logs?outcome=maybe', token: apiKey, expectStatus: 400 });
      await call('GET', '/v1/webhook-logs', { expectStatus: 401 });
      await call('GET', '/v1/webhook-logs/{id}', { path: `/v1/webhook-logs/${webhookLogId}`, token: apiKey, expectStatus: 200 });
      await call('GET', '/v1/webhook-logs/{id}', { path: `/v1/webhook-logs/${webhookLogId}`, token: otherKey, expectStatus: 404 });
    });

    it('webhook secret rotation (v1)', async () => {
      const t = '/v1/merchants/{id}/webhook-secret/rotate';
      const path = `/v1/merchants/${merchantId}/webhook-secret/rotate`;
      const rotated = await call('POST', t, { path, token: apiKey, body: { overlap_seconds: 60 }, expectStatus: 200 });
      expect(rotated.body.previous_secret_expires_at).not.toBeNull();
      await call('POST', t, { path, token: apiKey, expectStatus: 200 });
      await call('POST', t, { path, token: apiKey, body: { overlap_seconds: 0 }, expectStatus: 200 });
      await call('POST', t, { path, token: apiKey, body: { overlap_seconds: -1 }, expectStatus: 400 });
      await call('POST', t, { path, token: apiKey, body: '{"overlap_seconds":', expectStatus: 400 });
      await call('POST', t, { path, token: apiKey, body: { pad: 'x'.repeat(9000) }, expectStatus: 413 });
      await call('POST', t, { path: `/v1/merchants/${otherMerchantId}/webhook-secret/rotate`, token: apiKey, expectStatus: 404 });
      await call('POST', t, { path, expectStatus: 401 });
    });

    it('delivery console links (v1)', async () => {
      const t = '/v1/portal-sessions';
      const link = await call('POST', t, { token: apiKey, body: { merchant_id: merchantId }, expectStatus: 201 });
      expect(link.body.url).toMatch(/\/console\/sign-in#token=wrl_/);
      await call('POST', t, { token: apiKey, body: { merchant_id: otherMerchantId }, expectStatus: 404 });
      await call('POST', t, { token: apiKey, body: {}, expectStatus: 400 });
      await call('POST', t, { token: apiKey, body: '{"merchant_id":', expectStatus: 400 });
      await call('POST', t, { token: apiKey, body: { merchant_id: merchantId, pad: 'x'.repeat(9000) }, expectStatus: 413 });
      await call('POST', t, { body: { merchant_id: merchantId }, expectStatus: 401 });
    });

    it('endpoint health (v1)', async () => {
      const base = `/v1/merchants/${merchantId}`;
      await call('GET', '/v1/merchants/{id}/endpoint', { path: `${base}/endpoint`, token: apiKey, expectStatus: 200 });
      await call('GET', '/v1/merchants/{id}/endpoint', { path: `/v1/merchants/${otherMerchantId}/endpoint`, token: apiKey, expectStatus: 404 });
      const incidents = '/v1/merchants/{id}/incidents';
      await call('GET', incidents, { path: `${base}/incidents?limit=5`, token: apiKey, expectStatus: 200 });
      await call('GET', incidents, { path: `${base}/incidents?cursor=nope`, token: apiKey, expectStatus: 400 });
      await call('GET', incidents, { path: `/v1/merchants/${otherMerchantId}/incidents`, token: apiKey, expectStatus: 404 });
      const enable = '/v1/merchants/{id}/endpoint/enable';
      await call('POST', enable, { path: `${base}/endpoint/enable`, token: apiKey, body: { since: '2026-11-01T00:00:00Z' }, expectStatus: 200 });
      await call('POST', enable, { path: `${base}/endpoint/enable`, token: apiKey, body: { since: 'soon' }, expectStatus: 400 });
      await call('POST', enable, { path: `${base}/endpoint/enable`, token: apiKey, body: { pad: 'x'.repeat(9000) }, expectStatus: 413 });
      await call('POST', enable, { path: `/v1/merchants/${otherMerchantId}/endpoint/enable`, token: apiKey, expectStatus: 404 });
    });

    it('every answer above matched its documented status, content type, headers and schema', () => {
      expect(failures).toEqual([]);
    });

    it('every documented operation was exercised', () => {
      const { operations } = documentedOperations();
      expect([...operations].filter((op) => !exercised.has(op))).toEqual([]);
    });
  });
});
