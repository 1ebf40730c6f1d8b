/**
 * How an approval or a pause workflow is started: its id, id policy, search attributes, memo and summary. One
 * definition for both starters: `HitlClient` (`client.workflow.start`) and workflow code (`startChild`), so the same
 * inbox, CLI and gateway see what either started.
 */
import type { SearchAttributePair, WorkflowIdReusePolicy } from '@temporalio/common';
import { ApprovalStatus, type ApprovalInput } from './approval.js';
import { approvalWorkflowId, pauseWorkflowId } from './constants.js';
import { PauseStatus, type PauseInput } from './pause.js';
import { HitlAction, HitlKind, HitlKindValue, HitlOwner, HitlStatus } from './search-attributes.js';
import { sha256Hex } from './sha256.js';

/** The start options both starters share; each adds its task queue (and a child its parent close policy). */
export interface HitlStartOptions<I> {
  workflowId: string;
  args: [I];
  workflowIdReusePolicy: WorkflowIdReusePolicy;
  typedSearchAttributes: SearchAttributePair[];
  memo?: Record<string, unknown>;
  staticSummary: string;
  staticDetails: string;
}

/**
 * The approval id for a caller's idempotency key: the same key in the same workspace, the same approval, whether a
 * client or workflow code asks.
 * @example approvalIdFor('ws-1', `${threadId}:drop_table:${toolCallId}`)
 */
export function approvalIdFor(workspaceId: string, idempotencyKey: string): string {
  return sha256Hex(`${workspaceId}\n${idempotencyKey}`).slice(0, 32);
}

/** What a re-attaching caller must be asking for: the same action with the same arguments (kept in the memo). */
export function approvalFingerprint(input: Pick<ApprovalInput, 'action' | 'args'>): string {
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
  return sha256Hex(JSON.stringify(canonical({ action: input.action, args: input.args ?? {} }))).slice(0, 32);
}

/** An approval's start: one run per approval id ever (`REJECT_DUPLICATE`), so a decided approval is never asked again. */
export function approvalStartOptions(input: ApprovalInput): HitlStartOptions<ApprovalInput> {
  return {
    workflowId: approvalWorkflowId(input.approvalId),
    args: [input],
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    typedSearchAttributes: [
      { key: HitlKind, value: HitlKindValue.approval },
      { key: HitlOwner, value: input.owner },
      { key: HitlAction, value: input.action },
      { key: HitlStatus, value: ApprovalStatus.pending },
    ],
    memo: {
      reason: input.reason,
      task_id: input.taskId ?? null,
      requested_by: input.requestedBy ?? null,
      fingerprint: approvalFingerprint(input),
    },
    staticSummary: `Approve ${input.action}? ${input.reason.slice(0, 200)}`,
    staticDetails: `**Action** ${input.action}\n\n**Reason** ${input.reason || '(none given)'}\n\n**Workspace** ${input.owner}\n\n**Requested by** ${input.requestedBy ?? '(unknown)'}\n\n**Approval id** ${input.approvalId}`,
  };
}

/** A pause's start: a task id may be paused again once its last pause ended (`ALLOW_DUPLICATE`). */
export function pauseStartOptions(input: PauseInput): HitlStartOptions<PauseInput> {
  return {
    workflowId: pauseWorkflowId(input.taskId),
    args: [input],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    typedSearchAttributes: [
      { key: HitlKind, value: HitlKindValue.pause },
      { key: HitlOwner, value: input.owner },
      { key: HitlStatus, value: PauseStatus.paused },
    ],
    staticSummary: `Paused: ${input.taskId}${input.reason ? ` — ${input.reason.slice(0, 200)}` : ''}`,
    staticDetails: `**Task** ${input.taskId}\n\n**Workspace** ${input.owner}\n\n**Reason** ${input.reason || '(none given)'}\n\n**Timeout** ${String(input.timeout)}`,
  };
}
