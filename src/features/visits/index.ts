export { visits } from './visits.entity.js';
export { visitRoutes } from './visits.routes.js';
export { visitsToday } from './visits.today.js';
export { markOverdueVisits, overdueVisitsJob } from './visits.job.js';
