import { loadConfigOrExit } from '@wr/config';
import { createLogger } from '@wr/logger';
import { startApiServer } from './server.js';

const config = loadConfigOrExit();
const logger = createLogger({ service: 'api', level: config.logLevel, format: config.logFormat });
const api = await startApiServer(config, logger);
// The port it got (PORT=0 asks the system for a free one).
const port = Number(new URL(api.url).port);
const base = `http://localhost:${port}`;
logger.info(`api listening on ${base} (docs ${base}/docs, queues ${base}/admin/queues, console ${base}/console/admin, metrics ${base}/metrics)`, { port });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info('shutting down', { signal });
  // A hard bound: a stuck connection must not keep a replica from exiting.
  setTimeout(() => {
    logger.error('shutdown timed out');
    process.exit(1);
  }, config.shutdownTimeoutMs).unref();
  await api.close();
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
