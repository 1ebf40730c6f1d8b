import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { approvalIdFor, HitlClient, InputError, parseConfig } from '../src/index.js';
import {
  approvalStateQuery,
  approveSignal,
  decideUpdate,
  denySignal,
  HitlAction,
  HitlKind,
  HitlOwner,
  HitlStatus,
  approvalWorkflowId,
} from '../src/workflow.js';
import { assertOneRun, closeConnections, connections, eventually, uid, waitPending, withWorker } from './helpers.js';

after(closeConnections);

const handleOf = (client: Client, id: string) => client.workflow.getHandle(approvalWorkflowId(id));

describe('approvalWorkflow decisions', () => {
  test('approve: the caller gets approved with who decided; audit has requested and granted', () =>
    withWorker(async ({ hitl, client, audit }) => {
      const ws = hitl('ws-a');
      const approvalId = uid('ap');
      const waiting = ws.requestApproval({ action: 'drop_table', reason: 'Drop table users', approvalId, timeout: '1m' });
      await waitPending(client, approvalId);
      const decided = await ws.decide(approvalId, { decision: 'approved', decidedBy: 'alice', message: 'ok' });
      assert.deepEqual(decided, { success: true, approval_id: approvalId, status: 'approved', approvals: 1, required: 1 });
      const result = await waiting;
      assert.equal(result.approved, true);
      assert.equal(result.outcome, 'granted');
      assert.equal(result.decided_by, 'alice');
      assert.equal(result.message, 'ok');
      const lines = await audit();
      assert.deepEqual(
        lines.map((l) => l.outcome),
        ['requested', 'granted'],
      );
      assert.deepEqual(
        [lines[1]!.event_type, lines[1]!.action, lines[1]!.resource, lines[1]!.actor, lines[1]!.approval_id, lines[1]!.reason],
        ['hitl', 'approve', 'drop_table', 'alice', approvalId, 'Drop table users'],
      );
    }));

  test('deny with a message: the message reaches the caller', () =>
    withWorker(async ({ hitl, client, audit }) => {
      const ws = hitl('ws-a');
      const approvalId = uid('ap');
      const waiting = ws.requestApproval({ action: 'send_money', approvalId, timeout: '1m' });
      await waitPending(client, approvalId);
      assert.equal(
        (await ws.decide(approvalId, { decision: 'denied', decidedBy: 'bob', message: 'Use the sandbox account' })).success,
        true,
      );
      const result = await waiting;
      assert.deepEqual(
        [result.approved, result.outcome, result.decided_by, result.message],
        [false, 'denied', 'bob', 'Use the sandbox account'],
      );
      assert.equal((await audit()).at(-1)!.outcome, 'denied');
    }));

  test('first decision wins: double approve, approve-after-deny are "already decided"; the outcome stands', () =>
    withWorker(async ({ hitl, client }) => {
      const ws = hitl('ws-a');
      const approvalId = uid('ap');
      const waiting = ws.requestApproval({ action: 'x', approvalId, timeout: '1m' });
      await waitPending(client, approvalId);
      const [a, b] = await Promise.all([
        ws.decide(approvalId, { decision: 'denied', decidedBy: 'bob' }),
        ws.decide(approvalId, { decision: 'approved', decidedBy: 'carol' }),
      ]);
      assert.equal([a, b].filter((r) => r.success).length, 1);
      const first = (await waiting).outcome;
      const again = await ws.decide(approvalId, { decision: 'approved', decidedBy: 'dave' });
      assert.equal(again.success, false);
      assert.match((again as { error: string }).error, /already decided/);
      assert.equal((await handleOf(client, approvalId).result()).outcome, first);
    }));

  test('timeout is a denial by default; a later approve is "already decided: timeout"', () =>
    withWorker(async ({ hitl, audit }) => {
      const ws = hitl('ws-a');
      const approvalId = uid('ap');
      const result = await ws.requestApproval({ action: 'x', approvalId, timeout: '1s' });
      assert.deepEqual([result.approved, result.outcome, result.error], [false, 'timeout', 'Timed out after 1s waiting for approval']);
      const late = await ws.decide(approvalId, { decision: 'approved', decidedBy: 'alice' });
      assert.deepEqual(late, { success: false, approval_id: approvalId, error: `approval '${approvalId}' is already decided: timeout` });
      const last = (await audit()).at(-1)!;
      assert.deepEqual([last.outcome, last.on_timeout], ['timeout', 'deny']);
    }));

  test("onTimeout: 'approve' grants on timeout, saying so", () =>
    withWorker(async ({ hitl }) => {
      const result = await hitl('ws-a').requestApproval({ action: 'x', timeout: '1s', onTimeout: 'approve' });
      assert.deepEqual([result.approved, result.outcome], [true, 'timeout']);
      assert.match(result.message ?? '', /timeout policy/);
    }));

  test('cancelling the workflow gives outcome cancelled and an audit line', () =>
    withWorker(async ({ hitl, client, audit }) => {
      const approvalId = uid('ap');
      const waiting = hitl('ws-a').requestApproval({ action: 'x', approvalId, timeout: '1m' });
      await waitPending(client, approvalId);
      await handleOf(client, approvalId).cancel();
      const result = await waiting;
      assert.deepEqual([result.approved, result.outcome], [false, 'cancelled']);
      assert.equal((await audit()).at(-1)!.outcome, 'cancelled');
    }));
});

