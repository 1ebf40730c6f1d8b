import { Validator, type Schema } from '@cfworker/json-schema';
import type { Duration } from '@temporalio/common';
import type { ApprovalInput } from './approval.js';
import type { PauseInput } from './pause.js';
import { LIMITS } from './constants.js';
import { InputError } from './errors.js';
import { checkId, checkIdentity, checkText, checkTimeout, jsonOf } from './input.js';
import type { NotifyPlan } from './notify.js';

/** What an approval asks. Every way to ask (`HitlClient`, `requiresApproval`, workflow code) takes these options. */
export interface ApprovalRequest {
  /** What the human approves, e.g. `drop_table`. */
  action: string;
  /** Why, in a line the approver reads. */
  reason?: string;
  /** How long to wait for a decision, e.g. `'15m'`. @default `${config.defaultTimeout}s` */
  timeout?: Duration;
  /** What an unanswered request becomes. @default 'deny' */
  onTimeout?: 'deny' | 'approve';
  /** The call's named arguments: shown to the approver, and the base an edit applies to. */
  args?: Record<string, unknown>;
  /** JSON Schema the arguments must match after an approver's edit; an edit that does not is refused. */
  argsSchema?: Record<string, unknown>;
  /** The task this approval belongs to (the platform's `task_id`). */
  taskId?: string;
  /** Who asks: the user the agent acts for. With four-eyes on, they may not decide, and it is required. */
  requestedBy?: string;
  /** Distinct approvals needed to grant. @default config.requiredApprovals (1) */
  requiredApprovals?: number;
  /** Refuse a decision by `requestedBy`. @default config.fourEyes (false) */
  fourEyes?: boolean;
  /** Only these may decide: names, or `group:<name>` for a group of `hitl.groups`. @default anyone of the workspace */
  approvers?: string[];
  /** Channel names to notify (from `hitl.channels`). @default the configured channels, less `escalate_to` */
  channels?: string[];
  /** Notify the channels again this long after the request while undecided, e.g. `'30m'`. @default config.remindAfter */
  remindAfter?: Duration;
  /** Notify `escalateTo` this long after the request while undecided, e.g. `'2h'`. @default config.escalateAfter */
  escalateAfter?: Duration;
  /** Channel names that get the escalation. @default config.escalateTo */
  escalateTo?: string[];
}

/** Which approval: a given id, one derived from an idempotency key, or a new one. */
export interface ApprovalIdentity {
  /** Use this id. @default derived from `idempotencyKey`, else a new random id */
  approvalId?: string;
  /** e.g. `${runId}:${toolCallId}`: a caller that retries with the same key gets the same approval, not a second one. */
  idempotencyKey?: string;
}

/** The defaults a request falls back to: the agent's policy from config. */
export interface RequestPolicy {
  /** Seconds. */
  defaultTimeout: number;
  requiredApprovals: number;
  fourEyes: boolean;
  /** The configured channels; a dashboard channel without a platform URL sends nothing (the gateway inbox shows it). */
  channels?: { type: string; name?: string; platformUrl?: string }[];
  /** Seconds. */
  remindAfter?: number;
  /** Seconds. */
  escalateAfter?: number;
  escalateTo?: string[];
  /** Notify channels of pauses too. */
  notifyPauses?: boolean;
  groups?: Record<string, string[]>;
}

/** Where a request's owner, defaults and ids come from; the client and workflow code each bring their own id source. */
export interface RequestContext {
  workspaceId: string;
  policy: RequestPolicy;
  /** A fresh approval id (the client: a random UUID; a workflow: its deterministic `uuid4()`). */
  newId: () => string;
  /** The approval id for an idempotency key in a workspace. */
  idFor: (workspaceId: string, idempotencyKey: string) => string;
}

/**
 * Checks and normalises an approval request into the approval workflow's input: limits, defaults, the schema, the id.
 * Pure and sandbox-safe. @throws InputError naming the field and the fix; nothing is started.
 */
export function buildApprovalInput(o: ApprovalRequest & ApprovalIdentity, ctx: RequestContext): ApprovalInput {
  const action = checkText('action', o?.action, LIMITS.actionLength);
  if (!action.trim()) throw new InputError('action', 'must name the action to approve, e.g. "drop_table"');
  if (o.approvalId !== undefined) checkId('approvalId', o.approvalId);
  if (o.idempotencyKey !== undefined) checkText('idempotencyKey', o.idempotencyKey, LIMITS.idempotencyKeyLength);
  const approvalId = o.approvalId ?? (o.idempotencyKey ? ctx.idFor(ctx.workspaceId, o.idempotencyKey) : ctx.newId());
  const timeout = o.timeout ?? `${ctx.policy.defaultTimeout}s`;
  checkTimeout('timeout', timeout);
  const requiredApprovals = o.requiredApprovals ?? ctx.policy.requiredApprovals;
  if (!Number.isInteger(requiredApprovals) || requiredApprovals < 1)
    throw new InputError('requiredApprovals', 'must be a whole number ≥ 1');
  if (o.onTimeout !== undefined && o.onTimeout !== 'deny' && o.onTimeout !== 'approve') {
    throw new InputError('onTimeout', "must be 'deny' or 'approve'");
  }
  if (o.args !== undefined && (typeof o.args !== 'object' || o.args === null || Array.isArray(o.args))) {
    throw new InputError('args', 'must be an object of argument names to values');
  }
  if (o.args !== undefined && jsonOf('args', o.args).length > LIMITS.argsLength) {
    throw new InputError('args', `are larger than ${LIMITS.argsLength} characters once serialised; pass a summary instead`);
  }
  const fourEyes = o.fourEyes ?? ctx.policy.fourEyes;
  const requestedBy = checkIdentity('requestedBy', o.requestedBy);
  if (fourEyes && !requestedBy) {
    throw new InputError(
      'requestedBy',
      'four-eyes is on: name who asks (the user the agent acts for) so that they cannot approve their own request',
    );
  }
  if (o.argsSchema !== undefined) {
    jsonOf('argsSchema', o.argsSchema);
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
    ...(requestedBy && { requestedBy }),
    ...(o.args && { args: o.args }),
    ...(o.argsSchema && { argsSchema: o.argsSchema }),
    ...(o.taskId && { taskId: checkId('taskId', o.taskId) }),
    requiredApprovals,
    fourEyes,
    ...(o.approvers !== undefined && { approvers: expandApprovers(o.approvers, ctx.policy.groups ?? {}) }),
    ...notifyOf(o, ctx.policy),
  };
}

