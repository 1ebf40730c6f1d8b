import { isCancellation } from '@temporalio/workflow';
import { LIMITS } from '../common/constants.js';
import { InputError } from '../common/errors.js';
import { clip, gateError, notApproved, type GateRefusal } from '../common/gate.js';
import { buildReason, namedArguments } from '../common/reason.js';
import { asWorkflowFailure, assertInWorkflow, requestApproval, type WorkflowApprovalOptions } from './agent-api.js';

/** How a gated activity asks: the request options that are the same for every call, plus the gate's own. */
export interface GatedOptions extends Omit<
  WorkflowApprovalOptions,
  'action' | 'reason' | 'args' | 'approvalId' | 'idempotencyKey' | 'requestedBy'
> {
  /** What the human approves. @default the function's name; required for an activity from `proxyActivities` (its functions have none) */
  action?: string;
  /** e.g. `'Drop table {table}'`, filled from the call's named arguments (never evaluated). @default `Args: k=v, …` */
  reasonTemplate?: string;
  /** The approval id's key for a call, e.g. from a tool call id; the same key in one run joins the same approval. */
  idempotencyKey?: (named: Record<string, unknown>) => string | undefined;
  /** Who asks (the user the agent acts for), or a function of the call's named arguments. */
  requestedBy?: string | ((named: Record<string, unknown>) => string | undefined);
}

/** Names the SDK gives the functions of `proxyActivities` / `proxyLocalActivities`: not the activity's name. */
const PROXY_NAMES = new Set(['activityProxyFunction', 'localActivityProxyFunction']);

/**
 * The workflow-side twin of `requiresApproval`: wraps an activity (from `proxyActivities`) that takes one object
 * argument, so that it is scheduled only when a human approves, with the approver's edited arguments when they edited
 * them. Otherwise the call returns `{ success: false, error: "Action 'X' not approved: …", approval_id }` and the
 * activity is never scheduled. No bypass roles here: a workflow that may skip the gate calls the activity itself.
 * @example
 * const { dropTable } = proxyActivities<typeof activities>({ startToCloseTimeout: '1m' });
 * const gatedDropTable = gated(dropTable, { action: 'drop_table', reasonTemplate: 'Drop table {table}', timeout: '1h' });
 * const result = await gatedDropTable({ table: 'events_2023' }); // runs only once approved
 */
export function gated<A extends object, R>(
  activity: (args: A) => Promise<R>,
  options: GatedOptions = {},
): (args: A) => Promise<R | GateRefusal> {
  const action = asWorkflowFailure(() => {
    if (typeof activity !== 'function') throw new InputError('activity', 'gated wraps an activity function, e.g. one from proxyActivities');
    const name = options?.action || (PROXY_NAMES.has(activity.name) ? '' : activity.name);
    if (!name) {
      throw new InputError('action', "is required: functions from proxyActivities carry no activity name; pass { action: 'drop_table' }");
    }
    return name;
  });
  const { action: _action, reasonTemplate, idempotencyKey, requestedBy, ...request } = options ?? {};
  return async (args: A): Promise<R | GateRefusal> => {
    assertInWorkflow('gated');
    const named = namedArguments([args]);
    if (named !== (args as unknown))
      return gateError(`'${action}' takes one object of named arguments, got ${Array.isArray(args) ? 'an array' : typeof args}`);
    const key = idempotencyKey?.(named);
    const by = typeof requestedBy === 'function' ? requestedBy(named) : requestedBy;
    let result;
    try {
      result = await requestApproval({
        ...request,
        action,
        reason: clip(buildReason(reasonTemplate, named), LIMITS.reasonLength),
        args: named,
        ...(key && { idempotencyKey: key }),
        ...(by && { requestedBy: by }),
      });
    } catch (err) {
      if (isCancellation(err)) throw err;
      return gateError(err instanceof Error ? err.message : String(err));
    }
    if (!result.approved) return notApproved(action, result);
    return activity(result.edited_args ? ({ ...named, ...result.edited_args } as A) : args);
  };
}
