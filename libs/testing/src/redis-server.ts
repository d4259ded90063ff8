import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A TCP port nobody listens on right now (the OS picks it; closed again at once). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One PING over a raw socket: true when the server answers +PONG within `timeoutMs`. */
export function pingRedis(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

export interface PrivateRedis {
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  /** The running server's pid, or undefined while it is down. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** What redis-server printed (every start), for diagnostics. */
  readonly output: string;
  /** SIGKILL: the server vanishes at once with everything it held, as a crashed Redis would. */
  kill(): Promise<void>;
  /** Starts a new server on the same port, EMPTY (nothing is persisted), and waits for PING. */
  restart(): Promise<void>;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/** Every private server still running, killed if the test process exits without stopping it. */
const alive = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of alive) {
      try {
        if (child.pid) process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function exitOf(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * A redis-server of a test's own, as a child process on a free port of 127.0.0.1: no RDB, no
 * AOF, so a restart comes back empty, as a Redis that lost its memory would. Needs
 * `redis-server` on PATH.
 */
export async function startPrivateRedis(options: { port?: number; extraArgs?: string[] } = {}): Promise<PrivateRedis> {
  installExitHook();
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'wr-redis-'));
  const pidfile = join(dir, 'redis.pid');
  let child: ChildProcess | undefined;
  let output = '';
  let stopped = false;

  const start = async (): Promise<void> => {
    if (stopped) throw new Error('this private Redis was stopped');
    if (child && !hasExited(child)) throw new Error(`redis-server on port ${port} is already running`);
    const started = spawn(
      'redis-server',
      [
        '--port', String(port),
        '--bind', '127.0.0.1',
        '--save', '',
        '--appendonly', 'no',
        '--dir', dir,
        '--pidfile', pidfile,
        '--daemonize', 'no',
        ...(options.extraArgs ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = started;
    alive.add(started);
    started.once('exit', () => alive.delete(started));
    const collect = (chunk: Buffer) => {
      // Bounded: only the tail matters when something goes wrong.
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    started.stdout!.on('data', collect);
    started.stderr!.on('data', collect);
    const spawnError = new Promise<Error>((resolve) => started.once('error', resolve));
    let failure: Error | undefined;
    void spawnError.then((err) => (failure = err));

    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (failure) throw new Error(`redis-server could not be started: ${failure.message}`);
      if (hasExited(started)) throw new Error(`redis-server on port ${port} exited at start:\n${output}`);
      if (await pingRedis(port)) return;
      if (Date.now() > deadline) {
        started.kill('SIGKILL');
        throw new Error(`redis-server on port ${port} did not answer PING within ${START_TIMEOUT_MS} ms:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const kill = async (): Promise<void> => {
    const current = child;
    if (!current || hasExited(current)) return;
    process.kill(current.pid!, 'SIGKILL');
    await exitOf(current);
  };

  await start();

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child && !hasExited(child) ? child.pid : undefined;
    },
    get running() {
      return child !== undefined && !hasExited(child);
    },
    get output() {
      return output;
    },
    kill,
    async restart() {
      await kill();
      await start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const current = child;
      if (current && !hasExited(current)) {
        current.kill('SIGTERM');
        const timer = setTimeout(() => {
          if (!hasExited(current)) current.kill('SIGKILL');
        }, STOP_TIMEOUT_MS);
        await exitOf(current);
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