/** Names and `group:<name>` entries, expanded to names. @throws InputError naming `approvers`. */
function expandApprovers(list: unknown, groups: Record<string, string[]>): string[] {
  if (!Array.isArray(list) || list.length === 0) {
    throw new InputError('approvers', "must be a non-empty list of names or 'group:<name>' entries, e.g. ['alice', 'group:ops']");
  }
  const names = new Set<string>();
  for (const entry of list) {
    const name = checkIdentity('approvers', entry, true)!;
    if (!name.startsWith('group:')) names.add(name);
    else {
      const members = groups[name.slice(6)];
      if (!members) throw new InputError('approvers', `unknown group '${name.slice(6)}': define it under hitl.groups in config.yaml`);
      for (const m of members) names.add(m);
    }
  }
  if (names.size > 100) throw new InputError('approvers', `names ${names.size} people; the limit is 100`);
  return [...names];
}

/** The notification plan of a request: its own options over the configured policy; nothing when nobody is to be told. */
function notifyOf(
  o: Pick<ApprovalRequest, 'channels' | 'remindAfter' | 'escalateAfter' | 'escalateTo'>,
  policy: RequestPolicy,
  pause = false,
): { notify?: NotifyPlan } {
  const names = (field: string, v: unknown): string[] => {
    if (!Array.isArray(v)) throw new InputError(field, "must be a list of channel names, e.g. ['ops-slack']");
    return v.map((n) => checkText(field, n, 40));
  };
  const escalateTo = o.escalateTo !== undefined ? names('escalateTo', o.escalateTo) : (policy.escalateTo ?? []);
  const configured = (policy.channels ?? [])
    .filter((c) => c.type !== 'dashboard' || c.platformUrl !== undefined)
    .filter((c) => !(pause && c.type === 'dashboard'))
    .map((c) => c.name ?? c.type)
    .filter((n) => !escalateTo.includes(n));
  const channels = o.channels !== undefined ? names('channels', o.channels) : configured;
  const remindAfter = o.remindAfter ?? (policy.remindAfter !== undefined ? `${policy.remindAfter}s` : undefined);
  const escalateAfter = o.escalateAfter ?? (policy.escalateAfter !== undefined ? `${policy.escalateAfter}s` : undefined);
  if (remindAfter !== undefined) checkTimeout('remindAfter', remindAfter);
  if (escalateAfter !== undefined) checkTimeout('escalateAfter', escalateAfter);
  if (o.escalateTo !== undefined && escalateAfter === undefined) {
    throw new InputError('escalateAfter', "is needed with escalateTo: when to escalate, e.g. '1h'");
  }
  const escalates = escalateAfter !== undefined && escalateTo.length > 0;
  if (channels.length === 0 && !escalates) return {};
  return {
    notify: {
      channels,
      ...(remindAfter !== undefined && channels.length > 0 && { remindAfter: String(remindAfter) }),
      ...(escalates && { escalateAfter: String(escalateAfter), escalateTo }),
    },
  };
}

/** Checks and normalises a pause request into the pause workflow's input. @throws InputError; nothing is started. */
export function buildPauseInput(
  taskId: string,
  reason: string | undefined,
  options: { timeout?: Duration } & Pick<ApprovalRequest, 'channels' | 'remindAfter' | 'escalateAfter' | 'escalateTo'>,
  ctx: Pick<RequestContext, 'workspaceId' | 'policy'>,
): PauseInput {
  const asked = options?.channels !== undefined || options?.escalateTo !== undefined;
  const input: PauseInput = {
    taskId: checkId('taskId', taskId),
    reason: checkText('reason', reason, LIMITS.reasonLength),
    owner: ctx.workspaceId,
    timeout: options?.timeout ?? `${ctx.policy.defaultTimeout}s`,
    ...(ctx.policy.notifyPauses || asked ? notifyOf(options ?? {}, ctx.policy, true) : {}),
  };
  checkTimeout('timeout', input.timeout);
  return input;
}
