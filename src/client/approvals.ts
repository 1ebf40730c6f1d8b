import { createHash, randomUUID } from 'node:crypto';
import { Validator, type Schema } from '@cfworker/json-schema';
import { WorkflowExecutionAlreadyStartedError, type WorkflowHandle } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { decideUpdate, type ApprovalInput, type ApprovalResult, type ApprovalStatus, type DecisionAccepted } from '../common/approval.js';
import { approvalWorkflowId, APPROVAL_ID_PREFIX, LIMITS } from '../common/constants.js';
import { InputError } from '../common/errors.js';
import { checkId, checkText, checkTimeout } from '../common/input.js';
import { HitlAction, HitlKind, HitlOwner, HitlStatus } from '../common/search-attributes.js';
import type { approvalWorkflow } from '../workflows/approval.js';
import type { ClientContext } from './context.js';
import { isGone, updateRejection } from './errors.js';

export interface RequestApprovalOptions {
  /** What the human approves, e.g. `drop_table`. */
  action: string;
  reason?: string;
  /** Use this id; by default one is derived from `idempotencyKey`, else random. */
  approvalId?: string;
  /** e.g. `${runId}:${toolCallId}`: a caller that retries with the same key waits on the same approval. */
  idempotencyKey?: string;
  /** @default `${config.defaultTimeout}s` */
  timeout?: Duration;
  /** What an unanswered request becomes. @default 'deny' */
  onTimeout?: 'deny' | 'approve';
  args?: Record<string, unknown>;
  /** JSON Schema an edited set of arguments must match. */
  argsSchema?: Record<string, unknown>;
  taskId?: string;
  /** Who asks; with four-eyes on, they may not decide. */
  requestedBy?: string;
  /** @default config.requiredApprovals */
  requiredApprovals?: number;
  /** @default config.fourEyes */
  fourEyes?: boolean;
}

export interface DecideOptions {
  decision: 'approved' | 'denied';
  decidedBy: string;
  message?: string;
  editedArgs?: Record<string, unknown>;
}

export type DecideResult = DecisionAccepted | { success: false; approval_id: string; error: string };

/** The platform's approval row, plus `outcome`, the detailed status. */
export interface ApprovalRow {
  id: string;
  task_id: string | null;
  action: string;
  reason: string;
  /** The platform's three states: a timeout or cancel is `denied` (or `approved` under an approve-on-timeout policy). */
  status: 'pending' | 'approved' | 'denied';
  outcome: ApprovalStatus;
  decided_by: string | null;
  decided_at: string | null;
  created_at: string;
}

/** The approval id for a caller's idempotency key: the same key in the same workspace, the same approval. */
export function approvalIdFor(workspaceId: string, idempotencyKey: string): string {
  return createHash('sha256').update(`${workspaceId}\n${idempotencyKey}`).digest('hex').slice(0, 32);
}

export async function requestApproval(ctx: ClientContext, options: RequestApprovalOptions): Promise<ApprovalResult> {
  const input = toInput(ctx, options);
  const handle = await startOrAttach(ctx, input, fingerprint(input));
  return handle.result();
}

/** What a re-attaching caller must be asking for: the same action with the same arguments. */
function fingerprint(input: ApprovalInput): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : typeof v === 'object' && v !== null
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, x]) => [k, canonical(x)]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical({ action: input.action, args: input.args ?? {} })))
    .digest('hex')
    .slice(0, 32);
}

function toInput(ctx: ClientContext, o: RequestApprovalOptions): ApprovalInput {
  const action = checkText('action', o?.action, 200);
  if (!action.trim()) throw new InputError('action', 'must name the action to approve, e.g. "drop_table"');
  if (o.approvalId !== undefined) checkId('approvalId', o.approvalId);
  if (o.idempotencyKey !== undefined) checkText('idempotencyKey', o.idempotencyKey, 500);
  const approvalId = o.approvalId ?? (o.idempotencyKey ? approvalIdFor(ctx.workspaceId, o.idempotencyKey) : randomUUID());
  const timeout = o.timeout ?? `${ctx.config.defaultTimeout}s`;
  checkTimeout('timeout', timeout);
  const requiredApprovals = o.requiredApprovals ?? ctx.config.requiredApprovals;
  if (!Number.isInteger(requiredApprovals) || requiredApprovals < 1)
    throw new InputError('requiredApprovals', 'must be a whole number ≥ 1');
  if (o.onTimeout !== undefined && o.onTimeout !== 'deny' && o.onTimeout !== 'approve')
    throw new InputError('onTimeout', "must be 'deny' or 'approve'");
  if (o.args !== undefined && JSON.stringify(o.args).length > LIMITS.argsLength) {
    throw new InputError('args', `are larger than ${LIMITS.argsLength} characters once serialised; pass a summary instead`);
  }
  const fourEyes = o.fourEyes ?? ctx.config.fourEyes;
  if (fourEyes && !o.requestedBy) {
    throw new InputError(
      'requestedBy',
      'four-eyes is on: name who asks (the user the agent acts for) so that they cannot approve their own request',
    );
  }
  if (o.argsSchema !== undefined) {
    try {
      new Validator(o.argsSchema as Schema, '7', false).validate(o.args ?? {});
    } catch (err) {
      throw new InputError('argsSchema', `is not a usable JSON Schema: ${(err as Error).message}`);
    }
  }
  return {
    approvalId,
    action,
    reason: checkText('reason', o.reason, LIMITS.reasonLength),
    owner: ctx.workspaceId,
    timeout,
    ...(o.onTimeout && { onTimeout: o.onTimeout }),
    channels: ctx.config.channels.map((c) => c.type),
    ...(o.requestedBy && { requestedBy: o.requestedBy }),
    ...(o.args && { args: o.args }),
    ...(o.argsSchema && { argsSchema: o.argsSchema }),
    ...(o.taskId && { taskId: checkId('taskId', o.taskId) }),
    requiredApprovals,
    fourEyes,
  };
}

