export { recordFollowup } from './followups.service.js';
