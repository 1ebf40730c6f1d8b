/**
 * Pauses and approvals asked from workflow code (agents that are workflows): our workflows run as children, with the
 * ids, attributes and owner rules `HitlClient` gives them, so every client, CLI, gateway and channel sees and decides
 * them. A child gets `REQUEST_CANCEL` as its parent close policy: cancelling (or ending) the agent cancels what it waits
 * on, and the child ends `cancelled`, audited.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  inWorkflowContext,
  isCancellation,
  startChild,
  uuid4,
  workflowInfo,
  type ChildWorkflowOptions,
} from '@temporalio/workflow';
import type { ApprovalInput, ApprovalResult } from '../common/approval.js';
import { DEFAULT_TASK_QUEUE, DEFAULT_TIMEOUT_SECONDS } from '../common/constants.js';
import { HitlError, InputError } from '../common/errors.js';
import { checkId } from '../common/input.js';
import type { PauseResult } from '../common/pause.js';
import { buildApprovalInput, buildPauseInput, type ApprovalIdentity, type ApprovalRequest, type RequestPolicy } from '../common/request.js';
import { HitlOwner } from '../common/search-attributes.js';
import { approvalFingerprint, approvalIdFor, approvalStartOptions, pauseStartOptions } from '../common/start-options.js';
import type { approvalWorkflow } from './approval.js';
import type { pauseWorkflow } from './pause.js';

/** Where the children run and who owns them; shared by `requestApproval`, `pauseTask` and `gated`. */
export interface WorkflowHitlOptions {
  /** The workspace that owns the request (only it may decide). @default the calling workflow's `HitlOwner` search attribute */
  workspaceId?: string;
  /** The task queue the temporal-hitl worker polls. @default 'hitl' */
  taskQueue?: string;
}

/** Options of the workflow-side `requestApproval`: those of `HitlClient.requestApproval`, plus where it runs. */
export type WorkflowApprovalOptions = ApprovalRequest & ApprovalIdentity & WorkflowHitlOptions;

/** Options of the workflow-side `pauseTask`. */
export type WorkflowPauseOptions = NonNullable<Parameters<typeof buildPauseInput>[2]> & WorkflowHitlOptions;

/** Workflow code has no config file: the reference's defaults, unless a request says otherwise. */
const POLICY: RequestPolicy = { defaultTimeout: DEFAULT_TIMEOUT_SECONDS, requiredApprovals: 1, fourEyes: false };

/** The children this run started, by workflow id: a second ask for the same id joins the first (module state is per run). */
const asked = new Map<string, { print: string; result: Promise<ApprovalResult> }>();
const pausing = new Map<string, Promise<PauseResult>>();

/** Throws unless called from workflow code. */
export function assertInWorkflow(what: string): void {
  if (!inWorkflowContext()) {
    throw new HitlError(
      `${what} from 'temporal-hitl/workflow' runs only inside a Temporal workflow (it starts a child workflow); from a Node process use ${what === 'gated' ? 'requiresApproval(hitl, …)' : `HitlClient.${what}`}`,
    );
  }
}

/**
 * In workflow code, an InputError as a failure of the workflow (not of its task, which would retry forever), still
 * naming the field; elsewhere the InputError itself.
 */
export function asWorkflowFailure<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw err instanceof InputError ? inputFailure(err) : err;
  }
}

function inputFailure(err: InputError): Error {
  if (!inWorkflowContext()) return err;
  return ApplicationFailure.create({ type: 'InputError', message: err.message, nonRetryable: true, details: [{ field: err.field }] });
}

function ownerOf(options: WorkflowHitlOptions | undefined): string {
  const workspaceId = options?.workspaceId ?? workflowInfo().typedSearchAttributes.get(HitlOwner);
  if (workspaceId === undefined) {
    throw new InputError(
      'workspaceId',
      'is required: pass { workspaceId } or start this workflow with the HitlOwner search attribute set to its workspace',
    );
  }
  return checkId('workspaceId', workspaceId);
}

