/** The workflow-side API's pure parts and guards: no server needed. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { proxyActivities } from '@temporalio/workflow';
import { sha256Hex } from '../src/common/sha256.js';
import { approvalFingerprint, approvalStartOptions, pauseStartOptions } from '../src/common/start-options.js';
import { approvalIdFor, HitlError, InputError } from '../src/index.js';
import { gated, HitlAction, HitlKind, HitlOwner, HitlStatus, pauseTask, requestApproval, type ApprovalInput } from '../src/workflow.js';

describe('sandbox-safe ids', () => {
  test('sha256Hex is SHA-256 of the UTF-8 bytes, at every padding boundary and for any text', () => {
    const texts = ['', 'abc', 'ws-1\nkey', 'é漢😀', '\ud800 lone surrogate', ...[55, 56, 63, 64, 65, 119, 1000].map((n) => 'x'.repeat(n))];
    for (const text of texts) assert.equal(sha256Hex(text), createHash('sha256').update(text).digest('hex'), JSON.stringify(text));
  });

  test('approvalIdFor gives the id the client has always derived from a key', () => {
    const expected = createHash('sha256').update('ws-1\nthread-9:drop_table:call_1').digest('hex').slice(0, 32);
    assert.equal(approvalIdFor('ws-1', 'thread-9:drop_table:call_1'), expected);
  });
});

describe('start options, one definition for client and workflow code', () => {
  const input: ApprovalInput = {
    approvalId: 'a-1',
    action: 'drop_table',
    reason: 'Free space',
    owner: 'ws-1',
    timeout: '5m',
    args: { table: 't', database: 'd' },
  };

  test('an approval: its id, one run per id ever, the four attributes, the fingerprint memo', () => {
    const o = approvalStartOptions(input);
    assert.equal(o.workflowId, 'hitl-approval-a-1');
    assert.equal(o.workflowIdReusePolicy, 'REJECT_DUPLICATE');
    assert.deepEqual(o.args, [input]);
    assert.deepEqual(
      o.typedSearchAttributes.map((p) => [p.key.name, p.value]),
      [
        [HitlKind.name, 'approval'],
        [HitlOwner.name, 'ws-1'],
        [HitlAction.name, 'drop_table'],
        [HitlStatus.name, 'pending'],
      ],
    );
    assert.equal(o.memo?.fingerprint, approvalFingerprint({ action: 'drop_table', args: { database: 'd', table: 't' } }));
    assert.notEqual(o.memo?.fingerprint, approvalFingerprint({ action: 'drop_table', args: { database: 'd', table: 'u' } }));
    assert.equal(o.staticSummary, 'Approve drop_table? Free space');
  });

  test('a pause: its id, a new pause allowed once the last ended, three attributes', () => {
    const o = pauseStartOptions({ taskId: 'task-7', reason: 'check', owner: 'ws-1', timeout: '1h' });
    assert.equal(o.workflowId, 'hitl-pause-task-7');
    assert.equal(o.workflowIdReusePolicy, 'ALLOW_DUPLICATE');
    assert.deepEqual(
      o.typedSearchAttributes.map((p) => [p.key.name, p.value]),
      [
        [HitlKind.name, 'pause'],
        [HitlOwner.name, 'ws-1'],
        [HitlStatus.name, 'paused'],
      ],
    );
  });
});

describe('the workflow-side API outside a workflow', () => {
  const outside = (err: unknown) => err instanceof HitlError && /runs only inside a Temporal workflow/.test(err.message);

  test('requestApproval, pauseTask and a gated call throw a clear error that names the client alternative', async () => {
    await assert.rejects(requestApproval({ action: 'drop_table', workspaceId: 'ws-1' }), outside);
    await assert.rejects(pauseTask('task-1', 'why', { workspaceId: 'ws-1' }), outside);
    await assert.rejects(requestApproval({ action: 'x' }), /use HitlClient\.requestApproval/);
    const run = gated(async (a: { table: string }) => a.table, { action: 'drop_table' });
    await assert.rejects(run({ table: 't' }), /use requiresApproval\(hitl, …\)/);
  });

  test('gated needs an action for an activity from proxyActivities (its functions carry no name); a named function gives its own', () => {
    const { dropTable } = proxyActivities<{ dropTable(a: { table: string }): Promise<string> }>({ startToCloseTimeout: '1m' });
    assert.throws(
      () => gated(dropTable),
      (err) => err instanceof InputError && err.field === 'action',
    );
    assert.equal(typeof gated(dropTable, { action: 'drop_table' }), 'function');
    assert.equal(
      typeof gated(async function archiveRows(a: { n: number }) {
        return a.n;
      }),
      'function',
    );
  });
});
