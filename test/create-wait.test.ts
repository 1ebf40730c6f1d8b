import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { InputError } from '../src/index.js';
import { queries } from '../src/client/visibility.js';
import { approvalWorkflowId, pauseWorkflowId } from '../src/workflow.js';
import { closeConnections, eventually, uid, waitPaused, withWorker } from './helpers.js';

after(closeConnections);

describe('create apart from wait', () => {
  test('createApproval answers pending at once with the id; waitForApproval gets the decision', () =>
    withWorker(async ({ hitl }) => {
      const ws = hitl('ws-a');
      const created = await ws.createApproval({ action: 'refund', reason: 'Refund $420', idempotencyKey: uid('key') });
      assert.equal(created.status, 'pending');
      assert.match(created.approval_id, /^[0-9a-f]{32}$/);
      const waiting = ws.waitForApproval(created.approval_id);
      await eventually(
        async () => (await ws.decide(created.approval_id, { decision: 'approved', decidedBy: 'alice' })).success,
        10_000,
        'decide',
      );
      const result = await waiting;
      assert.deepEqual([result.approved, result.outcome, result.decided_by], [true, 'granted', 'alice']);
      // Asking again with the same id joins the decided approval: the same answer, no second approval.
      assert.deepEqual(await ws.createApproval({ action: 'refund', reason: 'Refund $420', approvalId: created.approval_id }), created);
      assert.equal((await ws.waitForApproval(created.approval_id)).approved, true);
    }));

  test("waitForApproval: another workspace's or an unknown id is not found, and tells nothing", () =>
    withWorker(async ({ hitl }) => {
      const { approval_id } = await hitl('ws-a').createApproval({ action: 'x', timeout: '1m' });
      for (const [ws, id] of [
        ['ws-b', approval_id],
        ['ws-a', uid('nope')],
      ] as const) {
        await assert.rejects(
          hitl(ws).waitForApproval(id),
          (e: unknown) => e instanceof InputError && e.field === 'approvalId' && /not found/.test(e.message),
        );
      }
      await assert.rejects(hitl('ws-a').waitForApproval("x' OR 1=1"), InputError);
    }));

  test('a terminated pause and a terminated approval both answer as a value, not an exception', () =>
    withWorker(async ({ hitl, client }) => {
      const ws = hitl('ws-a');
      const taskId = uid('task');
      const paused = ws.pauseTask(taskId, 'r', { timeout: '1m' });
      await waitPaused(client, taskId);
      const { approval_id } = await ws.createApproval({ action: 'x', timeout: '1m' });
      const asked = ws.waitForApproval(approval_id);
      await client.workflow.getHandle(pauseWorkflowId(taskId)).terminate('operator');
      await client.workflow.getHandle(approvalWorkflowId(approval_id)).terminate('operator');
      const pause = await paused;
      const approval = await asked;
      assert.equal(pause.resumed, false);
      assert.match((pause as { error: string }).error, /^Pause ended without a resume: /);
      assert.deepEqual([approval.approved, approval.outcome], [false, 'failed']);
      assert.match(approval.error!, /^Approval ended without a decision: /);
    }));

  test('the cross-workspace pending query lists pending approvals of every workspace, and only pending ones', () =>
    withWorker(async ({ hitl, client }) => {
      const a = await hitl(uid('ws')).createApproval({ action: 'x', timeout: '1m' });
      const b = await hitl(uid('ws')).createApproval({ action: 'y', timeout: '1m' });
      const decided = await hitl('ws-c').createApproval({ action: 'z', timeout: '1m' });
      await eventually(async () => (await hitl('ws-c').decide(decided.approval_id, { decision: 'denied', decidedBy: 'd' })).success);
      const pendingIds = async () => {
        const ids: string[] = [];
        for await (const wf of client.workflow.list({ query: queries.pendingApprovalsEverywhere() })) ids.push(wf.workflowId);
        return ids;
      };
      await eventually(async () => {
        const ids = await pendingIds();
        return ids.includes(approvalWorkflowId(a.approval_id)) && ids.includes(approvalWorkflowId(b.approval_id));
      });
      await eventually(async () => !(await pendingIds()).includes(approvalWorkflowId(decided.approval_id)));
    }));

  test('listApprovals pages: limit, then before the last row; bad paging options are InputErrors', () =>
    withWorker(async ({ hitl }) => {
      const ws = hitl(uid('ws'));
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push((await ws.createApproval({ action: `a${i}`, timeout: '1m' })).approval_id);
        await new Promise((r) => setTimeout(r, 20));
      }
      await eventually(async () => (await ws.listApprovals()).length === 3);
      const first = await ws.listApprovals({ limit: 2 });
      assert.deepEqual(
        first.map((r) => r.id),
        [ids[2], ids[1]],
      );
      const next = await ws.listApprovals({ limit: 2, before: first.at(-1)!.created_at });
      assert.deepEqual(
        next.map((r) => r.id),
        [ids[0]],
      );
      await assert.rejects(ws.listApprovals({ limit: 5000 }), (e: unknown) => e instanceof InputError && e.field === 'limit');
      await assert.rejects(ws.listApprovals({ before: "x' OR 1=1" }), (e: unknown) => e instanceof InputError && e.field === 'before');
    }));
});
