import { Validator, type Schema } from '@cfworker/json-schema';
import type { Duration } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { LIMITS } from './constants.js';
import type { WaitAnswer, WaitInput } from './pause.js';
import { identityKey, messageProblem } from './identity.js';
import { isPlainObject } from './input.js';
import type { Delivery, NotifyPlan, NotifyProgress } from './notify.js';

export const ApprovalStatus = {
  pending: 'pending',
  approved: 'approved',
  denied: 'denied',
  timeout: 'timeout',
  cancelled: 'cancelled',
} as const;
export type ApprovalStatus = (typeof ApprovalStatus)[keyof typeof ApprovalStatus];

/** How an approval ended, as the audit log and the caller see it; `failed` (the run failed or was terminated) only the client reports. */
export type ApprovalOutcome = 'granted' | 'denied' | 'timeout' | 'cancelled' | 'failed';

/** Input of `approvalWorkflow`. Channel names only: their secrets stay on the worker. */
export interface ApprovalInput {
  approvalId: string;
  action: string;
  reason: string;
  /** Workspace that asked; only it may decide. */
  owner: string;
  timeout: Duration;
  /** What an unanswered approval becomes. @default 'deny' */
  onTimeout?: 'deny' | 'approve';
  /** Unused: which channels notify is the worker's decision. Kept so that runs started with it still decode. */
  channels?: string[];
  /** Who asked (agent or user id); with `fourEyes`, they may not decide. */
  requestedBy?: string;
  /** The call's named arguments, shown to the approver and the base an edit applies to. */
  args?: Record<string, unknown>;
  /** JSON Schema of the arguments; an edit that does not match it is refused. */
  argsSchema?: Record<string, unknown>;
  taskId?: string;
  /** @default 1 */
  requiredApprovals?: number;
  /** @default false */
  fourEyes?: boolean;
  /** Only these people may decide (groups already expanded). @default anyone of the owner workspace */
  approvers?: string[];
  /** Who is notified, and when again. Channel names only. @default nobody */
  notify?: NotifyPlan;
  /** Set by the workflow itself when it continues as new: the state so far (the deadline stays the first run's). */
  continued?: { state: ApprovalState; unaudited: number };
}

/** A decision, by Update (`decide`) or Signal (`approve` / `deny`). */
export interface DecisionInput {
  /** Workspace of the decider; must be the approval's owner. */
  workspaceId: string;
  decision: 'approved' | 'denied';
  /** Who decides: a user id or name, recorded in the audit log. */
  decidedBy: string;
  /** Shown to the agent; with a denial it is the reason the agent reads. */
  message?: string;
  /** Approve with changed arguments: merged over the current arguments, checked against the schema. With a quorum, an edit that changes them restarts the count. */
  editedArgs?: Record<string, unknown>;
}

export interface DecisionAccepted {
  success: true;
  approval_id: string;
  /** `pending` while a quorum still needs approvals. */
  status: ApprovalStatus;
  approvals: number;
  required: number;
}

export interface ApprovalResult {
  approved: boolean;
  approval_id: string;
  outcome: ApprovalOutcome;
  decided_by?: string;
  decided_at?: string;
  message?: string;
  error?: string;
  /** The arguments to run with, when an approver edited them. */
  edited_args?: Record<string, unknown>;
  approvers?: string[];
}

export interface Vote {
  by: string;
  at: string;
  message?: string;
}

export interface RejectedDecision {
  at: string;
  workspaceId: string;
  decidedBy: string;
  decision: string;
  reason: string;
  via: 'signal' | 'update' | 'platform';
}

/** What the `state` query returns. */
export interface ApprovalState {
  approvalId: string;
  action: string;
  reason: string;
  owner: string;
  requestedBy?: string;
  taskId?: string;
  args?: Record<string, unknown>;
  /** JSON Schema an edit of `args` must match (shown so that an inbox can check an edit before sending it). */
  argsSchema?: Record<string, unknown>;
  status: ApprovalStatus;
  createdAt: string;
  deadline: string;
  requiredApprovals: number;
  fourEyes: boolean;
  /** Only these may decide. */
  approvers?: string[];
  approvals: Vote[];
  decidedBy?: string;
  decidedAt?: string;
  message?: string;
  editedArgs?: Record<string, unknown>;
  rejected: RejectedDecision[];
  /** Each channel's last delivery of each message kind (runs with notifications). */
  deliveries?: Delivery[];
  /** Reminders sent and whether it escalated (runs with notifications). */
  notified?: NotifyProgress;
}

