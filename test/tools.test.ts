import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createHitlTools } from '../src/index.js';
import { closeConnections, eventually, uid, waitPaused, withWorker } from './helpers.js';

after(closeConnections);

test('LangChain tools keep the reference names, arguments and result shapes', () =>
  withWorker(async ({ hitl, client }) => {
    const tools = createHitlTools(hitl('ws-tools'));
    assert.deepEqual(
      [tools.pauseTask.name, tools.resumeTask.name, tools.listPausedTasks.name],
      ['pause_task', 'resume_task', 'list_paused_tasks'],
    );
    const taskId = uid('tool');
    const paused = tools.pauseTask.invoke({ task_id: taskId, reason: 'tool pause' });
    await waitPaused(client, taskId);
    await eventually(
      async () => {
        const listed = (await tools.listPausedTasks.invoke({})) as { paused_tasks: string[]; count: number };
        return listed.count === 1 && listed.paused_tasks[0] === taskId;
      },
      10_000,
      'listed by the tool',
    );
    assert.deepEqual(await tools.resumeTask.invoke({ task_id: taskId, message: 'from a tool' }), { success: true, task_id: taskId });
    assert.deepEqual(await paused, { resumed: true, task_id: taskId, message: 'from a tool' });
    assert.deepEqual(await tools.resumeTask.invoke({ task_id: taskId }), {
      success: false,
      task_id: taskId,
      error: 'Task not found or already resumed',
    });
    await assert.rejects(tools.resumeTask.invoke({ task_id: '' }), /task_id/);
  }));
