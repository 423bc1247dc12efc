import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

export type ShutdownOptions = {
  /** How long /readyz says 503 while everything is still served, so the load balancer can react. */
  graceMs: number;
  /** After the grace, how long the requests in flight may take before the process stops anyway. */
  timeoutMs: number;
  logger: Logger;
  /** Makes /readyz answer 503. */
  stopBeingReady: () => void;
  /** Closes what the requests used (the database pool), once the last connection has closed. */
  closeResources: () => Promise<void>;
};

/**
 * Builds the shutdown of the HTTP server for a signal: not ready at once, still serving for the grace
 * period, then no new connections; every response from the signal on (those in flight included)
 * says `Connection: close` so keep-alive clients reconnect elsewhere rather than have a request cut
 * off; idle connections are closed; the pool closes last. Repeated signals do not cut it short.
 */
export function gracefulShutdown(server: Server, options: ShutdownOptions): (signal: string) => void {
  const { graceMs, timeoutMs, logger, stopBeingReady, closeResources } = options;
  const inFlight = new Set<ServerResponse>();
  let draining = false;

  const closeAfter = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  // Before the app's own listener, so the header is there before any handler can answer.
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (draining) closeAfter(res);
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });

  const finish = () => {
    logger.info({ inFlight: inFlight.size }, 'no longer accepting connections');
    server.close(() => {
      closeResources().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'closing the database failed');
          process.exit(1);
        },
      );
    });
    // Node 20's close() already drops idle keep-alive connections; said here so it does not depend on it.
    server.closeIdleConnections();
  };

  return (signal) => {
    if (draining) {
      logger.info({ signal }, 'already shutting down');
      return;
    }
    draining = true;
    logger.info({ signal, graceMs }, 'shutting down');
    stopBeingReady();
    for (const res of inFlight) closeAfter(res);
    setTimeout(() => {
      logger.error({ inFlight: inFlight.size }, 'requests still running at the shutdown deadline');
      process.exit(1);
    }, graceMs + timeoutMs).unref();
    setTimeout(finish, graceMs);
  };
}
