import type { Job } from './kernel/jobs/scheduler.js';
import { overdueVisitsJob } from './features/visits/index.js';

// The application's scheduled jobs, each made with defineJob() in its feature's folder and listed
// here. server.ts runs them on every instance (the lease makes each slot run once among them).
export const jobs: Job[] = [overdueVisitsJob];
