/**
 * The skeleton every HITL workflow shares: refusing a message, keeping refusals, waiting for an answer, the timeout or a
 * cancel, the ending that a cancel cannot interrupt, and the audit trail.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { AuditEvent } from '../common/audit-event.js';
import type { WaitAnswer, WaitInput } from '../common/pause.js';
import { LIMITS, type FailureType } from '../common/constants.js';
import { durationMs } from '../common/duration.js';
import { record } from './record.js';

/**
 * Runs started from here on: audit lines written only for committed events (regular activities, with event ids),
 * strict message checks, bounded refusals, continue-as-new, timeouts checked. Runs without this marker replay as before.
 */
export const isStrictRun = (): boolean => patched('hitl-2-committed-audit');

/** Milliseconds of a workflow input's timeout, as runs before `isStrictRun` read it. */
export function timeoutOf(timeout: unknown): number {
  const ms = durationMs(timeout);
  if (ms === undefined || Number.isNaN(ms)) throw new TypeError(`Invalid duration string: '${String(timeout)}'`);
  return ms;
}

/** Milliseconds of a timeout, or a non-retryable failure of the run (never a workflow task failing forever). */
export function checkedTimeout(timeout: unknown): number {
  const ms = durationMs(timeout);
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0 || ms > LIMITS.maxTimeoutMs) {
    throw ApplicationFailure.create({
      type: 'InvalidInput',
      nonRetryable: true,
      message: `timeout must be a duration between 1ms and 3650d, got ${String(JSON.stringify(timeout)).slice(0, 60)}`,
    });
  }
  return ms;
}

/**
 * The failure a refused Update throws. A refused Update leaves no trace in history, so the worker log keeps one
 * (e.g. a cross-workspace attempt, #265).
 */
export function refusal(type: FailureType, what: string, ids: Record<string, unknown>, input: unknown, why: string): ApplicationFailure {
  const caller = (input as { workspaceId?: unknown })?.workspaceId;
  log.warn(`${what} refused`, {
    ...ids,
    callerWorkspace: typeof caller === 'string' ? caller.slice(0, LIMITS.idLength) : caller,
    reason: why,
  });
  return ApplicationFailure.create({ type, message: why, nonRetryable: true });
}

/** Appends a refusal to the state's list, keeping only the newest `LIMITS.rejectedAttemptsKept`. */
export function keepRefusal<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > LIMITS.rejectedAttemptsKept) list.shift();
}

/**
 * How a wait ended. An answer accepted before a cancel stands. With `mayContinue`, the wait also ends (`continue`) when
 * the server suggests continue-as-new, e.g. after a flood of large refused messages.
 */
export async function waitFor(
  answered: () => boolean,
  timeoutMs: number,
  mayContinue = false,
): Promise<'answered' | 'timeout' | 'cancelled' | 'continue'> {
  const suggested = () => mayContinue && shouldContinue();
  try {
    if (!(await condition(() => answered() || suggested(), Math.max(timeoutMs, 1)))) return 'timeout';
    return answered() ? 'answered' : 'continue';
  } catch (err) {
    if (!isCancellation(err)) throw err;
    return answered() ? 'answered' : 'cancelled';
  }
}

/**
 * Time to continue as new: the server suggests it, or the history passed `LIMITS.continueAsNewBytes`. Continuing early
 * keeps each run small, so a run flooded with large refused Signals replays fast enough to get its continue-as-new
 * through between them, instead of growing to the server's history limit.
 */
export const shouldContinue = (): boolean => {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historySize > LIMITS.continueAsNewBytes;
};

/**
 * Answers waiting callers from the task that ends the wait (strict runs): a `wait` Update whose handler resolves when
 * `answer()` has one, so the caller hears the decision as soon as it is committed, not after the outcome line and the
 * close. At most `LIMITS.waitersByUpdate` at once, owner only; the rest (and every caller of a run that continues as
 * new) are told to wait for the run's result.
 */
