// `npm run start:worker`: the worker with its heap bounds, as its own process (signals forwarded).
import { spawn } from 'node:child_process';
import { WORKER_NODE_FLAGS } from './worker-flags.js';

const worker = spawn(process.execPath, [...WORKER_NODE_FLAGS, 'apps/worker/dist/main.js'], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => worker.kill(signal));
worker.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
