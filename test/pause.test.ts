import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { after, describe, test } from 'node:test';
import { HitlClient, InputError } from '../src/index.js';
import { HitlKind, HitlOwner, HitlStatus, pauseStateQuery, resumeSignal, resumeUpdate, pauseWorkflowId } from '../src/workflow.js';
import { closeConnections, countRuns, eventually, uid, waitPaused, withWorker } from './helpers.js';

after(closeConnections);

describe('pause and resume (reference: pause resumes on signal / resume success)', () => {
  test('resumeTask wakes the paused caller with the message; audit has pause and resume', () =>
    withWorker(async ({ hitl, client, audit }) => {
      const ws = hitl('ws-a');
      const taskId = uid('task');
      const paused = ws.pauseTask(taskId, 'need a human', { timeout: '1m' });
      await waitPaused(client, taskId);
      assert.deepEqual(await ws.resumeTask(taskId, 'go ahead'), { success: true, task_id: taskId });
      assert.deepEqual(await paused, { resumed: true, task_id: taskId, message: 'go ahead' });
      const lines = await audit();
      assert.deepEqual(
        lines.map((l) => [l.action, l.outcome, l.resource, l.trace_id]),
        [
          ['pause', 'paused', taskId, taskId],
          ['resume', 'resumed', taskId, taskId],
        ],
      );
      assert.equal(lines[0]!.reason, 'need a human');
      assert.equal(lines[1]!.workspace_id, 'ws-a');
      assert.equal(lines[1]!.message, 'go ahead');
      assert.match(String(lines[1]!.timestamp), /^\d{4}-\d\d-\d\dT/);
    }));

  test('a resume without a message returns no message key', () =>
    withWorker(async ({ hitl, client }) => {
      const ws = hitl('ws-a');
      const taskId = uid('task');
      const paused = ws.pauseTask(taskId);
      await waitPaused(client, taskId);
      assert.equal((await ws.resumeTask(taskId)).success, true);
      assert.deepEqual(await paused, { resumed: true, task_id: taskId });
    }));

  test('resume of an unknown task: not found', () =>
    withWorker(async ({ hitl }) => {
      const taskId = uid('nope');
      assert.deepEqual(await hitl('ws-a').resumeTask(taskId, 'x'), {
        success: false,
        task_id: taskId,
        error: 'Task not found or already resumed',
      });
    }));

  test('a second resume gets "already resumed" and the first message stands', () =>
    withWorker(async ({ hitl, client }) => {
      const ws = hitl('ws-a');
      const taskId = uid('task');
      const paused = ws.pauseTask(taskId, '', { timeout: '1m' });
      await waitPaused(client, taskId);
      const [first, second] = await Promise.all([ws.resumeTask(taskId, 'first'), ws.resumeTask(taskId, 'second')]);
      assert.deepEqual([first.success, second.success].sort(), [false, true]);
      const loser = first.success ? second : first;
      const winner = first.success ? 'first' : 'second';
      assert.deepEqual(loser, { success: false, task_id: taskId, error: 'Task not found or already resumed' });
      assert.deepEqual(await paused, { resumed: true, task_id: taskId, message: winner });
      assert.deepEqual(await ws.resumeTask(taskId, 'third'), loser);
    }));

  test('times out after the timeout with the reference error; audit has the timeout', () =>
    withWorker(async ({ hitl, audit }) => {
      const taskId = uid('slow');
      const started = Date.now();
      const result = await hitl('ws-a').pauseTask(taskId, 'nobody answers', { timeout: '1s' });
      assert.deepEqual(result, { resumed: false, task_id: taskId, error: 'Timed out after 1s waiting for resume signal' });
      assert.ok(Date.now() - started >= 1000, 'returned before the timeout');
      const last = (await audit()).at(-1)!;
      assert.deepEqual([last.action, last.outcome, last.timeout_seconds], ['pause', 'timeout', 1]);
      assert.equal((await hitl('ws-a').resumeTask(taskId, 'late')).success, false);
    }));

  test('the same task id may pause again once its pause has ended', () =>
    withWorker(async ({ hitl, client }) => {
      const ws = hitl('ws-a');
      const taskId = uid('again');
      for (const message of ['one', 'two']) {
        const paused = ws.pauseTask(taskId, '', { timeout: '1m' });
        await eventually(async () => (await ws.resumeTask(taskId, message)).success, 10_000, 'resume');
        assert.deepEqual(await paused, { resumed: true, task_id: taskId, message });
      }
      await eventually(async () => (await countRuns(client, pauseWorkflowId(taskId))) === 2, 10_000, 'two runs of the same task id');
    }));
});

