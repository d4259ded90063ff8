// Local convenience: runs one API and one worker in the foreground, stops both on Ctrl-C or when
// either exits. Production runs them as separate processes (`npm run start:api` / `start:worker`).
import { spawn } from 'node:child_process';
import { WORKER_NODE_FLAGS } from './worker-flags.js';

const children = [
  spawn(process.execPath, ['apps/api/dist/main.js'], { stdio: 'inherit' }),
  spawn(process.execPath, [...WORKER_NODE_FLAGS, 'apps/worker/dist/main.js'], { stdio: 'inherit' }),
];

let exiting = false;
function stopAll(code) {
  if (exiting) return;
  exiting = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r))))).then(() =>
    process.exit(code),
  );
}

for (const child of children) child.on('exit', (code) => stopAll(code ?? 1));
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
