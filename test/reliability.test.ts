import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { HitlClient, HitlError, InputError, parseConfig } from '../src/index.js';
import { approvalWorkflowId, pauseWorkflowId, resumeSignal } from '../src/workflow.js';
import { closeConnections, connections, countRuns, eventually, uid, waitPaused, withWorker } from './helpers.js';

after(closeConnections);
const run = promisify(execFile);

describe('reliability: what a hostile or faulty run must not break', () => {
  test('a flood of large refused Signals: bounded audit, continue-as-new, and the honest resume still works', () =>
    withWorker(async ({ hitl, client, audit }) => {
      const ws = hitl('ws-a');
      const taskId = uid('flood');
      const paused = ws.pauseTask(taskId, 'flooded', { timeout: '5m' });
      await waitPaused(client, taskId);
      const handle = client.workflow.getHandle(pauseWorkflowId(taskId));
      const big = 'x'.repeat(1_500_000);
      // 36 × 1.5 MB = 54 MB: past the server's 50 MB history limit, which used to terminate the pause. The sender keeps
      // to the pace of the worker's task turnaround (a faster sustained flood is the server's to cap: README, trust).
      let refusedByServer = 0;
      for (let i = 0; i < 36; i++) {
        await handle.signal(resumeSignal, { workspaceId: 'ws-evil', message: big }).catch(() => refusedByServer++);
        await new Promise((r) => setTimeout(r, 300));
      }
      assert.equal(refusedByServer, 0);
      await eventually(async () => (await ws.resumeTask(taskId, 'honest')).success, 30_000, 'the honest resume');
      assert.deepEqual(await paused, { resumed: true, task_id: taskId, message: 'honest' });
      assert.ok((await countRuns(client, pauseWorkflowId(taskId))) > 1, 'the pause continued as new');
      const lines = await audit();
      const rejected = lines.filter((l) => l.outcome === 'rejected');
      const resumed = lines.filter((l) => l.outcome === 'resumed');
      assert.equal(resumed.length, 1);
      assert.equal(
        rejected.length + Number(resumed[0]!.refused_not_audited ?? 0),
        36 - refusedByServer,
        'every refusal is audited or counted',
      );
      assert.ok(JSON.stringify(lines).length < 100_000, 'no refused payload reaches the audit log');
    }));

  test('audit lines carry a stable, unique event id per event', () =>
    withWorker(async ({ hitl, audit }) => {
      const ws = hitl('ws-a');
      const { approval_id } = await ws.createApproval({ action: 'x', timeout: '1m' });
      await eventually(async () => (await ws.decide(approval_id, { decision: 'denied', decidedBy: 'alice' })).success);
      assert.equal((await ws.waitForApproval(approval_id)).outcome, 'denied');
      const lines = await audit();
      assert.deepEqual(
        lines.map((l) => l.outcome),
        ['requested', 'denied'],
      );
      const ids = lines.map((l) => String(l.event_id));
      assert.equal(new Set(ids).size, 2);
      for (const id of ids) assert.match(id, new RegExp(`^hitl-approval-${approval_id}/[0-9a-f-]{36}/\\d+$`));
    }));

  test('a decision while no worker polls is answered within the bound, saying so', async () => {
    const { client } = await connections();
    const hitl = new HitlClient({
      client,
      workspaceId: 'ws-a',
      taskQueue: uid('tq-nobody'),
      config: parseConfig({}, {}),
      decisionTimeout: '2s',
    });
    const { approval_id } = await hitl.createApproval({ action: 'x', timeout: '1m' });
    const started = Date.now();
    await assert.rejects(
      hitl.decide(approval_id, { decision: 'approved', decidedBy: 'alice' }),
      (e: unknown) => e instanceof HitlError && /no worker is polling task queue/.test(e.message),
    );
    assert.ok(Date.now() - started < 10_000, `answered after ${Date.now() - started} ms`);
    await client.workflow.getHandle(approvalWorkflowId(approval_id)).terminate('test cleanup');
  });

  test('unserialisable arguments and bad identities are InputErrors naming the field; nothing starts', () =>
    withWorker(async ({ hitl }) => {
      const ws = hitl(uid('ws'));
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      const cases: [Parameters<HitlClient['requestApproval']>[0], string][] = [
        [{ action: 'x', args: { n: 1n } as never }, 'args'],
        [{ action: 'x', args: circular }, 'args'],
        [{ action: 'x', requestedBy: 42 as never }, 'requestedBy'],
        [{ action: 'x', requestedBy: 'y'.repeat(201) }, 'requestedBy'],
        [{ action: 'x', timeout: '300000y' }, 'timeout'],
      ];
      for (const [options, field] of cases) {
        await assert.rejects(ws.requestApproval(options), (e: unknown) => e instanceof InputError && e.field === field, field);
      }
      await assert.rejects(
        ws.decide('some-id', { decision: 'approved', decidedBy: '' }),
        (e: unknown) => e instanceof InputError && e.field === 'decidedBy',
      );
      for (const field of ['outageTolerance', 'decisionTimeout'] as const) {
        for (const value of ['soon', '300000y', -1]) {
          assert.throws(
            () => hitl(uid('ws'), { [field]: value as never }),
            (e: unknown) => e instanceof InputError && e.field === field,
            `${field}: ${String(value)}`,
          );
        }
      }
      assert.deepEqual(await ws.listApprovals(), []);
    }));

  test('an audit path that is a FIFO nobody reads: decisions still go through, and the worker still stops', async () => {
    const fifo = join(await mkdtemp(join(tmpdir(), 'hitl-fifo-')), 'audit.fifo');
    await run('mkfifo', [fifo]);
    const started = Date.now();
    await withWorker(
      async ({ hitl }) => {
        const ws = hitl(uid('ws'));
        const { approval_id } = await ws.createApproval({ action: 'x', timeout: '1m' });
        await eventually(async () => (await ws.decide(approval_id, { decision: 'approved', decidedBy: 'alice' })).success);
        assert.equal((await ws.waitForApproval(approval_id)).approved, true);
      },
      { auditLogPath: fifo },
    );
    // It used to hold a thread ~45 s per line, and the worker's shutdown with it.
    console.log(`[reliability] decision and worker shutdown with an unread FIFO audit path: ${Date.now() - started} ms`);
  });
});
