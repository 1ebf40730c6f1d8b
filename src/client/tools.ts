import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import type { HitlClient } from './hitl-client.js';

/**
 * The reference's LangChain tools `pause_task`, `resume_task` and `list_paused_tasks`, backed by `hitl`.
 * @example
 * const { pauseTask, resumeTask, listPausedTasks } = createHitlTools(hitl);
 * const agent = createAgent({ model, tools: [pauseTask, resumeTask, listPausedTasks] });
 */
export function createHitlTools(hitl: HitlClient) {
  const pauseTask = tool(({ task_id, reason }) => hitl.pauseTask(task_id, reason ?? ''), {
    name: 'pause_task',
    description:
      'Suspend the current task and wait for a resume signal. Execution resumes when resume_task is called with the same task_id, or after the configured timeout.',
    schema: z.object({
      task_id: z
        .string()
        .min(1)
        .describe('Unique identifier for this pause point (the task id or any stable string the caller can reference later)'),
      reason: z.string().optional().describe('Human-readable description of why the task is pausing'),
    }),
  });
  const resumeTask = tool(({ task_id, message }) => hitl.resumeTask(task_id, message ?? ''), {
    name: 'resume_task',
    description:
      'Resume a previously paused task. Safe to call even if the task has already resumed or timed out (returns success=false in that case).',
    schema: z.object({
      task_id: z.string().min(1).describe('The identifier passed to pause_task'),
      message: z.string().optional().describe('Optional message forwarded to the resumed task'),
    }),
  });
  const listPausedTasks = tool(() => hitl.listPausedTasks(), {
    name: 'list_paused_tasks',
    description: 'List all tasks currently suspended and waiting for a resume signal.',
    schema: z.object({}),
  });
  return { pauseTask, resumeTask, listPausedTasks };
}
