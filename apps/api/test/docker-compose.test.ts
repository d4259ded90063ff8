import { beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { configSchema } from '@wr/config';
import { WORKER_NODE_FLAGS } from '@wr/testing';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

const APP_SERVICES = ['migrate', 'api', 'worker'] as const;
const BUILD_OUTPUTS = ['apps/api/dist/main.js', 'apps/worker/dist/main.js', 'libs/db/dist/migrate.main.js'];

interface KeyDescription {
  flags?: { default?: unknown; presence?: string };
}
const schemaKeys = (configSchema.describe() as { keys: Record<string, KeyDescription> }).keys;
const CONFIG_VARIABLES = Object.keys(schemaKeys);
const REQUIRED_VARIABLES = CONFIG_VARIABLES.filter((k) => schemaKeys[k]!.flags?.presence === 'required');
const defaultOf = (name: string): string | undefined => {
  const d = schemaKeys[name]!.flags?.default;
  return d === undefined ? undefined : String(d);
};

/** `environment:` as a map, whether compose has it as a map or as a `KEY=value` list. */
function environmentOf(service: any): Record<string, string> {
  const env = service?.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((entry: string) => [entry.split('=')[0]!, entry.slice(entry.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/**
 * Compose's interpolation as `docker compose` does it with an empty shell: `${X:-d}` gives `d`;
 * `${X:?msg}` (must come from the shell) gives what an operator sets, here `required[X]`.
 */
function interpolate(value: string, required: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?\}/g, (_m, name: string, op: string | undefined, arg: string | undefined) => {
    if (op?.endsWith('-')) return arg ?? '';
    if (op?.endsWith('?')) {
      if (!(name in required)) throw new Error(`${name} must be set in the shell: ${arg}`);
      return required[name]!;
    }
    return '';
  });
}

/** `KEY=value` lines of a dotenv file; comments and blank lines skipped. */
function parseDotenv(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new Error(`not a KEY=value line in .env.example: ${line}`);
    vars[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return vars;
}

/** `20s`, `1m30s`, `1500ms` in milliseconds. */
function durationMs(value: string): number {
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|us|h|m|s)/g;
  let m: RegExpExecArray | null;
  let matched = '';
  while ((m = re.exec(value))) {
    matched += m[0];
    total += Number(m[1]) * { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 }[m[2] as 'h' | 'm' | 's' | 'ms' | 'us'];
  }
  if (matched !== value) throw new Error(`not a compose duration: ${value}`);
  return total;
}

/** The container port of a `ports:` / `expose:` entry ("3000:3000", "127.0.0.1:3000:3000/tcp", 9464, { target }). */
function containerPort(entry: unknown): number {
  if (typeof entry === 'number') return entry;
  if (typeof entry === 'object' && entry !== null && 'target' in entry) return Number((entry as { target: unknown }).target);
  const parts = String(entry).split('/')[0]!.split(':');
  return Number(parts[parts.length - 1]);
}
function publishedPort(entry: unknown): number | undefined {
  if (typeof entry === 'object' && entry !== null && 'published' in entry) return Number((entry as { published: unknown }).published);
  const parts = String(entry).split('/')[0]!.split(':');
  return parts.length >= 2 ? Number(parts[parts.length - 2]) : undefined;
}

/** The Dockerfile's instructions, one per logical line (continuations joined). */
function dockerfileInstructions(text: string): Array<{ op: string; args: string }> {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const m = /^(\S+)\s+(.*)$/.exec(l)!;
      return { op: m[1]!.toUpperCase(), args: m[2]! };
    });
}

/** Files a command runs: `node <file>` in exec (JSON array) or shell form. */
function nodeEntryOf(command: unknown): string {
  const argv = Array.isArray(command) ? command.map(String) : String(command).split(/\s+/);
  expect(argv[0]).toBe('node');
  return argv[argv.length - 1]!;
}

describe('docker-compose.yml, Dockerfile and .env.example', () => {
  let compose: any;
  let services: Record<string, any>;

  beforeAll(() => {
    compose = parse(read('docker-compose.yml'), { merge: true });
    services = compose.services;
  });

  it('when docker-compose.yml is parsed, then it has postgres, redis, migrate, api and worker', () => {
    expect(Object.keys(services).sort()).toEqual(expect.arrayContaining(['api', 'migrate', 'postgres', 'redis', 'worker']));
    expect(String(services.postgres.image)).toMatch(/^postgres(:|$)/);
    expect(String(services.redis.image)).toMatch(/^redis(:|$)/);
    for (const name of APP_SERVICES) expect({ name, build: services[name].build }).toEqual({ name, build: expect.anything() });
  });

  it('when redis starts, then it keeps every key (noeviction) and writes an append-only file', () => {
    const command: string[] = Array.isArray(services.redis.command) ? services.redis.command.map(String) : String(services.redis.command).split(/\s+/);
    expect(command[0]).toBe('redis-server');
    const flag = (name: string) => command[command.indexOf(name) + 1];
    expect(command).toContain('--appendonly');
    expect(flag('--appendonly')).toBe('yes');
    expect(command).toContain('--maxmemory-policy');
    expect(flag('--maxmemory-policy')).toBe('noeviction');
    // The queued jobs survive a restart only if the AOF lives on a volume.
    expect((services.redis.volumes ?? []).some((v: unknown) => String(typeof v === 'object' ? (v as any).target : v).endsWith(':/data') || (v as any)?.target === '/data')).toBe(true);
  });

  it('when the stack starts, then the migration runs once postgres is healthy and the API and both worker replicas wait for it to succeed', () => {
    expect(nodeEntryOf(services.migrate.command)).toBe('libs/db/dist/migrate.main.js');
    expect(String(services.migrate.restart)).toBe('no');
    expect(services.migrate.depends_on).toMatchObject({ postgres: { condition: 'service_healthy' } });
    expect(services.postgres.healthcheck?.test).toBeDefined();
    expect(services.redis.healthcheck?.test).toBeDefined();
    for (const name of ['api', 'worker']) {
      expect({ name, depends_on: services[name].depends_on }).toMatchObject({
        name,
        depends_on: { migrate: { condition: 'service_completed_successfully' }, redis: { condition: 'service_healthy' } },
      });
    }
    expect(nodeEntryOf(services.api.command)).toBe('apps/api/dist/main.js');
    expect(nodeEntryOf(services.worker.command)).toBe('apps/worker/dist/main.js');
    // The same heap bounds as every other way of starting a worker.
    expect(services.worker.command.slice(1, -1)).toEqual(WORKER_NODE_FLAGS);
    expect(services.worker.deploy?.replicas).toBe(2);
    // Two replicas cannot both bind a host port.
    expect(services.worker.ports).toBeUndefined();
  });

  it('when the API is published, then host port 3000 reaches the port the API listens on, and the worker metrics port is the one it serves', () => {
    const apiEnv = environmentOf(services.api);
    const apiPort = Number(apiEnv.PORT ?? defaultOf('PORT'));
    const ports = (services.api.ports ?? []) as unknown[];
    expect(ports.map((p) => ({ published: publishedPort(p), target: containerPort(p) }))).toContainEqual({ published: 3000, target: apiPort });

    const workerEnv = environmentOf(services.worker);
    const metricsPort = Number(workerEnv.WORKER_METRICS_PORT ?? defaultOf('WORKER_METRICS_PORT'));
    const workerPorts = [...((services.worker.expose ?? []) as unknown[]), ...((services.worker.ports ?? []) as unknown[])].map(containerPort);
    expect(workerPorts).toContain(metricsPort);
  });

  it('when the app services set environment variables, then each is a real config variable, every required one is set, and the values pass the config schema', () => {
    for (const name of APP_SERVICES) {
      const env = environmentOf(services[name]);
      expect({ name, unknown: Object.keys(env).filter((k) => !CONFIG_VARIABLES.includes(k)) }).toEqual({ name, unknown: [] });
      expect({ name, missing: REQUIRED_VARIABLES.filter((k) => !(k in env)) }).toEqual({ name, missing: [] });
      const values = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(v, { ADMIN_TOKEN: 'an-operator-token-0123456789', SECRETS_KEY: 'an-operator-secrets-key-0123456789abcdef' })]));
      const { error } = configSchema.validate(values);
      expect({ name, error: error?.message }).toEqual({ name, error: undefined });
    }
  });

  it('when the app services connect, then DATABASE_URL points at the postgres service with its credentials and REDIS_URL at the redis service', () => {
    const pgEnv = environmentOf(services.postgres);
    for (const name of APP_SERVICES) {
      const env = environmentOf(services[name]);
      const db = new URL(interpolate(env.DATABASE_URL!, {}));
      expect({ name, protocol: db.protocol, host: db.hostname, port: db.port || '5432' }).toEqual({ name, protocol: 'postgres:', host: 'postgres', port: '5432' });
      expect(decodeURIComponent(db.username)).toBe(pgEnv.POSTGRES_USER ?? 'postgres');
      expect(decodeURIComponent(db.password)).toBe(pgEnv.POSTGRES_PASSWORD);
      expect(db.pathname.length).toBeGreaterThan(1);
      const redis = new URL(interpolate(env.REDIS_URL!, {}));
      expect({ name, protocol: redis.protocol, host: redis.hostname, port: redis.port || '6379' }).toEqual({ name, protocol: 'redis:', host: 'redis', port: '6379' });
    }
  });

  it('when compose stops a process, then it waits longer than the process’s own shutdown bound before killing it', () => {
    for (const name of ['api', 'worker']) {
      const bound = Number(environmentOf(services[name]).SHUTDOWN_TIMEOUT_MS ?? defaultOf('SHUTDOWN_TIMEOUT_MS'));
      // Compose's default grace period is 10 s.
      const grace = services[name].stop_grace_period === undefined ? 10_000 : durationMs(String(services[name].stop_grace_period));
      expect({ name, graceLongerThanBound: grace > bound }).toEqual({ name, graceLongerThanBound: true });
    }
  });

  it('when .env.example is read, then it lists every config variable, with the schema default where there is one, and nothing else', () => {
    const example = parseDotenv(read('.env.example'));
    expect(CONFIG_VARIABLES.filter((k) => !(k in example))).toEqual([]);
    expect(Object.keys(example).filter((k) => !CONFIG_VARIABLES.includes(k))).toEqual([]);
    const wrongDefaults = CONFIG_VARIABLES.filter((k) => defaultOf(k) !== undefined && example[k] !== defaultOf(k)).map((k) => ({
      variable: k,
      example: example[k],
      schema: defaultOf(k),
    }));
    expect(wrongDefaults).toEqual([]);
    // A required secret has no default to copy: left empty for the operator.
    for (const k of REQUIRED_VARIABLES) expect({ k, value: example[k] }).toEqual({ k, value: '' });
  });

  it('when the image is built, then the Dockerfile copies files that exist, builds with tsc -b (and the console with Vite), and its command and compose’s commands run files that build produces', () => {
    const instructions = dockerfileInstructions(read('Dockerfile'));
    const stages = new Set(instructions.filter((i) => i.op === 'FROM').map((i) => /\bAS\s+(\S+)/i.exec(i.args)?.[1]).filter(Boolean));
    for (const copy of instructions.filter((i) => i.op === 'COPY' && !/--from=/.test(i.args))) {
      const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const source of parts.slice(0, -1)) expect({ source, exists: existsSync(path.join(ROOT, source)) }).toEqual({ source, exists: true });
    }
    for (const copy of instructions.filter((i) => i.op === 'COPY' && /--from=/.test(i.args))) {
      expect(stages.has(/--from=(\S+)/.exec(copy.args)![1])).toBe(true);
    }
    expect(instructions.some((i) => i.op === 'RUN' && /npm run build/.test(i.args))).toBe(true);
    // tsc -b for the server side, then Vite for the delivery console the API serves.
    const scripts = JSON.parse(read('package.json')).scripts;
    expect(scripts.build).toBe('tsc -b && npm run build:console');
    expect(scripts['build:console']).toBe('npm run build -w @wr/console');
    expect(JSON.parse(read('apps/console/package.json')).scripts.build).toMatch(/\bvite build$/);

    const cmd = instructions.filter((i) => i.op === 'CMD').at(-1)!;
    const entries = [
      nodeEntryOf(JSON.parse(cmd.args)),
      ...APP_SERVICES.map((name) => nodeEntryOf(services[name].command)),
    ];
    for (const entry of entries) expect(BUILD_OUTPUTS).toContain(entry);
    // Built by `npx tsc -b` (the same `npm run build` the Dockerfile runs).
    for (const file of BUILD_OUTPUTS) expect({ file, built: existsSync(path.join(ROOT, file)) && statSync(path.join(ROOT, file)).size > 0 }).toEqual({ file, built: true });
  });

  it('when the image prunes dev dependencies, then every package the built API, worker and migration import is still a runtime dependency', () => {
    const runtime = new Set<string>();
    const manifests = ['package.json', ...['apps', 'libs'].flatMap((dir) => readdirSync(path.join(ROOT, dir)).map((d) => `${dir}/${d}/package.json`))];
    for (const manifest of manifests.filter((m) => existsSync(path.join(ROOT, m)))) {
      const pkg = JSON.parse(read(manifest));
      for (const dep of Object.keys(pkg.dependencies ?? {})) runtime.add(dep);
      if (pkg.name) runtime.add(pkg.name);
    }
    const distDirs = ['apps/api/dist', 'apps/worker/dist', ...readdirSync(path.join(ROOT, 'libs')).filter((d) => d !== 'testing').map((d) => `libs/${d}/dist`)];
    const walk = (dir: string): string[] =>
      !existsSync(path.join(ROOT, dir))
        ? []
        : readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
            e.isDirectory() ? walk(`${dir}/${e.name}`) : e.name.endsWith('.js') ? [`${dir}/${e.name}`] : [],
          );
    const files = distDirs.flatMap((dir) => walk(dir));
    expect(files.length).toBeGreaterThan(10);
    const missing = new Set<string>();
    const imported = new Set<string>();
    for (const file of files) {
      const source = read(file);
      const specifiers = [
        ...source.matchAll(/^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm),
        ...source.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
        ...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
      ];
      for (const m of specifiers) {
        const spec = m[1]!;
        if (spec.startsWith('.') || spec.startsWith('node:')) continue;
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        imported.add(pkg);
        if (!runtime.has(pkg)) missing.add(`${pkg} (${file})`);
      }
    }
    // The scan sees the packages the processes are built on.
    expect([...imported]).toEqual(expect.arrayContaining(['express', 'bullmq', 'ioredis', 'typeorm', 'pg', 'prom-client', 'undici', '@wr/config']));
    expect([...missing]).toEqual([]);
  });
});
