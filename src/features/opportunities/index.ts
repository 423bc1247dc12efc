export { customerOpportunities } from './customer-cascade.js';
export { pipelineIsolation } from './pipeline-totals.js';
export { opportunities } from './opportunities.entity.js';
