import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import {
  ApprovalStatus,
  decideUpdate,
  waitForDecisionUpdate,
  type ApprovalInput,
  type ApprovalResult,
  type DecisionAccepted,
} from '../common/approval.js';
import { approvalWorkflowId } from '../common/constants.js';
import { InputError } from '../common/errors.js';
import { checkId, checkIdentity } from '../common/input.js';
import { buildApprovalInput, type ApprovalIdentity, type ApprovalRequest } from '../common/request.js';
import { HitlStatus } from '../common/search-attributes.js';
import { approvalFingerprint, approvalIdFor, approvalStartOptions } from '../common/start-options.js';
import type { approvalWorkflow } from '../workflows/approval.js';
import { awaitAnswer, sendUpdate, type ClientContext } from './context.js';
import { isGone, updateRejection } from './errors.js';
import { listRows, ownerOf, queries, toApprovalRow, type ApprovalRow } from './visibility.js';

/** Options of `HitlClient.requestApproval` and `createApproval`. */
export type RequestApprovalOptions = ApprovalRequest & ApprovalIdentity;

export interface DecideOptions {
  decision: 'approved' | 'denied';
  decidedBy: string;
  message?: string;
  editedArgs?: Record<string, unknown>;
}

export type DecideResult = DecisionAccepted | { success: false; approval_id: string; error: string };

/** What `createApproval` answers at once: the id exists before anyone is notified or waits. */
export interface CreatedApproval {
  approval_id: string;
  status: 'pending';
}

export { approvalIdFor };

export async function createApproval(ctx: ClientContext, options: RequestApprovalOptions): Promise<CreatedApproval> {
  const input = toInput(ctx, options);
  await startOrAttach(ctx, input, approvalFingerprint(input));
  return { approval_id: input.approvalId, status: ApprovalStatus.pending };
}

export async function requestApproval(ctx: ClientContext, options: RequestApprovalOptions): Promise<ApprovalResult> {
  const input = toInput(ctx, options);
  return resultOf(ctx, await startOrAttach(ctx, input, approvalFingerprint(input)), input.approvalId);
}

export async function waitForApproval(ctx: ClientContext, approvalId: string): Promise<ApprovalResult> {
  checkId('approvalId', approvalId);
  const handle = ctx.client.workflow.getHandle<typeof approvalWorkflow>(approvalWorkflowId(approvalId));
  const description = await handle.describe().catch((err: unknown) => (isGone(err) ? undefined : Promise.reject(err)));
  if (!description || ownerOf(description) !== ctx.workspaceId) {
    // Another workspace's approval is answered as one that does not exist.
    throw new InputError('approvalId', `approval '${approvalId}' not found in workspace '${ctx.workspaceId}'`);
  }
  return resultOf(ctx, ctx.client.workflow.getHandle<typeof approvalWorkflow>(handle.workflowId, description.runId), approvalId);
}

/** The approval's answer; a run that failed or was terminated answers as a value, like a pause. */
async function resultOf(ctx: ClientContext, handle: ApprovalHandle, approvalId: string): Promise<ApprovalResult> {
  try {
    return await awaitAnswer(ctx, handle, waitForDecisionUpdate);
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    return {
      approved: false,
      approval_id: approvalId,
      outcome: 'failed',
      error: `Approval ended without a decision: ${err.cause?.message ?? err.message}`,
    };
  }
}

function toInput(ctx: ClientContext, options: RequestApprovalOptions): ApprovalInput {
  return buildApprovalInput(options, { workspaceId: ctx.workspaceId, policy: ctx.config, newId: randomUUID, idFor: approvalIdFor });
}

type ApprovalHandle = WorkflowHandle<typeof approvalWorkflow>;

/** Starts the approval, or re-attaches to the one with this id (running or decided) instead of asking twice. */
async function startOrAttach(ctx: ClientContext, input: ApprovalInput, print: string): Promise<ApprovalHandle> {
  const workflowId = approvalWorkflowId(input.approvalId);
  try {
    return await ctx.client.workflow.start<typeof approvalWorkflow>('approvalWorkflow', {
      ...approvalStartOptions(input),
      taskQueue: ctx.taskQueue,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  const description = await ctx.client.workflow.getHandle(workflowId).describe();
  if (ownerOf(description) !== input.owner) {
    throw new InputError('approvalId', `approval '${input.approvalId}' belongs to another workspace`);
  }
  if (description.memo?.fingerprint !== print) {
    throw new InputError(
      'idempotencyKey',
      `approval '${input.approvalId}' was asked for another action or other arguments: use a new key (or approval id) for a new request`,
    );
  }
  return ctx.client.workflow.getHandle<typeof approvalWorkflow>(workflowId, description.runId);
}

export async function decide(ctx: ClientContext, approvalId: string, options: DecideOptions): Promise<DecideResult> {
  checkId('approvalId', approvalId);
  const decidedBy = checkIdentity('decidedBy', options?.decidedBy, true)!;
  const handle = ctx.client.workflow.getHandle<typeof approvalWorkflow>(approvalWorkflowId(approvalId));
  try {
    return await sendUpdate(ctx, handle, decideUpdate, [{ ...options, decidedBy, workspaceId: ctx.workspaceId }]);
  } catch (err) {
    const rejection = updateRejection(err);
    if (rejection !== undefined) return { success: false, approval_id: approvalId, error: rejection };
    if (!isGone(err)) throw err;
  }
  // Closed or never existed: say which, without telling another workspace what it decided.
  const description = await handle.describe().catch((err: unknown) => (isGone(err) ? undefined : Promise.reject(err)));
  if (!description) return { success: false, approval_id: approvalId, error: `approval '${approvalId}' not found` };
  if (ownerOf(description) !== ctx.workspaceId) {
    return {
      success: false,
      approval_id: approvalId,
      error: `workspace '${ctx.workspaceId}' does not own approval '${approvalId}': only the workspace that asked may decide`,
    };
  }
  const status = description.typedSearchAttributes.get(HitlStatus) ?? 'closed';
  const by = (description.memo?.decided_by as string | null | undefined) ?? undefined;
  return {
    success: false,
    approval_id: approvalId,
    error: `approval '${approvalId}' is already decided: ${status}${by ? ` by ${by}` : ''}`,
  };
}

/** Which approvals `listApprovals` returns. */
export interface ListApprovalsOptions {
  status?: ApprovalStatus;
  /** Rows per page, 1–1000. @default 50 */
  limit?: number;
  /** The next page: rows created before this time (the last row's `created_at`). */
  before?: string;
}

export async function listApprovals(ctx: ClientContext, options: ListApprovalsOptions = {}): Promise<ApprovalRow[]> {
  const limit = options.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new InputError('limit', `must be a whole number from 1 to 1000, got ${limit}`);
  return listRows(
    ctx.client,
    queries.approvals(ctx.workspaceId, options.status, options.before),
    toApprovalRow,
    limit,
    Math.max(limit, 1000),
  );
}
