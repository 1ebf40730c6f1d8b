export { pauseWorkflow } from './pause.js';
