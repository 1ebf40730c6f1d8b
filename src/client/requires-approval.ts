import { StructuredTool, tool as makeTool } from '@langchain/core/tools';
import { toJsonSchema } from '@langchain/core/utils/json_schema';
import { errorChain } from './errors.js';
import { HitlClient } from './hitl-client.js';
import { LIMITS } from '../common/constants.js';
import { gateError, notApproved } from '../common/gate.js';
import type { ApprovalRequest } from '../common/request.js';
import { buildReason, namedArguments } from '../common/reason.js';

/** How a gated function asks: the request options that are the same for every call, plus the gate's own. */
export interface RequiresApprovalOptions extends Partial<
  Pick<ApprovalRequest, 'action' | 'timeout' | 'onTimeout' | 'requiredApprovals' | 'fourEyes'>
> {
  /** e.g. `'Drop table {table_name}'`, filled from the call's named arguments. @default `Args: k=v, …` */
  reasonTemplate?: string;
  /** Roles that skip the gate. @default config.bypassRoles */
  bypassRoles?: string[];
  /** Re-attach key for a call; tools default to the run's thread id and the tool call id when present. */
  idempotencyKey?: (named: Record<string, unknown>) => string | undefined;
  /** `ApprovalRequest.requestedBy`, or a function of the call's named arguments. */
  requestedBy?: string | ((named: Record<string, unknown>) => string | undefined);
}

/** What a gated call returns instead of running, as in the reference. */
export interface GateRefusal {
  success: false;
  error: string;
  approval_id?: string;
}

type AsyncFn = (...args: any[]) => Promise<unknown>;
type Gated<F extends AsyncFn> = (...args: Parameters<F>) => Promise<Awaited<ReturnType<F>> | GateRefusal>;

interface GateCall {
  action: string;
  named: Record<string, unknown>;
  argsSchema?: Record<string, unknown>;
  idempotencyKey?: string;
}

/** Asks for approval, then runs `run` (with the edited arguments when an approver edited them). */
async function gate<R>(
  hitl: HitlClient,
  o: RequiresApprovalOptions,
  call: GateCall,
  run: (edited?: Record<string, unknown>) => Promise<R>,
): Promise<R | GateRefusal> {
  const bypass = o.bypassRoles ?? hitl.config.bypassRoles;
  let bypassed = false;
  if (bypass.length > 0) {
    try {
      bypassed = (await hitl.roles()).some((r) => bypass.includes(r));
    } catch {
      // A failing role lookup falls through to the gate, as in the reference.
    }
  }
  if (bypassed) return run(); // outside the try: the function's own errors are its caller's, and it runs once
  const reason = clip(buildReason(o.reasonTemplate, call.named), LIMITS.reasonLength);
  const requestedBy = typeof o.requestedBy === 'function' ? o.requestedBy(call.named) : o.requestedBy;
  let result;
  try {
    result = await hitl.requestApproval({
      action: call.action,
      reason,
      args: call.named,
      ...(call.argsSchema && { argsSchema: call.argsSchema }),
      ...(call.idempotencyKey && { idempotencyKey: call.idempotencyKey }),
      ...(o.timeout !== undefined && { timeout: o.timeout }),
      ...(o.onTimeout && { onTimeout: o.onTimeout }),
      ...(o.requiredApprovals !== undefined && { requiredApprovals: o.requiredApprovals }),
      ...(o.fourEyes !== undefined && { fourEyes: o.fourEyes }),
      ...(requestedBy && { requestedBy }),
    });
  } catch (err) {
    return gateError(errorChain(err));
  }
  if (!result.approved) return notApproved(call.action, result);
  return run(result.edited_args);
}

/**
 * Gates an async function or a LangChain tool behind a human approval: it runs only when approved.
 * @example
 * const dropTable = requiresApproval(hitl, { reasonTemplate: 'Drop table {table}', bypassRoles: ['admin'] })(
 *   tool(async ({ table }) => db.drop(table), { name: 'drop_table', schema: z.object({ table: z.string() }) }),
 * );
 */
export function requiresApproval(hitl: HitlClient, options: RequiresApprovalOptions = {}) {
  function wrap<T extends StructuredTool>(target: T): StructuredTool;
  function wrap<F extends AsyncFn>(target: F): Gated<F>;
  function wrap(target: StructuredTool | AsyncFn): StructuredTool | AsyncFn {
    if (target instanceof StructuredTool) return wrapTool(hitl, options, target);
    if (typeof target !== 'function') throw new TypeError('requiresApproval wraps an async function or a LangChain tool');
    const action = options.action || target.name || 'anonymous action';
    return async (...args: unknown[]) => {
      const named = namedArguments(args);
      return gate(hitl, options, { action, named, ...keyFor(options, named) }, (edited) =>
        target(...(edited ? [{ ...named, ...edited }, ...args.slice(1)] : args)),
      );
    };
  }
  return wrap;
}

function wrapTool(hitl: HitlClient, options: RequiresApprovalOptions, original: StructuredTool): StructuredTool {
  const action = options.action || original.name;
  const argsSchema = toJsonSchema(original.schema as Parameters<typeof toJsonSchema>[0]) as Record<string, unknown>;
  return makeTool(
    async (input: Record<string, unknown>, config) => {
      const toolCallId = (config as { toolCall?: { id?: string } } | undefined)?.toolCall?.id;
      const thread = (config as { configurable?: { thread_id?: string } } | undefined)?.configurable?.thread_id;
      const fallback = toolCallId ? { idempotencyKey: `${thread ?? ''}:${original.name}:${toolCallId}` } : {};
      const key = keyFor(options, input);
      return gate(hitl, options, { action, named: input, argsSchema, ...fallback, ...key }, (edited) =>
        original.invoke(edited ? { ...input, ...edited } : input, config),
      );
    },
    { name: original.name, description: original.description, schema: original.schema as never },
  ) as unknown as StructuredTool;
}

function keyFor(options: RequiresApprovalOptions, named: Record<string, unknown>): { idempotencyKey?: string } {
  const key = options.idempotencyKey?.(named);
  return key ? { idempotencyKey: key } : {};
}

/**
 * Method-decorator form of `requiresApproval`; `hitl` may be a client or a function of the instance.
 * @example
 * class Ops { @RequiresApproval((self: Ops) => self.hitl, { reasonTemplate: 'Refund {amount}' }) async refund(a: { amount: number }) {} }
 */
export function RequiresApproval<This>(hitl: HitlClient | ((self: This) => HitlClient), options: RequiresApprovalOptions = {}) {
  return function <F extends (this: This, ...args: any[]) => Promise<any>>(method: F, context: ClassMethodDecoratorContext<This, F>) {
    const action = options.action || String(context.name);
    return async function (this: This, ...args: Parameters<F>) {
      const client = hitl instanceof HitlClient ? hitl : hitl(this);
      const gated = requiresApproval(client, { ...options, action })((...a: unknown[]) => method.apply(this, a as Parameters<F>));
      return gated(...args);
    } as unknown as F;
  };
}

const clip = (text: string, limit: number): string => (text.length > limit ? `${text.slice(0, limit - 1)}…` : text);
