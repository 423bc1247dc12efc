import type { Application } from 'express';

// Apps whose process received SIGTERM: their /readyz answers 503 so that a load balancer stops
// sending them new work while they finish what they have.
const shuttingDown = new WeakSet<Application>();

export function markShuttingDown(app: Application): void {
  shuttingDown.add(app);
}

export function isShuttingDown(app: Application): boolean {
  return shuttingDown.has(app);
}