export function answerWaiters<R>(
  update: UpdateDefinition<WaitAnswer<R>, [WaitInput]>,
  owner: string,
  answer: () => R | undefined,
  continuing: () => boolean,
): void {
  let waiting = 0;
  setHandler(
    update,
    async (): Promise<WaitAnswer<R>> => {
      waiting++;
      try {
        await condition(() => answer() !== undefined || continuing());
        const result = answer();
        return result === undefined ? { done: false } : { done: true, result };
      } finally {
        waiting--;
      }
    },
    {
      validator: (input: WaitInput) => {
        if ((input as Partial<WaitInput> | null)?.workspaceId !== owner)
          throw ApplicationFailure.create({ type: 'WaitRejected', message: 'only the owner may wait', nonRetryable: true });
        if (waiting >= LIMITS.waitersByUpdate)
          throw ApplicationFailure.create({ type: 'WaitRejected', message: 'too many waiters: wait for the result', nonRetryable: true });
      },
    },
  );
}

/** The ending: not cancellable, and it returns only once every message handler (e.g. a refusal's audit) has finished. */
export function ending<T>(fn: () => Promise<T>): Promise<T> {
  return CancellationScope.nonCancellable(async () => {
    const result = await fn();
    await condition(allHandlersFinished);
    return result;
  });
}

/** An audit writer for one workflow run: the fixed fields once, then `(action, outcome, actor, extra)` per event. */
export function auditTrail(base: { owner: string; resource: string; traceId: string; extra?: Record<string, unknown> }, strict = false) {
  const pending = new Set<Promise<void>>();
  let seq = 0;
  let refusals = 0;
  const write = (
    action: string,
    outcome: string,
    actor: string | null,
    extra: Record<string, unknown> | undefined,
    mode: 'local' | 'committed',
  ) => {
    const merged = base.extra || extra ? { ...base.extra, ...extra } : undefined;
    const event: AuditEvent = {
      event_type: 'hitl',
      workspace_id: base.owner,
      actor,
      action,
      resource: base.resource,
      outcome,
      trace_id: base.traceId,
      ...(strict && { event_id: `${workflowInfo().workflowId}/${workflowInfo().runId}/${++seq}` }),
      ...(merged && { extra: merged }),
    };
    const written = record(event, mode, strict);
    pending.add(written);
    void written.finally(() => pending.delete(written));
    return written;
  };
  const trail = {
    /** Refused messages not written one by one (beyond `LIMITS.refusalsAudited`). */
    unaudited: 0,
    /** A line for a fact already in history (the start, a refused Signal): a local activity writes it, and a retried task repeats it under the same event id. */
    fact: (action: string, outcome: string, actor: string | null, extra?: Record<string, unknown>): Promise<void> =>
      write(action, outcome, actor, extra, 'local'),
    /**
     * A line for how the wait ended (a decision, a timeout, a cancel). In a strict run a regular activity writes it: it
     * runs only once the task that decided is committed, so no line is written for a decision a discarded task made up,
     * and the run cannot complete in the task that accepted an Update.
     */
    outcome: (action: string, outcome: string, actor: string | null, extra?: Record<string, unknown>): Promise<void> =>
      write(action, outcome, actor, extra, strict ? 'committed' : 'local'),
    /** A refused message's line; past the cap (or once the run is about to continue as new) a strict run only counts it. */
    refused(action: string, actor: string | null, extra: Record<string, unknown>): Promise<void> {
      if (strict && (++refusals > LIMITS.refusalsAudited || shouldContinue())) {
        trail.unaudited++;
        return Promise.resolve();
      }
      return trail.fact(action, 'rejected', actor, extra);
    },
    /** Resolves once every line asked for so far is written (or logged as failed). */
    settled: (): Promise<unknown> => Promise.all([...pending]),
  };
  return trail;
}