describe('who may decide', () => {
  test('another workspace is refused with the reason; the approval stays pending', () =>
    withWorker(async ({ hitl, client }) => {
      const approvalId = uid('ap');
      const waiting = hitl('ws-a').requestApproval({ action: 'x', approvalId, timeout: '1m' });
      await waitPending(client, approvalId);
      const refused = await hitl('ws-b').decide(approvalId, { decision: 'approved', decidedBy: 'mallory' });
      assert.equal(refused.success, false);
      assert.match((refused as { error: string }).error, /workspace 'ws-b' does not own approval/);
      assert.equal((await handleOf(client, approvalId).query(approvalStateQuery)).status, 'pending');
      await hitl('ws-a').decide(approvalId, { decision: 'denied', decidedBy: 'alice' });
      assert.equal((await waiting).decided_by, 'alice');
      const afterwards = await hitl('ws-b').decide(approvalId, { decision: 'approved', decidedBy: 'mallory' });
      assert.match((afterwards as { error: string }).error, /does not own/);
    }));

  test('empty workspace and missing decider are refused by the validator; signals record what they refuse', () =>
    withWorker(async ({ hitl, client, audit }) => {
      const approvalId = uid('ap');
      const waiting = hitl('ws-a').requestApproval({ action: 'x', approvalId, timeout: '1m' });
      await waitPending(client, approvalId);
      const handle = handleOf(client, approvalId);
      await assert.rejects(
        handle.executeUpdate(decideUpdate, { args: [{ workspaceId: '', decision: 'approved', decidedBy: 'x' }] }),
        (e: Error) => /workspaceId is required/.test(String((e as { cause?: Error }).cause?.message)),
      );
      await assert.rejects(
        handle.executeUpdate(decideUpdate, { args: [{ workspaceId: 'ws-a', decision: 'approved', decidedBy: '' }] }),
        (e: Error) => /decidedBy is required/.test(String((e as { cause?: Error }).cause?.message)),
      );
      await handle.signal(approveSignal, { workspaceId: '', decidedBy: 'eve' });
      await handle.signal(approveSignal, { workspaceId: 'ws-b', decidedBy: 'mallory' });
      await eventually(async () => (await handle.query(approvalStateQuery)).rejected.length === 2, 10_000, 'two rejections');
      assert.equal((await handle.query(approvalStateQuery)).status, 'pending');
      assert.equal((await audit()).filter((l) => l.outcome === 'rejected').length, 2);
      await handle.signal(denySignal, { workspaceId: 'ws-a', decidedBy: 'alice', message: 'by signal' });
      assert.deepEqual([(await waiting).outcome, (await waiting).message], ['denied', 'by signal']);
    }));

  test('four-eyes: the requester may not decide; someone else may', () =>
    withWorker(async ({ hitl, client }) => {
      const ws = hitl('ws-a', { config: parseConfig({ hitl: { four_eyes: true } }, {}) });
      const approvalId = uid('ap');
      const waiting = ws.requestApproval({ action: 'x', approvalId, requestedBy: 'alice', timeout: '1m' });
      await waitPending(client, approvalId);
      const self = await ws.decide(approvalId, { decision: 'approved', decidedBy: 'alice' });
      assert.match((self as { error: string }).error, /four-eyes rule: 'alice' requested this approval/);
      assert.equal((await ws.decide(approvalId, { decision: 'approved', decidedBy: 'bob' })).success, true);
      assert.equal((await waiting).decided_by, 'bob');
    }));

  test('quorum 2-of-3: distinct approvers; the same approver twice is refused; the second grants', () =>
    withWorker(async ({ hitl, client, audit }) => {
      const ws = hitl('ws-a');
      const approvalId = uid('ap');
      const waiting = ws.requestApproval({ action: 'x', approvalId, requiredApprovals: 2, timeout: '1m' });
      await waitPending(client, approvalId);
      assert.deepEqual(await ws.decide(approvalId, { decision: 'approved', decidedBy: 'alice' }), {
        success: true,
        approval_id: approvalId,
        status: 'pending',
        approvals: 1,
        required: 2,
      });
      const twice = await ws.decide(approvalId, { decision: 'approved', decidedBy: 'alice' });
      assert.match((twice as { error: string }).error, /'alice' has already approved; 1 more/);
      assert.equal((await ws.decide(approvalId, { decision: 'approved', decidedBy: 'bob' })).success, true);
      const result = await waiting;
      assert.deepEqual([result.approved, result.approvers], [true, ['alice', 'bob']]);
      assert.deepEqual((await audit()).at(-1)!.approvers, ['alice', 'bob']);
    }));

  test('quorum: any deny ends it', () =>
    withWorker(async ({ hitl, client }) => {
      const ws = hitl('ws-a');
      const approvalId = uid('ap');
      const waiting = ws.requestApproval({ action: 'x', approvalId, requiredApprovals: 2, timeout: '1m' });
      await waitPending(client, approvalId);
      await ws.decide(approvalId, { decision: 'approved', decidedBy: 'alice' });
      await ws.decide(approvalId, { decision: 'denied', decidedBy: 'carol', message: 'no' });
      assert.deepEqual([(await waiting).outcome, (await waiting).decided_by], ['denied', 'carol']);
    }));
});

