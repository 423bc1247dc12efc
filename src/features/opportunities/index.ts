export { customerOpportunities } from './customer-cascade.js';
export { pipelineIsolation } from './pipeline-totals.js';
