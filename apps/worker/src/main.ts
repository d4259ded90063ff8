import { loadConfigOrExit } from '@wr/config';
import { createLogger } from '@wr/logger';
import { startWorkers } from './workers.js';

const config = loadConfigOrExit();
const logger = createLogger({ service: 'worker', level: config.logLevel, format: config.logFormat });
let running: Awaited<ReturnType<typeof startWorkers>>;
try {
  running = await startWorkers(config, logger);
} catch (err) {
  logger.error('worker cannot start', { err: (err as Error).message });
  process.exit(1);
}
logger.info('worker started', { concurrency: config.workerConcurrency });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info('shutting down', { signal });
  setTimeout(() => {
    // Jobs still active are handed back by BullMQ's stalled-job check and run elsewhere.
    logger.error('shutdown timed out; in-flight jobs will be picked up by another worker');
    process.exit(1);
  }, config.shutdownTimeoutMs).unref();
  await running.close();
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
