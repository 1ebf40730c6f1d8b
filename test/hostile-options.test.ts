/**
 * Hostile values for the options and messages this stop added: notification plans, assigned approvers, the client's
 * Update-waiter cap, and the `wait` Update itself. Each is refused with an error naming the field, and a refused `wait`
 * leaves the pause or approval answerable.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { WorkflowUpdateStage, type Client } from '@temporalio/client';
import { HitlClient, InputError } from '../src/index.js';
import { buildApprovalInput, buildPauseInput, type RequestContext } from '../src/common/request.js';
import { approvalWorkflowId, pauseWorkflowId, waitForDecisionUpdate, waitForResumeUpdate } from '../src/workflow.js';
import { closeConnections, uid, waitPaused, waitPending, withWorker } from './helpers.js';

after(() => closeConnections());

const ctx: RequestContext = {
  workspaceId: 'ws-h',
  policy: {
    defaultTimeout: 300,
    requiredApprovals: 1,
    fourEyes: false,
    channels: [{ type: 'slack', name: 'team' }],
    groups: { ops: ['alice', 'bob'] },
  },
  newId: () => 'id-1',
  idFor: () => 'id-2',
};

const refuses = (fn: () => unknown, field: string, why: RegExp) =>
  assert.throws(fn, (err: unknown) => err instanceof InputError && err.field === field && why.test(err.message), `${field}: ${why}`);

describe('hostile request options (pure: nothing is started)', () => {
  test('approvers: not a list, empty, a non-string, a huge name, an unknown group, too many people', () => {
    refuses(() => buildApprovalInput({ action: 'a', approvers: 'alice' as never }, ctx), 'approvers', /non-empty list/);
    refuses(() => buildApprovalInput({ action: 'a', approvers: [] }, ctx), 'approvers', /non-empty list/);
    refuses(() => buildApprovalInput({ action: 'a', approvers: [42 as never] }, ctx), 'approvers', /string/);
    refuses(() => buildApprovalInput({ action: 'a', approvers: ['x'.repeat(1_000_000)] }, ctx), 'approvers', /200/);
    refuses(() => buildApprovalInput({ action: 'a', approvers: ['group:nope'] }, ctx), 'approvers', /unknown group 'nope'.*hitl\.groups/);
    const many = Array.from({ length: 101 }, (_, i) => `p${i}`);
    refuses(() => buildApprovalInput({ action: 'a', approvers: many }, ctx), 'approvers', /limit is 100/);
    assert.deepEqual(buildApprovalInput({ action: 'a', approvers: ['group:ops', 'carol', 'alice'] }, ctx).approvers, [
      'alice',
      'bob',
      'carol',
    ]);
  });

  test('channels, remindAfter, escalateAfter, escalateTo: wrong types, absurd durations, escalation without a time', () => {
    refuses(() => buildApprovalInput({ action: 'a', channels: 'team' as never }, ctx), 'channels', /list of channel names/);
    refuses(() => buildApprovalInput({ action: 'a', channels: ['x'.repeat(41)] }, ctx), 'channels', /limit is 40/);
    refuses(() => buildApprovalInput({ action: 'a', remindAfter: '300000y' }, ctx), 'remindAfter', /3650d/);
    refuses(() => buildApprovalInput({ action: 'a', remindAfter: 'soon' }, ctx), 'remindAfter', /duration/);
    refuses(() => buildApprovalInput({ action: 'a', escalateAfter: -5 }, ctx), 'escalateAfter', /longer than zero/);
    refuses(() => buildApprovalInput({ action: 'a', escalateTo: ['team'] }, ctx), 'escalateAfter', /needed with escalateTo/);
    refuses(() => buildPauseInput('t-1', 'r', { channels: {} as never }, ctx), 'channels', /list of channel names/);
    // Sound values make a plan of channel names only.
    assert.deepEqual(buildApprovalInput({ action: 'a', remindAfter: '15m' }, ctx).notify, { channels: ['team'], remindAfter: '15m' });
  });

  test('maxUpdateWaiters: negative, fractional, not a number', () => {
    const client = {} as Client;
    for (const bad of [-1, 1.5, '50', Number.NaN]) {
      refuses(() => new HitlClient({ client, workspaceId: 'w', maxUpdateWaiters: bad as never }), 'maxUpdateWaiters', /whole number/);
    }
  });
});

describe('hostile wait Updates (real server)', () => {
  test('another workspace, a malformed input, more than 4 waiters: refused clearly; the pause and the approval stay answerable', () =>
    withWorker(async ({ hitl, client }) => {
      const owner = hitl('ws-h');
      const taskId = uid('wait');
      const paused = owner.pauseTask(taskId, 'hostile waiters', { timeout: '1m' });
      await waitPaused(client, taskId);
      const pause = client.workflow.getHandle(pauseWorkflowId(taskId));
      const refusal = (p: Promise<unknown>) =>
        p.then(
          () => 'accepted',
          (err: unknown) => String((err as { cause?: { message?: string } }).cause?.message ?? err),
        );
      assert.match(
        await refusal(pause.executeUpdate(waitForResumeUpdate, { args: [{ workspaceId: 'ws-intruder' }] })),
        /only the owner may wait/,
      );
      assert.match(await refusal(pause.executeUpdate(waitForResumeUpdate, { args: [null as never] })), /only the owner may wait/);
      assert.match(await refusal(pause.executeUpdate(waitForResumeUpdate, { args: ['x'.repeat(100_000) as never] })), /only the owner/);

      const { approval_id } = await owner.createApproval({ action: 'wire', reason: 'many waiters', timeout: '1m' });
      await waitPending(client, approval_id);
      const approval = client.workflow.getHandle(approvalWorkflowId(approval_id));
      // Four owner waiters are held (accepted); the fifth is told to wait for the result instead.
      const held = [];
      for (let i = 0; i < 4; i++) {
        held.push(
          await approval.startUpdate(waitForDecisionUpdate, {
            args: [{ workspaceId: 'ws-h' }],
            waitForStage: WorkflowUpdateStage.ACCEPTED,
          }),
        );
      }
      const fifth = await refusal(approval.executeUpdate(waitForDecisionUpdate, { args: [{ workspaceId: 'ws-h' }] }));
      assert.match(fifth, /too many waiters: wait for the result/);

      // Nothing refused above touched either wait: both are still answered by their owner.
      assert.equal((await owner.resumeTask(taskId, 'go')).success, true);
      assert.deepEqual(await paused, { resumed: true, task_id: taskId, message: 'go' });
      assert.equal((await owner.decide(approval_id, { decision: 'approved', decidedBy: 'alice' })).success, true);
      for (const answer of await Promise.all(held.map((u) => u.result())))
        assert.ok(answer.done && answer.result.approved, 'every held waiter hears the decision');
      assert.equal((await owner.waitForApproval(approval_id)).approved, true);
    }));
});
