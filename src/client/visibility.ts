/** Every visibility query temporal-hitl makes, their quoting, and the mapping of listed workflows to rows. */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { ApprovalStatus } from '../common/approval.js';
import { APPROVAL_ID_PREFIX, PAUSE_ID_PREFIX } from '../common/constants.js';
import { InputError } from '../common/errors.js';
import { checkId } from '../common/input.js';
import { PauseStatus } from '../common/pause.js';
import { HitlAction, HitlKindValue, HitlOwner, HitlStatus } from '../common/search-attributes.js';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO time for a query, re-serialised so that nothing but a timestamp reaches it. */
function isoTime(field: string, value: string): string {
  const ms = ISO_TIME.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms))
    throw new InputError(field, `must be an ISO time such as a row's created_at, got ${JSON.stringify(value).slice(0, 60)}`);
  return new Date(ms).toISOString();
}

/** A value inside a visibility query. Ids are checked to hold no quote or backslash; this guards anything else. */
const quote = (field: string, value: string): string => `'${checkId(field, value)}'`;

export const queries = {
  /** Running pauses of a workspace that are still waiting. */
  pausedTasks: (workspaceId: string): string =>
    `WorkflowType = 'pauseWorkflow' AND ExecutionStatus = 'Running' AND HitlKind = '${HitlKindValue.pause}' AND HitlOwner = ${quote('workspaceId', workspaceId)} AND HitlStatus = '${PauseStatus.paused}'`,
  /** A workspace's approvals, optionally of one status, optionally started before a time (paging). */
  approvals: (workspaceId: string, status?: ApprovalStatus, before?: string): string =>
    `WorkflowType = 'approvalWorkflow' AND HitlKind = '${HitlKindValue.approval}' AND HitlOwner = ${quote('workspaceId', workspaceId)}` +
    (status ? ` AND HitlStatus = ${quote('status', status)}` : '') +
    (before ? ` AND StartTime < '${isoTime('before', before)}'` : ''),
  /** Pending approvals of every workspace (the gateway's admin listing). */
  pendingApprovalsEverywhere: (): string =>
    `WorkflowType = 'approvalWorkflow' AND ExecutionStatus = 'Running' AND HitlKind = '${HitlKindValue.approval}' AND HitlStatus = '${ApprovalStatus.pending}'`,
  /** Every run of one workflow id. */
  runsOf: (workflowId: string): string => `WorkflowId = ${quote('workflowId', workflowId)}`,
};

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

/** A listed approval workflow as the platform's row. */
export function toApprovalRow(wf: WorkflowExecutionInfo): ApprovalRow {
  const memo = (wf.memo ?? {}) as Record<string, unknown>;
  const outcome = (wf.typedSearchAttributes.get(HitlStatus) ?? ApprovalStatus.pending) as ApprovalStatus;
  return {
    id: wf.workflowId.slice(APPROVAL_ID_PREFIX.length),
    task_id: (memo.task_id as string | null) ?? null,
    action: wf.typedSearchAttributes.get(HitlAction) ?? '',
    reason: (memo.reason as string) ?? '',
    status: platformStatus(outcome, memo.approved),
    outcome,
    decided_by: (memo.decided_by as string | null) ?? null,
    decided_at: (memo.decided_at as string | null) ?? null,
    created_at: wf.startTime.toISOString(),
  };
}

/** The owner of a listed or described workflow. */
export const ownerOf = (wf: Pick<WorkflowExecutionInfo, 'typedSearchAttributes'>): string | undefined =>
  wf.typedSearchAttributes.get(HitlOwner);

/** The task id of a listed pause workflow. */
export const taskIdOf = (wf: Pick<WorkflowExecutionInfo, 'workflowId'>): string => wf.workflowId.slice(PAUSE_ID_PREFIX.length);

/** Lists `query`, newest first, at most `limit` rows (visibility pages through at most `scan` workflows). */
export async function listRows<R extends { created_at: string }>(
  client: Client,
  query: string,
  toRow: (wf: WorkflowExecutionInfo) => R,
  limit: number,
  scan = 1000,
): Promise<R[]> {
  const rows: R[] = [];
  for await (const wf of client.workflow.list({ query })) {
    rows.push(toRow(wf));
    if (rows.length >= scan) break;
  }
  return rows.sort((a, b) => b.created_at.localeCompare(a.created_at)).slice(0, limit);
}

function platformStatus(outcome: ApprovalStatus, approved: unknown): ApprovalRow['status'] {
  if (outcome === 'pending' || outcome === 'approved' || outcome === 'denied') return outcome;
  return approved === true ? 'approved' : 'denied';
}