describe('several callers on one task id (reference: all woken by one resume)', () => {
  test('two callers, one resume, both resumed with the message; one workflow run', () =>
    withWorker(async ({ hitl, client }) => {
      const ws = hitl('ws-a');
      const taskId = uid('shared');
      const first = ws.pauseTask(taskId, 'first caller', { timeout: '1m' });
      await waitPaused(client, taskId);
      const firstRun = (await client.workflow.getHandle(pauseWorkflowId(taskId)).describe()).runId;
      const second = ws.pauseTask(taskId, 'second caller', { timeout: '1m' });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await ws.resumeTask(taskId, 'both of you')).success, true);
      const expected = { resumed: true, task_id: taskId, message: 'both of you' };
      assert.deepEqual(await Promise.all([first, second]), [expected, expected]);
      assert.equal((await client.workflow.getHandle(pauseWorkflowId(taskId)).describe()).runId, firstRun);
    }));

  test('another workspace cannot join a paused task', () =>
    withWorker(async ({ hitl, client }) => {
      const taskId = uid('owned');
      const owner = hitl('ws-a').pauseTask(taskId, '', { timeout: '1m' });
      await waitPaused(client, taskId);
      assert.deepEqual(await hitl('ws-b').pauseTask(taskId), {
        resumed: false,
        task_id: taskId,
        error: `Task '${taskId}' is already paused by another workspace`,
      });
      await hitl('ws-a').resumeTask(taskId);
      assert.equal((await owner).resumed, true);
    }));
});

describe('owner check (#265)', () => {
  test('a resume from another workspace is rejected with the reason; the task stays paused and listed', () =>
    withWorker(async ({ hitl, client }) => {
      const taskId = uid('guarded');
      const paused = hitl('ws-a').pauseTask(taskId, '', { timeout: '1m' });
      await waitPaused(client, taskId);
      const rejected = await hitl('ws-b').resumeTask(taskId, 'injected');
      assert.equal(rejected.success, false);
      assert.match((rejected as { error: string }).error, /workspace 'ws-b' does not own task/);
      const state = await client.workflow.getHandle(pauseWorkflowId(taskId)).query(pauseStateQuery);
      assert.equal(state.status, 'paused');
      await eventually(async () => (await hitl('ws-a').listPausedTasks()).paused_tasks.includes(taskId), 10_000, 'listed');
      assert.deepEqual(await hitl('ws-b').listPausedTasks(), { paused_tasks: [], count: 0 });
      assert.equal((await hitl('ws-a').resumeTask(taskId, 'real')).success, true);
      assert.deepEqual(await paused, { resumed: true, task_id: taskId, message: 'real' });
    }));

  test('an empty workspace is rejected: by the client, by the Update validator and by the Signal handler', () =>
    withWorker(async ({ hitl, client, audit }) => {
      assert.throws(
        () => new HitlClient({ client, workspaceId: '' }),
        (e: unknown) => e instanceof InputError && e.field === 'workspaceId',
      );
      const taskId = uid('empty');
      const paused = hitl('ws-a').pauseTask(taskId, '', { timeout: '1m' });
      await waitPaused(client, taskId);
      const handle = client.workflow.getHandle(pauseWorkflowId(taskId));
      await assert.rejects(handle.executeUpdate(resumeUpdate, { args: [{ workspaceId: '' }] }), (err: Error) =>
        /workspaceId is required/.test(String((err as { cause?: Error }).cause?.message)),
      );
      await handle.signal(resumeSignal, { workspaceId: '', message: 'sneaky' });
      await handle.signal(resumeSignal, { workspaceId: 'ws-b', message: 'sneakier' });
      await eventually(async () => (await handle.query(pauseStateQuery)).rejected.length === 2, 10_000, 'two rejections');
      const state = await handle.query(pauseStateQuery);
      assert.equal(state.status, 'paused');
      assert.deepEqual(
        state.rejected.map((r) => [r.workspaceId, r.via]),
        [
          ['', 'signal'],
          ['ws-b', 'signal'],
        ],
      );
      const rejectedLines = (await audit()).filter((l) => l.outcome === 'rejected');
      assert.equal(rejectedLines.length, 2);
      assert.equal(rejectedLines[1]!.caller_workspace, 'ws-b');
      await handle.signal(resumeSignal, { workspaceId: 'ws-a', message: 'by signal' });
      assert.deepEqual(await paused, { resumed: true, task_id: taskId, message: 'by signal' });
    }));
});

