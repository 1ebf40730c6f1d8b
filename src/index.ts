/**
 * `temporal-hitl`: what an agent's process uses. The client, the approval gate, the LangChain tools, config and errors.
 * The worker side (`temporal-hitl/worker`), workflow code (`temporal-hitl/workflow`) and dev tooling
 * (`temporal-hitl/dev`) are entries of their own, so importing this one loads neither the worker nor its native bridge.
 */
import type { Worker } from '@temporalio/worker';
import type { CreateHitlWorkerOptions } from './worker/index.js';
import type { Gateway, StartGatewayOptions } from './gateway/index.js';

export {
  loadConfig,
  parseConfig,
  loadWorkerConfig,
  parseWorkerConfig,
  loadGatewayConfig,
  parseGatewayConfig,
  connectionOptions,
  CLIENT_CHANNEL_ARGS,
  ENV_VARS,
  type HitlConfig,
  type WorkerConfig,
  type GatewayConfig,
  type GatewayToken,
  type ChannelConfig,
  type ChannelSecrets,
  type SigningKey,
} from './config/index.js';
export { HitlError, ConfigError, InputError } from './common/errors.js';
export { HitlClient, type HitlClientOptions, type RolesProvider } from './client/hitl-client.js';
export type { ResumeResult, PausedTasks } from './client/pauses.js';
export { createHitlTools } from './client/tools.js';
export {
  approvalIdFor,
  type RequestApprovalOptions,
  type CreatedApproval,
  type DecideOptions,
  type DecideResult,
} from './client/approvals.js';
export type { ApprovalRow } from './client/visibility.js';
export { requiresApproval, RequiresApproval, type RequiresApprovalOptions, type GateRefusal } from './client/requires-approval.js';
export type { ApprovalRequest, ApprovalIdentity } from './common/request.js';
export type { ApprovalResult, ApprovalOutcome, ApprovalState, ApprovalStatus, DecisionAccepted } from './common/approval.js';
export type { PauseResult, PauseState, PauseStatus } from './common/pause.js';
export { approvalWorkflowId, pauseWorkflowId, DEFAULT_TASK_QUEUE, FailureType } from './common/constants.js';
export type { CreateHitlWorkerOptions } from './worker/index.js';
export type { Gateway, StartGatewayOptions } from './gateway/index.js';

/**
 * A Temporal worker running the temporal-hitl workflows and activities; the worker side loads on the first call.
 * @example
 * const worker = await createHitlWorker({ connection: await NativeConnection.connect(), config: await loadWorkerConfig() });
 * await worker.run();
 */
export async function createHitlWorker(options: CreateHitlWorkerOptions): Promise<Worker> {
  const { createHitlWorker: create } = await import('./worker/index.js');
  return create(options);
}

/**
 * Starts the HTTP gateway (platform API, signed links, Slack buttons, inbox); Hono loads on the first call.
 * @example
 * const gateway = await startGateway({ client, config: await loadGatewayConfig() });
 * console.log(`inbox at ${gateway.url}/inbox`);
 */
export async function startGateway(options: StartGatewayOptions): Promise<Gateway> {
  const { startGateway: start } = await import('./gateway/index.js');
  return start(options);
}
