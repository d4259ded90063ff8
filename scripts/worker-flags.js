// The worker's Node flags (apps/worker/node-flags.json says why), for the launchers in scripts/.
import { readFileSync } from 'node:fs';

export const WORKER_NODE_FLAGS = JSON.parse(readFileSync(new URL('../apps/worker/node-flags.json', import.meta.url), 'utf8')).flags;
