import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { closeConnections, eventually, uid, waitPaused, withWorker } from './helpers.js';

after(closeConnections);

describe('pause and resume (reference: pause resumes on signal, resume success)', () => {
  test('resumeTask wakes the paused caller with the message', () =>
    withWorker(async ({ hitl, client, audit }) => {
      const ws = hitl('ws-a');
      const taskId = uid('task');
      const paused = ws.pauseTask(taskId, 'need a human', { timeout: '1m' });
      await waitPaused(client, taskId);
      assert.deepEqual(await ws.resumeTask(taskId, 'go ahead'), { success: true, task_id: taskId });
      assert.deepEqual(await paused, { resumed: true, task_id: taskId, message: 'go ahead' });
      const lines = await audit();
      assert.deepEqual(
        lines.map((l) => [l.action, l.outcome]),
        [
          ['pause', 'paused'],
          ['resume', 'resumed'],
        ],
      );
      assert.equal(lines[1]!.workspace_id, 'ws-a');
      assert.equal(lines[1]!.message, 'go ahead');
    }));
});
