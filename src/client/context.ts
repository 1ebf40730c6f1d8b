import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { HitlError } from '../common/errors.js';
import type { WaitAnswer, WaitInput } from '../common/pause.js';
import type { HitlConfig } from '../config/index.js';
import { isTransient, retryTransient } from './retry.js';

/** What every client operation needs: resolved once in `HitlClient`'s constructor. */
export interface ClientContext {
  client: Client;
  workspaceId: string;
  taskQueue: string;
  config: HitlConfig;
  /** How long a waiting caller rides out an outage (a streak of transient errors) before it gives up. */
  outageToleranceMs: number;
  /** How long a decision or resume may take before the caller is told no worker answered. */
  decisionTimeoutMs: number;
  /** Waiting callers ask the run's `wait` Update first (else they wait for its result). */
  answerByUpdate: boolean;
  /** Callers of this client waiting by Update at most at once; the others wait for the run's result. */
  updateWaiters: { now: number; max: number };
  /** Pause runs whose answer this client handed to a caller, and when: a later `pauseTask` pauses anew, never rejoins them. */
  answered: Map<string, number>;
}

/** Remembers that `runId`'s answer reached a caller now (the newest 1,000 runs). */
export function noteAnswered(ctx: Pick<ClientContext, 'answered'>, runId: string): void {
  ctx.answered.set(runId, Date.now());
  if (ctx.answered.size > 1_000) ctx.answered.delete(ctx.answered.keys().next().value!);
}

/** A workflow's result, riding out outages and the server's long-poll limits with backoff. */
export function waitResult<R>(ctx: ClientContext, handle: { result(): Promise<R> }): Promise<R> {
  return retryTransient(() => handle.result(), { toleranceMs: ctx.outageToleranceMs });
}

/**
 * A waiting caller's answer: first through the run's `wait` Update, which answers from the task that accepts the
 * decision (before the outcome line and the close); when the run does not offer one (an older run, too many waiters,
 * continued as new, already closed), from the run's result.
 */
export async function awaitAnswer<R>(
  ctx: ClientContext,
  handle: WorkflowHandle,
  wait: UpdateDefinition<WaitAnswer<R>, [WaitInput]>,
): Promise<R> {
  const updateId = randomUUID();
  let streakStart: number | undefined;
  // Each Update waiter is an in-flight Update the server keeps polling state for: past the cap, callers take the
  // cheaper long-poll on the result (one workflow task later).
  const byUpdate = ctx.answerByUpdate && ctx.updateWaiters.now < ctx.updateWaiters.max;
  if (byUpdate) ctx.updateWaiters.now++;
  try {
    for (let delay = 200; byUpdate; delay = Math.min(delay * 2, 5_000)) {
      try {
        const answer = await handle.executeUpdate(wait, { args: [{ workspaceId: ctx.workspaceId }], updateId });
        if (answer.done) return answer.result;
        break;
      } catch (err) {
        // Not now (an outage, an aborted task): ask again under the same id. Anything else: the result answers.
        if (!isTransient(err) || codeIn(err, 8)) break;
        streakStart ??= Date.now();
        if (Date.now() - streakStart > ctx.outageToleranceMs) break;
        await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random())));
      }
    }
  } finally {
    if (byUpdate) ctx.updateWaiters.now--;
  }
  return waitResult(ctx, handle as { result(): Promise<R> });
}

const codeIn = (err: unknown, code: number): boolean => {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === code) return true;
  }
  return false;
};

/**
 * Sends an Update and waits for its answer within `decisionTimeoutMs`, retrying transient failures with one update id
 * (so a retry is never applied twice). Past the deadline it says whether any worker polls the task queue.
 */
export async function sendUpdate<R, A extends [any, ...any[]]>(
  ctx: ClientContext,
  handle: WorkflowHandle,
  update: UpdateDefinition<R, A>,
  args: A,
): Promise<R> {
  const updateId = randomUUID();
  const deadline = Date.now() + ctx.decisionTimeoutMs;
  try {
    return await retryTransient(
      () => ctx.client.connection.withDeadline(deadline, () => handle.executeUpdate(update, { args, updateId })),
      { toleranceMs: ctx.decisionTimeoutMs, freshAfterMs: ctx.decisionTimeoutMs },
    );
  } catch (err) {
    if (!isTransient(err) || Date.now() < deadline) throw err;
    throw new HitlError(await noAnswerReason(ctx, handle), { cause: err });
  }
}

async function noAnswerReason(ctx: ClientContext, handle: WorkflowHandle): Promise<string> {
  const seconds = Math.round(ctx.decisionTimeoutMs / 1000);
  try {
    // One short deadline for both: the caller has waited long enough already.
    const { taskQueue, pollers } = await ctx.client.connection.withDeadline(Date.now() + 5_000, async () => {
      const { taskQueue } = await handle.describe();
      const { pollers } = await ctx.client.workflowService.describeTaskQueue({
        namespace: ctx.client.options.namespace,
        taskQueue: { name: taskQueue },
        taskQueueType: 1, // workflow task queue
      });
      return { taskQueue, pollers };
    });
    if (!pollers?.length) {
      return `no worker is polling task queue '${taskQueue}': nothing answered within ${seconds}s. Start one (temporal-hitl worker), then check the state before you send again (it may still apply when a worker starts)`;
    }
    return `the workers of task queue '${taskQueue}' did not answer within ${seconds}s; check the state before you send again (it may still apply)`;
  } catch {
    return `no answer within ${seconds}s, and this client cannot reach Temporal either; check the state before you send again`;
  }
}
