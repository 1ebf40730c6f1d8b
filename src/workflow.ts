/**
 * `temporal-hitl/workflow`: what Temporal's workflow sandbox may import. The workflows, their ids, every message
 * definition and type, and (for agents that are workflows) `requestApproval`, `pauseTask` and `gated`, which run our
 * workflows as children of yours. Nothing here touches Node.
 * @example
 * // my-workflows.ts, bundled by your worker next to ours
 * export { approvalWorkflow, pauseWorkflow } from 'temporal-hitl/workflow';
 */
export { approvalWorkflow, pauseWorkflow } from './workflows/index.js';
export {
  approvalWorkflowId,
  pauseWorkflowId,
  DEFAULT_TASK_QUEUE,
  DEFAULT_TIMEOUT_SECONDS,
  FailureType,
  LIMITS,
  TASK_NOT_FOUND,
} from './common/constants.js';
export {
  approveSignal,
  denySignal,
  decideUpdate,
  waitForDecisionUpdate,
  approvalStateQuery,
  ApprovalStatus,
  type ApprovalInput,
  type ApprovalResult,
  type ApprovalState,
  type ApprovalOutcome,
  type DecisionInput,
  type DecisionAccepted,
  type RejectedDecision,
  type Vote,
} from './common/approval.js';
export {
  resumeSignal,
  resumeUpdate,
  waitForResumeUpdate,
  pauseStateQuery,
  PauseStatus,
  type PauseInput,
  type PauseResult,
  type PauseState,
  type ResumeInput,
  type ResumeAccepted,
  type WaitInput,
  type WaitAnswer,
  type RejectedAttempt,
} from './common/pause.js';
export { HitlKind, HitlKindValue, HitlOwner, HitlStatus, HitlAction, HITL_SEARCH_ATTRIBUTES } from './common/search-attributes.js';
export {
  buildApprovalInput,
  buildPauseInput,
  type ApprovalRequest,
  type ApprovalIdentity,
  type RequestContext,
  type RequestPolicy,
} from './common/request.js';
export {
  requestApproval,
  pauseTask,
  type WorkflowApprovalOptions,
  type WorkflowPauseOptions,
  type WorkflowHitlOptions,
} from './workflows/agent-api.js';
export { gated, type GatedOptions } from './workflows/gated.js';
export type { GateRefusal } from './common/gate.js';
export { approvalIdFor } from './common/start-options.js';
export { durationMs } from './common/duration.js';
export { HitlError, InputError } from './common/errors.js';
