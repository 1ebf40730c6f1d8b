import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, test } from 'node:test';
import { approvalIdFor } from '../src/index.js';
import { approvalWorkflowId } from '../src/workflow.js';
import { assertOneRun, closeConnections, uid, waitPending, withWorker } from './helpers.js';

after(closeConnections);

function caller(taskQueue: string, key: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/approval-caller.ts', taskQueue, key], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return { child, output: () => out };
}

test('a caller killed while waiting; a new caller with the same key gets the decision; one workflow', () =>
  withWorker(async ({ client, taskQueue, hitl }) => {
    const key = `${uid('run')}:tool-call-7`;
    const approvalId = approvalIdFor('ws-reattach', key);
    const first = caller(taskQueue, key);
    await waitPending(client, approvalId);
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');

    const decided = await hitl('ws-reattach').decide(approvalId, { decision: 'approved', decidedBy: 'alice', message: 'rotate them' });
    assert.equal(decided.success, true);

    const second = caller(taskQueue, key);
    const [code] = await once(second.child, 'exit');
    assert.equal(code, 0);
    const result = JSON.parse(second.output().trim().split('\n').at(-1)!);
    assert.deepEqual([result.approved, result.approval_id, result.decided_by, result.message], [true, approvalId, 'alice', 'rotate them']);

    await assertOneRun(client, approvalWorkflowId(approvalId));
  }));
