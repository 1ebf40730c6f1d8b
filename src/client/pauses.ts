import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { LIMITS, pauseWorkflowId, TASK_NOT_FOUND } from '../common/constants.js';
import { HitlError } from '../common/errors.js';
import { checkId, checkIdentity, checkText } from '../common/input.js';
import { resumeUpdate, type PauseInput, type PauseResult } from '../common/pause.js';
import { buildPauseInput } from '../common/request.js';
import { pauseStartOptions } from '../common/start-options.js';
import type { pauseWorkflow } from '../workflows/pause.js';
import { sendUpdate, waitResult, type ClientContext } from './context.js';
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
  const handle = await startOrAttach(ctx, input);
  if (typeof handle === 'string') return { resumed: false, task_id: taskId, error: handle };
  try {
    return await waitResult(ctx, handle);
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      return { resumed: false, task_id: taskId, error: `Pause ended without a resume: ${err.cause?.message ?? err.message}` };
    }
    throw err;
  }
}

/** Starts the pause, or joins the one running for this task id (so one resume wakes every caller). */
async function startOrAttach(ctx: ClientContext, input: PauseInput): Promise<PauseHandle | string> {
  const workflowId = pauseWorkflowId(input.taskId);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await ctx.client.workflow.start<typeof pauseWorkflow>('pauseWorkflow', {
        ...pauseStartOptions(input),
        taskQueue: ctx.taskQueue,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    // The run that refused our start was running: it is ours to join, even if it is finishing or has just ended, so a
    // caller that raced the resume gets that resume's answer (the SPEC's "one resume wakes every caller").
    const description = await ctx.client.workflow
      .getHandle(workflowId)
      .describe()
      .catch((err: unknown) => (isGone(err) ? undefined : Promise.reject(err)));
    if (!description) continue;
    if (ownerOf(description) !== input.owner) return `Task '${input.taskId}' is already paused by another workspace`;
    return ctx.client.workflow.getHandle<typeof pauseWorkflow>(workflowId, description.runId);
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