describe('approve with edited arguments', () => {
  const argsSchema = {
    type: 'object',
    properties: { table: { type: 'string' }, rows: { type: 'integer', maximum: 1000 } },
    required: ['table', 'rows'],
    additionalProperties: false,
  };

  test('an edit that breaks the schema is refused naming the field; a valid edit is returned merged and audited', () =>
    withWorker(async ({ hitl, client, audit }) => {
      const ws = hitl('ws-a');
      const approvalId = uid('ap');
      const waiting = ws.requestApproval({
        action: 'delete_rows',
        approvalId,
        args: { table: 'users', rows: 900 },
        argsSchema,
        timeout: '1m',
      });
      await waitPending(client, approvalId);
      const bad = await ws.decide(approvalId, { decision: 'approved', decidedBy: 'alice', editedArgs: { rows: 5000 } });
      assert.equal(bad.success, false);
      assert.match((bad as { error: string }).error, /editedArgs do not match the tool's schema: rows:/);
      const extra = await ws.decide(approvalId, { decision: 'approved', decidedBy: 'alice', editedArgs: { force: true } });
      assert.match((extra as { error: string }).error, /schema/);
      assert.equal((await ws.decide(approvalId, { decision: 'approved', decidedBy: 'alice', editedArgs: { rows: 10 } })).success, true);
      const result = await waiting;
      assert.deepEqual(result.edited_args, { table: 'users', rows: 10 });
      const last = (await audit()).at(-1)!;
      assert.deepEqual(
        [last.original_args, last.edited_args],
        [
          { table: 'users', rows: 900 },
          { table: 'users', rows: 10 },
        ],
      );
    }));
});

describe('re-attach, listing and the Temporal UI', () => {
  test('the same idempotency key re-attaches to the decided approval: one workflow, same decision', () =>
    withWorker(async ({ hitl, client }) => {
      const ws = hitl('ws-a');
      const key = uid('run') + ':call-1';
      const first = ws.requestApproval({ action: 'x', idempotencyKey: key, timeout: '1m' });
      const approvalId = approvalIdFor('ws-a', key);
      await waitPending(client, approvalId);
      const second = ws.requestApproval({ action: 'x', idempotencyKey: key, timeout: '1m' });
      await ws.decide(approvalId, { decision: 'approved', decidedBy: 'alice' });
      const [a, b] = await Promise.all([first, second]);
      assert.deepEqual(a, b);
      const again = await ws.requestApproval({ action: 'x', idempotencyKey: key, timeout: '1m' });
      assert.deepEqual(again, a);
      await assertOneRun(client, approvalWorkflowId(approvalId));
    }));

  test('listApprovals: newest first in the platform row shape, scoped to the workspace, filtered by status', () =>
    withWorker(async ({ hitl, client }) => {
      const ws = hitl(uid('ws'));
      const ids = [uid('ap1'), uid('ap2')];
      const waits = [];
      for (const id of ids) {
        waits.push(ws.requestApproval({ action: 'refund', reason: `refund ${id}`, approvalId: id, taskId: 'task-9', timeout: '1m' }));
        await waitPending(client, id);
      }
      await eventually(async () => (await ws.listApprovals()).length === 2, 10_000, 'two rows');
      const rows = await ws.listApprovals();
      assert.deepEqual(
        rows.map((r) => r.id),
        [ids[1], ids[0]],
      );
      assert.deepEqual(Object.keys(rows[0]!).sort(), [
        'action',
        'created_at',
        'decided_at',
        'decided_by',
        'id',
        'outcome',
        'reason',
        'status',
        'task_id',
      ]);
      assert.deepEqual(
        [rows[0]!.action, rows[0]!.reason, rows[0]!.status, rows[0]!.task_id, rows[0]!.decided_by],
        ['refund', `refund ${ids[1]}`, 'pending', 'task-9', null],
      );
      await ws.decide(ids[0]!, { decision: 'approved', decidedBy: 'alice' });
      await waits[0];
      await eventually(async () => (await ws.listApprovals({ status: 'approved' })).length === 1, 10_000, 'approved row');
      const [approved] = await ws.listApprovals({ status: 'approved' });
      assert.deepEqual([approved!.id, approved!.decided_by], [ids[0], 'alice']);
      assert.ok(approved!.decided_at);
      assert.deepEqual(
        (await ws.listApprovals({ status: 'pending' })).map((r) => r.id),
        [ids[1]],
      );
      assert.deepEqual(await hitl(uid('other')).listApprovals(), []);
      await ws.decide(ids[1]!, { decision: 'denied', decidedBy: 'alice' });
      await waits[1];
    }));

  test('search attributes show kind, owner, action and status; status follows the decision', () =>
    withWorker(async ({ hitl, client }) => {
      const approvalId = uid('ap');
      const waiting = hitl('ws-ui').requestApproval({ action: 'wire_money', reason: '$5,000 to ACME', approvalId, timeout: '1m' });
      await waitPending(client, approvalId);
      const handle = handleOf(client, approvalId);
      const desc = await handle.describe();
      assert.deepEqual(
        [HitlKind, HitlOwner, HitlAction, HitlStatus].map((k) => desc.typedSearchAttributes.get(k)),
        ['approval', 'ws-ui', 'wire_money', 'pending'],
      );
      assert.match((await desc.staticSummary()) ?? '', /wire_money.*\$5,000 to ACME/);
      await hitl('ws-ui').decide(approvalId, { decision: 'denied', decidedBy: 'alice' });
      await waiting;
      assert.equal((await handle.describe()).typedSearchAttributes.get(HitlStatus), 'denied');
    }));
});

describe('edge cases found in review', () => {
  test('re-attaching with the same key but other arguments is refused, not answered with the old decision', () =>
    withWorker(async ({ hitl, client }) => {
      const ws = hitl('ws-a');
      const key = uid('k');
      const first = ws.requestApproval({ action: 'refund', args: { amount: 5 }, idempotencyKey: key, timeout: '1m' });
      await waitPending(client, approvalIdFor('ws-a', key));
      await assert.rejects(
        ws.requestApproval({ action: 'refund', args: { amount: 5000 }, idempotencyKey: key, timeout: '1m' }),
        (e: unknown) => e instanceof InputError && e.field === 'idempotencyKey' && /another action or other arguments/.test(e.message),
      );
      assert.equal((await ws.decide(approvalIdFor('ws-a', key), { decision: 'approved', decidedBy: 'alice' })).success, true);
      assert.equal((await first).approved, true);
      const same = await ws.requestApproval({ action: 'refund', args: { amount: 5 }, idempotencyKey: key, timeout: '1m' });
      assert.equal(same.approved, true);
    }));

  test('a decision accepted before a cancel stands (both delivered while no worker runs)', async () => {
    const { client } = await connections();
    const taskQueue = uid('tq-late-worker');
    const ws = new HitlClient({ client, workspaceId: 'ws-a', taskQueue, config: parseConfig({}, {}) });
    const approvalId = uid('ap');
    const waiting = ws.requestApproval({ action: 'x', approvalId, timeout: '1m' });
    const handle = client.workflow.getHandle(approvalWorkflowId(approvalId));
    await eventually(
      () =>
        handle.describe().then(
          () => true,
          () => false,
        ),
      10_000,
      'started',
    );
    await handle.signal(approveSignal, { workspaceId: 'ws-a', decidedBy: 'alice' });
    await handle.cancel();
    await withWorker(
      async () => {
        const result = await waiting;
        assert.deepEqual([result.approved, result.outcome, result.decided_by], [true, 'granted', 'alice']);
      },
      { taskQueue },
    );
  });

  test('an unusable schema is refused at request time; inside a running approval it refuses the edit, never wedges', () =>
    withWorker(async ({ hitl, client, taskQueue }) => {
      const badSchema = { type: 'object', properties: { rows: { $ref: '#/definitions/missing' } } };
      await assert.rejects(
        hitl('ws-a').requestApproval({ action: 'x', args: { rows: 1 }, argsSchema: badSchema, timeout: '1m' }),
        (e: unknown) => e instanceof InputError && e.field === 'argsSchema',
      );
      const approvalId = uid('ap');
      const handle = await client.workflow.start('approvalWorkflow', {
        workflowId: approvalWorkflowId(approvalId),
        taskQueue,
        args: [
          { approvalId, action: 'x', reason: '', owner: 'ws-a', timeout: '1m', channels: [], args: { rows: 1 }, argsSchema: badSchema },
        ],
      });
      await waitPending(client, approvalId);
      await handle.signal(approveSignal, { workspaceId: 'ws-a', decidedBy: 'alice', editedArgs: { rows: 2 } });
      await eventually(async () => (await handle.query(approvalStateQuery)).rejected.length === 1, 10_000, 'edit refused');
      assert.match((await handle.query(approvalStateQuery)).rejected[0]!.reason, /schema is unusable/);
      assert.equal((await hitl('ws-a').decide(approvalId, { decision: 'approved', decidedBy: 'alice' })).success, true);
      assert.equal(((await handle.result()) as { approved: boolean }).approved, true);
    }));

  test('quorum: an edit that changes the arguments restarts the count', () =>
    withWorker(async ({ hitl, client }) => {
      const ws = hitl('ws-a');
      const approvalId = uid('ap');
      const waiting = ws.requestApproval({ action: 'x', approvalId, args: { amount: 5 }, requiredApprovals: 2, timeout: '1m' });
      await waitPending(client, approvalId);
      await ws.decide(approvalId, { decision: 'approved', decidedBy: 'alice' });
      const edited = await ws.decide(approvalId, { decision: 'approved', decidedBy: 'bob', editedArgs: { amount: 5000 } });
      assert.deepEqual(edited, { success: true, approval_id: approvalId, status: 'pending', approvals: 1, required: 2 });
      await ws.decide(approvalId, { decision: 'approved', decidedBy: 'alice' });
      const result = await waiting;
      assert.deepEqual([result.approved, result.approvers, result.edited_args], [true, ['bob', 'alice'], { amount: 5000 }]);
    }));

  test('four-eyes needs to know who asks', () =>
    withWorker(async ({ hitl }) => {
      const ws = hitl('ws-a', { config: parseConfig({ hitl: { four_eyes: true } }, {}) });
      await assert.rejects(
        ws.requestApproval({ action: 'x', timeout: '1m' }),
        (e: unknown) => e instanceof InputError && e.field === 'requestedBy',
      );
    }));

  test('a timed-out approval is a denied row in the platform shape, outcome timeout', () =>
    withWorker(async ({ hitl }) => {
      const ws = hitl(uid('ws'));
      const approvalId = uid('ap');
      await ws.requestApproval({ action: 'x', approvalId, timeout: '1s' });
      await eventually(async () => (await ws.listApprovals())[0]?.outcome === 'timeout', 10_000, 'timeout row');
      const [row] = await ws.listApprovals();
      assert.deepEqual([row!.id, row!.status, row!.outcome], [approvalId, 'denied', 'timeout']);
    }));
});
