import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '@wr/config';
import { createLogger, type Logger } from '@wr/logger';
import { createApiContext, type ApiContext, type ApiContextOptions } from './api-context.js';
import { createApp } from './app.js';

export interface RunningApi {
  url: string;
  server: Server;
  context: ApiContext;
  close(): Promise<void>;
}

/** Connects, builds the app and listens (port 0 picks a free port). */
export async function startApiServer(
  config: AppConfig,
  logger: Logger = createLogger({ service: 'api', level: config.logLevel, format: config.logFormat }),
  options: ApiContextOptions = {},
): Promise<RunningApi> {
  const context = await createApiContext(config, logger, options);
  const app = createApp(context);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(config.port, '::', () => resolve(s));
  });
  // Bound how long a slow client may hold a connection; the sync resend needs up to the webhook
  // timeout plus a margin.
  server.requestTimeout = config.webhookTimeoutMs + 15_000;
  server.headersTimeout = 20_000;
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    context,
    async close() {
      // Stop accepting, let in-flight requests finish, and drop each keep-alive connection as soon
      // as it goes idle (closeIdleConnections only sees the ones idle at the moment it runs).
      const sweeper = setInterval(() => server.closeIdleConnections(), 100);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearInterval(sweeper);
      await context.close();
    },
  };
}
