/**
 * The skeleton every HITL workflow shares: refusing a message, keeping refusals, waiting for an answer, the timeout or a
 * cancel, the ending that a cancel cannot interrupt, and the audit events.
 */
import { allHandlersFinished, ApplicationFailure, CancellationScope, condition, isCancellation, log } from '@temporalio/workflow';
import type { AuditEvent } from '../common/audit-event.js';
import { LIMITS, type FailureType } from '../common/constants.js';
import { durationMs } from '../common/duration.js';
import { record } from './record.js';

/** Milliseconds of a workflow input's timeout. */
export function timeoutOf(timeout: unknown): number {
  const ms = durationMs(timeout);
  if (ms === undefined || Number.isNaN(ms)) throw new TypeError(`Invalid duration string: '${String(timeout)}'`);
  return ms;
}

/**
 * The failure a refused Update throws. A refused Update leaves no trace in history, so the worker log keeps one
 * (e.g. a cross-workspace attempt, #265).
 */
export function refusal(type: FailureType, what: string, ids: Record<string, unknown>, input: unknown, why: string): ApplicationFailure {
  log.warn(`${what} refused`, { ...ids, callerWorkspace: (input as { workspaceId?: unknown })?.workspaceId, reason: why });
  return ApplicationFailure.create({ type, message: why, nonRetryable: true });
}

/** Appends a refusal to the state's list, keeping only the newest `LIMITS.rejectedAttemptsKept`. */
export function keepRefusal<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > LIMITS.rejectedAttemptsKept) list.shift();
}

/** How a wait ended. An answer accepted before a cancel stands. */
export async function waitFor(answered: () => boolean, timeoutMs: number): Promise<'answered' | 'timeout' | 'cancelled'> {
  try {
    return (await condition(answered, timeoutMs)) ? 'answered' : 'timeout';
  } catch (err) {
    if (!isCancellation(err)) throw err;
    return answered() ? 'answered' : 'cancelled';
  }
}

/** The ending: not cancellable, and it returns only once every message handler (e.g. a refusal's audit) has finished. */
export function ending<T>(fn: () => Promise<T>): Promise<T> {
  return CancellationScope.nonCancellable(async () => {
    const result = await fn();
    await condition(allHandlersFinished);
    return result;
  });
}

/** An audit writer for one workflow: the fixed fields once, then `(action, outcome, actor, extra)` per event. */
export function auditTrail(base: { owner: string; resource: string; traceId: string; extra?: Record<string, unknown> }) {
  return (action: string, outcome: string, actor: string | null, extra?: Record<string, unknown>): Promise<void> => {
    const merged = base.extra || extra ? { ...base.extra, ...extra } : undefined;
    const event: AuditEvent = {
      event_type: 'hitl',
      workspace_id: base.owner,
      actor,
      action,
      resource: base.resource,
      outcome,
      trace_id: base.traceId,
      ...(merged && { extra: merged }),
    };
    return record(event);
  };
}
