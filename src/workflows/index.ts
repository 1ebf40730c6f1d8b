export { pauseWorkflow } from './pause.js';
export { approvalWorkflow } from './approval.js';