export const decideUpdate = defineUpdate<DecisionAccepted, [DecisionInput]>('decide');
/** A waiting caller's answer, from the task that accepts the decision (runs started by this version); see `WaitAnswer`. */
export const waitForDecisionUpdate = defineUpdate<WaitAnswer<ApprovalResult>, [WaitInput]>('wait');
export const approveSignal = defineSignal<[Omit<DecisionInput, 'decision'>]>('approve');
export const denySignal = defineSignal<[Omit<DecisionInput, 'decision'>]>('deny');
export const approvalStateQuery = defineQuery<ApprovalState>('state');

/**
 * Why `input` may not decide the approval in `state`, or `undefined` when it may.
 * The one check behind the `decide` validator and the `approve`/`deny` signal handlers.
 * Replay-sensitive: it runs inside running workflows, so a change to what it accepts goes behind `patched()`: `strict`
 * (runs started by this version) adds decodable, bounded, typed identities compared case-insensitively.
 */
export function checkDecision(
  state: ApprovalState,
  argsSchema: Record<string, unknown> | undefined,
  input: unknown,
  strict = false,
): string | undefined {
  if (strict) {
    const why = messageProblem(input, 'decision', { decidedBy: true });
    if (why !== undefined) return why;
  }
  if (!isPlainObject(input)) return 'decision input must be an object { workspaceId, decision, decidedBy }';
  const { workspaceId, decision, decidedBy, message, editedArgs } = input;
  if (typeof workspaceId !== 'string' || workspaceId.trim() === '') {
    return 'workspaceId is required: an empty workspace may not decide an approval (set WORKSPACE_ID or pass workspaceId)';
  }
  if (decision !== 'approved' && decision !== 'denied') {
    return `decision must be 'approved' or 'denied', got ${strict ? String(JSON.stringify(decision)).slice(0, 40) : JSON.stringify(decision)}`;
  }
  if (typeof decidedBy !== 'string' || decidedBy.trim() === '') return 'decidedBy is required: name who decides';
  if (message !== undefined && typeof message !== 'string') return 'message must be a string';
  if (typeof message === 'string' && message.length > LIMITS.messageLength) {
    return `message is ${message.length} characters; the limit is ${LIMITS.messageLength}`;
  }
  if (workspaceId !== state.owner) {
    return `workspace '${workspaceId}' does not own approval '${state.approvalId}': only the workspace that asked may decide`;
  }
  if (state.status !== ApprovalStatus.pending) {
    return `approval '${state.approvalId}' is already decided: ${state.status}${state.decidedBy ? ` by ${state.decidedBy}` : ''}`;
  }
  const same = (a: unknown, b: unknown): boolean => (strict ? identityKey(a) === identityKey(b) : a === b);
  if (state.approvers && state.approvers.length > 0 && !state.approvers.some((a) => same(a, decidedBy))) {
    return `'${decidedBy}' is not among the assigned approvers of this approval (${state.approvers.slice(0, 5).join(', ')}${state.approvers.length > 5 ? ', …' : ''})`;
  }
  if (state.fourEyes && state.requestedBy !== undefined && same(decidedBy, state.requestedBy)) {
    return `four-eyes rule: '${decidedBy}' requested this approval and may not decide it`;
  }
  if (decision === 'approved' && state.approvals.some((v) => same(v.by, decidedBy))) {
    return `'${decidedBy}' has already approved; ${state.requiredApprovals - state.approvals.length} more approval(s) from other people needed`;
  }
  if (editedArgs !== undefined) {
    if (decision !== 'approved') return 'editedArgs go with an approval, not a denial';
    if (!isPlainObject(editedArgs)) return 'editedArgs must be an object of argument names to values';
    if (JSON.stringify(editedArgs).length > LIMITS.messageLength) return `editedArgs are larger than ${LIMITS.messageLength} characters`;
    if (argsSchema) {
      let result;
      try {
        result = new Validator(argsSchema as Schema, '7', false).validate({ ...(state.editedArgs ?? state.args), ...editedArgs });
      } catch (err) {
        // A schema the validator cannot compile must not wedge the workflow: refuse the edit, keep the approval.
        return `editedArgs cannot be checked, the tool's schema is unusable (${String((err as Error)?.message ?? err)}): approve without edits`;
      }
      if (!result.valid) {
        const detail = result.errors
          .filter((e) => e.keyword !== 'properties')
          .map((e) => `${e.instanceLocation.replace(/^#\/?/, '') || '(arguments)'}: ${e.error}`)
          .slice(0, 3)
          .join('; ');
        return `editedArgs do not match the tool's schema: ${detail}`;
      }
    }
  }
  return undefined;
}
