import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { LIMITS, pauseWorkflowId, TASK_NOT_FOUND } from '../common/constants.js';
import { HitlError } from '../common/errors.js';
import { checkId, checkIdentity, checkText } from '../common/input.js';
import { resumeUpdate, waitForResumeUpdate, type PauseInput, type PauseResult } from '../common/pause.js';
import { buildPauseInput } from '../common/request.js';
import { pauseStartOptions } from '../common/start-options.js';
import type { pauseWorkflow } from '../workflows/pause.js';
import { awaitAnswer, noteAnswered, sendUpdate, type ClientContext } from './context.js';
import { isGone, updateRejection } from './errors.js';
import { ownerOf, queries, taskIdOf } from './visibility.js';

export type ResumeResult = { success: true; task_id: string } | { success: false; task_id: string; error: string };
export interface PausedTasks {
  paused_tasks: string[];
  count: number;
}

type PauseHandle = WorkflowHandle<typeof pauseWorkflow>;

export async function pauseTask(
  ctx: ClientContext,
  taskId: string,
  reason = '',
  options: { timeout?: Duration } = {},
): Promise<PauseResult> {
  const input = buildPauseInput(taskId, reason, options, { workspaceId: ctx.workspaceId, policy: ctx.config });
  const attached = await startOrAttach(ctx, input);
  if (typeof attached === 'string') return { resumed: false, task_id: taskId, error: attached };
  try {
    const result = await awaitAnswer(ctx, attached.run, waitForResumeUpdate);
    noteAnswered(ctx, attached.runId);
    return result;
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      return { resumed: false, task_id: taskId, error: `Pause ended without a resume: ${err.cause?.message ?? err.message}` };
    }
    throw err;
  }
}

/** Starts the pause, or joins the one running for this task id (so one resume wakes every caller). */
async function startOrAttach(ctx: ClientContext, input: PauseInput): Promise<{ run: PauseHandle; runId: string } | string> {
  const workflowId = pauseWorkflowId(input.taskId);
  const calledAt = Date.now();
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const run = await ctx.client.workflow.start<typeof pauseWorkflow>('pauseWorkflow', {
        ...pauseStartOptions(input),
        taskQueue: ctx.taskQueue,
      });
      return { run, runId: run.firstExecutionRunId };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    // The run that refused our start was running: it is ours to join, even if its resume is being applied, so a caller
    // that raced the resume gets that resume's answer (the SPEC's "one resume wakes every caller"). A run whose answer
    // this client handed to a caller before this call began is finished business (a caller pausing again right after
    // its answer, while the run writes its outcome line): let it close, then pause anew.
    const description = await ctx.client.workflow
      .getHandle(workflowId)
      .describe()
      .catch((err: unknown) => (isGone(err) ? undefined : Promise.reject(err)));
    if (!description) continue;
    if (ownerOf(description) !== input.owner) return `Task '${input.taskId}' is already paused by another workspace`;
    const run = ctx.client.workflow.getHandle<typeof pauseWorkflow>(workflowId, description.runId);
    const answeredAt = ctx.answered.get(description.runId);
    if (answeredAt === undefined || answeredAt > calledAt) return { run, runId: description.runId };
    await run.result().catch(() => undefined);
  }
  throw new HitlError(`could not start or join the pause of task '${input.taskId}' after 5 attempts`);
}

export async function resumeTask(ctx: ClientContext, taskId: string, message = '', resumedBy?: string): Promise<ResumeResult> {
  checkId('taskId', taskId);
  checkText('message', message, LIMITS.messageLength);
  const handle = ctx.client.workflow.getHandle<typeof pauseWorkflow>(pauseWorkflowId(taskId));
  resumedBy = checkIdentity('resumedBy', resumedBy);
  try {
    await sendUpdate(ctx, handle, resumeUpdate, [
      { workspaceId: ctx.workspaceId, ...(message && { message }), ...(resumedBy && { resumedBy }) },
    ]);
    return { success: true, task_id: taskId };
  } catch (err) {
    if (isGone(err)) return { success: false, task_id: taskId, error: TASK_NOT_FOUND };
    const rejection = updateRejection(err);
    if (rejection !== undefined) return { success: false, task_id: taskId, error: rejection };
    throw err;
  }
}

export async function listPausedTasks(ctx: ClientContext): Promise<PausedTasks> {
  const paused: string[] = [];
  for await (const wf of ctx.client.workflow.list({ query: queries.pausedTasks(ctx.workspaceId) })) paused.push(taskIdOf(wf));
  return { paused_tasks: paused, count: paused.length };
}