describe('list_paused_tasks (reference: list empty and non-empty)', () => {
  test('empty for a workspace with nothing paused; lists exactly the paused ones', () =>
    withWorker(async ({ hitl, client }) => {
      const ws = hitl(uid('ws'));
      assert.deepEqual(await ws.listPausedTasks(), { paused_tasks: [], count: 0 });
      const ids = [uid('l1'), uid('l2')];
      const pauses = ids.map((id) => ws.pauseTask(id, '', { timeout: '1m' }));
      for (const id of ids) await waitPaused(client, id);
      await eventually(async () => (await ws.listPausedTasks()).count === 2, 10_000, 'two listed');
      assert.deepEqual((await ws.listPausedTasks()).paused_tasks.sort(), [...ids].sort());
      await ws.resumeTask(ids[0]!);
      await pauses[0];
      await eventually(async () => (await ws.listPausedTasks()).count === 1, 10_000, 'one listed');
      assert.deepEqual((await ws.listPausedTasks()).paused_tasks, [ids[1]]);
      await ws.resumeTask(ids[1]!);
      await pauses[1];
    }));
});

describe('cancellation', () => {
  test('a cancelled pause returns resumed:false with the reason and writes an audit line', () =>
    withWorker(async ({ hitl, client, audit }) => {
      const taskId = uid('cancel');
      const paused = hitl('ws-a').pauseTask(taskId, '', { timeout: '1m' });
      await waitPaused(client, taskId);
      await client.workflow.getHandle(pauseWorkflowId(taskId)).cancel();
      assert.deepEqual(await paused, { resumed: false, task_id: taskId, error: 'Pause was cancelled before a resume' });
      assert.deepEqual(
        (await audit()).map((l) => l.outcome),
        ['paused', 'cancelled'],
      );
    }));
});

describe('audit failures', () => {
  test('an audit log that cannot be written never fails or blocks the pause', () =>
    withWorker(
      async ({ hitl, client }) => {
        const taskId = uid('noaudit');
        const paused = hitl('ws-a').pauseTask(taskId, 'audit is broken', { timeout: '1m' });
        await waitPaused(client, taskId);
        assert.equal((await hitl('ws-a').resumeTask(taskId, 'still works')).success, true);
        assert.deepEqual(await paused, { resumed: true, task_id: taskId, message: 'still works' });
      },
      { auditLogPath: tmpdir() }, // a directory: every append fails with EISDIR
    ));
});

describe('Temporal UI and input checks', () => {
  test('search attributes and summary show kind, owner, status and the reason', () =>
    withWorker(async ({ hitl, client }) => {
      const taskId = uid('ui');
      const paused = hitl('ws-ui').pauseTask(taskId, 'waiting for legal', { timeout: '1m' });
      await waitPaused(client, taskId);
      const handle = client.workflow.getHandle(pauseWorkflowId(taskId));
      const desc = await handle.describe();
      assert.equal(desc.typedSearchAttributes.get(HitlKind), 'pause');
      assert.equal(desc.typedSearchAttributes.get(HitlOwner), 'ws-ui');
      assert.equal(desc.typedSearchAttributes.get(HitlStatus), 'paused');
      assert.match((await desc.staticSummary()) ?? '', /waiting for legal/);
      await hitl('ws-ui').resumeTask(taskId);
      await paused;
      assert.equal((await handle.describe()).typedSearchAttributes.get(HitlStatus), 'resumed');
    }));

  test('bad input is refused before anything starts, naming the field', () =>
    withWorker(async ({ hitl }) => {
      const ws = hitl('ws-a');
      await assert.rejects(ws.pauseTask('', 'x'), (e: unknown) => e instanceof InputError && e.field === 'taskId');
      await assert.rejects(ws.pauseTask(uid('t'), 'x', { timeout: 'soon' as '1s' }), (e: unknown) => {
        return e instanceof InputError && e.field === 'timeout' && /'30s'/.test(e.message);
      });
      await assert.rejects(ws.pauseTask("it's", 'x'), /taskId: may not contain quotes/);
      await assert.rejects(ws.resumeTask(uid('t'), 'x'.repeat(20_000)), (e: unknown) => e instanceof InputError && e.field === 'message');
    }));
});