type ApprovalHandle = WorkflowHandle<typeof approvalWorkflow>;

/** Starts the approval, or re-attaches to the one with this id (running or decided) instead of asking twice. */
async function startOrAttach(ctx: ClientContext, input: ApprovalInput, print: string): Promise<ApprovalHandle> {
  const workflowId = approvalWorkflowId(input.approvalId);
  try {
    return await ctx.client.workflow.start<typeof approvalWorkflow>('approvalWorkflow', {
      workflowId,
      taskQueue: ctx.taskQueue,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: HitlKind, value: 'approval' },
        { key: HitlOwner, value: input.owner },
        { key: HitlAction, value: input.action },
        { key: HitlStatus, value: 'pending' },
      ],
      memo: { reason: input.reason, task_id: input.taskId ?? null, requested_by: input.requestedBy ?? null, fingerprint: print },
      staticSummary: `Approve ${input.action}? ${input.reason.slice(0, 200)}`,
      staticDetails: `**Action** ${input.action}\n\n**Reason** ${input.reason || '(none given)'}\n\n**Workspace** ${input.owner}\n\n**Requested by** ${input.requestedBy ?? '(unknown)'}\n\n**Approval id** ${input.approvalId}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  const description = await ctx.client.workflow.getHandle(workflowId).describe();
  if (description.typedSearchAttributes.get(HitlOwner) !== input.owner) {
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
  const handle = ctx.client.workflow.getHandle<typeof approvalWorkflow>(approvalWorkflowId(approvalId));
  try {
    return await handle.executeUpdate(decideUpdate, { args: [{ ...options, workspaceId: ctx.workspaceId }] });
  } catch (err) {
    const rejection = updateRejection(err);
    if (rejection !== undefined) return { success: false, approval_id: approvalId, error: rejection };
    if (!isGone(err)) throw err;
  }
  // Closed or never existed: say which, without telling another workspace what it decided.
  const description = await handle.describe().catch((err: unknown) => (isGone(err) ? undefined : Promise.reject(err)));
  if (!description) return { success: false, approval_id: approvalId, error: `approval '${approvalId}' not found` };
  if (description.typedSearchAttributes.get(HitlOwner) !== ctx.workspaceId) {
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

export async function listApprovals(ctx: ClientContext, options: { status?: ApprovalStatus; limit?: number } = {}): Promise<ApprovalRow[]> {
  const limit = options.limit ?? 50;
  let query = `WorkflowType = 'approvalWorkflow' AND HitlKind = 'approval' AND HitlOwner = '${ctx.workspaceId}'`;
  if (options.status) query += ` AND HitlStatus = '${checkId('status', options.status)}'`;
  const rows: ApprovalRow[] = [];
  for await (const wf of ctx.client.workflow.list({ query })) {
    const memo = (wf.memo ?? {}) as Record<string, unknown>;
    const outcome = (wf.typedSearchAttributes.get(HitlStatus) ?? 'pending') as ApprovalStatus;
    rows.push({
      id: wf.workflowId.slice(APPROVAL_ID_PREFIX.length),
      task_id: (memo.task_id as string | null) ?? null,
      action: wf.typedSearchAttributes.get(HitlAction) ?? '',
      reason: (memo.reason as string) ?? '',
      status: platformStatus(outcome, memo.approved),
      outcome,
      decided_by: (memo.decided_by as string | null) ?? null,
      decided_at: (memo.decided_at as string | null) ?? null,
      created_at: wf.startTime.toISOString(),
    });
    if (rows.length >= 1000) break;
  }
  return rows.sort((a, b) => b.created_at.localeCompare(a.created_at)).slice(0, limit);
}

function platformStatus(outcome: ApprovalStatus, approved: unknown): ApprovalRow['status'] {
  if (outcome === 'pending' || outcome === 'approved' || outcome === 'denied') return outcome;
  return approved === true ? 'approved' : 'denied';
}
