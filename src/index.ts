export { loadConfig, parseConfig, type HitlConfig, type ChannelConfig } from './config/index.js';
export { HitlError, ConfigError, InputError } from './common/errors.js';
export { HitlClient, type HitlClientOptions, type RolesProvider } from './client/hitl-client.js';
export type { ResumeResult, PausedTasks } from './client/pauses.js';
export { createHitlTools } from './client/tools.js';
export { approvalIdFor, type RequestApprovalOptions, type DecideOptions, type DecideResult, type ApprovalRow } from './client/approvals.js';
export { requiresApproval, RequiresApproval, type RequiresApprovalOptions, type GateRefusal } from './client/requires-approval.js';
export { buildReason } from './client/reason.js';
export {
  approveSignal,
  denySignal,
  decideUpdate,
  approvalStateQuery,
  ApprovalStatus,
  checkDecision,
  type ApprovalInput,
  type ApprovalResult,
  type ApprovalState,
  type ApprovalOutcome,
  type DecisionInput,
  type DecisionAccepted,
} from './common/approval.js';
export { createHitlWorker, hitlWorkflowBundle, workflowsPath, type CreateHitlWorkerOptions } from './worker.js';
export { startDevServer, type DevServerOptions } from './dev/dev-server.js';
export { resolveTemporalCli } from './dev/temporal-cli.js';
export { HitlKind, HitlOwner, HitlStatus, HitlAction, HITL_SEARCH_ATTRIBUTES } from './common/search-attributes.js';
export { DEFAULT_TASK_QUEUE, pauseWorkflowId, approvalWorkflowId } from './common/constants.js';
export {
  resumeSignal,
  resumeUpdate,
  pauseStateQuery,
  type PauseInput,
  type PauseResult,
  type PauseState,
  type ResumeInput,
} from './common/pause.js';