function childOptions(options: WorkflowHitlOptions | undefined): Pick<ChildWorkflowOptions, 'taskQueue' | 'parentClosePolicy'> {
  return { taskQueue: options?.taskQueue ?? DEFAULT_TASK_QUEUE, parentClosePolicy: 'REQUEST_CANCEL' };
}

/**
 * Asks for a human's approval from workflow code and waits for the answer: `approvalWorkflow` runs as a child, as
 * `HitlClient.requestApproval` would start it. An approval id (or idempotency key) asked again in the same run joins
 * the first ask; one that exists from elsewhere (another caller, an earlier run) is an `InputError` failure, because
 * workflow code can wait only on a child of its own.
 * @example
 * const { approved, edited_args } = await requestApproval({ action: 'drop_table', reason: 'Free space', args: { table } });
 */
export async function requestApproval(options: WorkflowApprovalOptions): Promise<ApprovalResult> {
  assertInWorkflow('requestApproval');
  const input = asWorkflowFailure(() =>
    buildApprovalInput(options, { workspaceId: ownerOf(options), policy: POLICY, newId: uuid4, idFor: approvalIdFor }),
  );
  const start = approvalStartOptions(input);
  const print = approvalFingerprint(input);
  const earlier = asked.get(start.workflowId);
  if (earlier) {
    if (earlier.print !== print) {
      throw inputFailure(
        new InputError('idempotencyKey', `approval '${input.approvalId}' was asked for another action or other arguments`),
      );
    }
    return earlier.result;
  }
  const field = options.approvalId === undefined && options.idempotencyKey !== undefined ? 'idempotencyKey' : 'approvalId';
  const result = runApproval(input, field, { ...start, ...childOptions(options) });
  asked.set(start.workflowId, { print, result });
  return result;
}

async function runApproval(
  input: ApprovalInput,
  field: string,
  options: ChildWorkflowOptions & { args: [ApprovalInput] },
): Promise<ApprovalResult> {
  let child;
  try {
    child = await startChild<typeof approvalWorkflow>('approvalWorkflow', options);
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    throw inputFailure(
      new InputError(
        field,
        `approval '${input.approvalId}' already exists (asked by another caller or an earlier run); workflow code can wait only on an approval it started: use a new key`,
      ),
    );
  }
  try {
    return await child.result();
  } catch (err) {
    if (!(err instanceof ChildWorkflowFailure) || isCancellation(err)) throw err;
    // As the client answers: a run that failed or was terminated is a value, not an exception.
    const why = err.cause?.message ?? err.message;
    return { approved: false, approval_id: input.approvalId, outcome: 'failed', error: `Approval ended without a decision: ${why}` };
  }
}

/**
 * Pauses from workflow code until a human resumes `taskId` (or the timeout): `pauseWorkflow` runs as a child. A second
 * `pauseTask` of the same task in the same run joins the first. A task already paused by someone else (a client,
 * another workflow) answers `{ resumed: false, error }` at once: workflow code can wait only on a child of its own.
 * @example
 * const note = await pauseTask('report-7', 'Check the numbers before I send them', { timeout: '1h' });
 */
export async function pauseTask(taskId: string, reason = '', options: WorkflowPauseOptions = {}): Promise<PauseResult> {
  assertInWorkflow('pauseTask');
  const { workspaceId: _w, taskQueue: _q, ...request } = options ?? {};
  const input = asWorkflowFailure(() => buildPauseInput(taskId, reason, request, { workspaceId: ownerOf(options), policy: POLICY }));
  const start = pauseStartOptions(input);
  const earlier = pausing.get(start.workflowId);
  if (earlier) return earlier;
  const result = (async (): Promise<PauseResult> => {
    try {
      const child = await startChild<typeof pauseWorkflow>('pauseWorkflow', { ...start, ...childOptions(options) });
      return await child.result();
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        return { resumed: false, task_id: taskId, error: `Task '${taskId}' is already paused by another caller` };
      }
      if (!(err instanceof ChildWorkflowFailure) || isCancellation(err)) throw err;
      return { resumed: false, task_id: taskId, error: `Pause ended without a resume: ${err.cause?.message ?? err.message}` };
    } finally {
      pausing.delete(start.workflowId);
    }
  })();
  pausing.set(start.workflowId, result);
  return result;
}
