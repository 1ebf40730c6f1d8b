import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { HitlError } from '../common/errors.js';
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
}

/** A workflow's result, riding out outages and the server's long-poll limits with backoff. */
export function waitResult<R>(ctx: ClientContext, handle: { result(): Promise<R> }): Promise<R> {
  return retryTransient(() => handle.result(), { toleranceMs: ctx.outageToleranceMs });
}

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
