import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { hitlWorkflowBundle } from '../src/worker/index.js';
import { closeConnections, connections, uid } from './helpers.js';
import { createHitlWorker, parseConfig } from '../src/index.js';

after(closeConnections);
const run = promisify(execFile);
const userWorkflows = fileURLToPath(new URL('./fixtures/user-workflows.ts', import.meta.url));

describe('package entries by runtime', () => {
  test("a user's workflow importing 'temporal-hitl/workflow' bundles with the SDK's bundler and runs next to ours", async () => {
    const bundle = await hitlWorkflowBundle(userWorkflows);
    assert.match(bundle.code, /userAgent/);
    const { client, native } = await connections();
    const taskQueue = uid('tq-user');
    const worker = await createHitlWorker({
      connection: native,
      taskQueue,
      config: parseConfig({}, {}),
      workflowBundle: bundle,
      auditLogPath: '/dev/null',
    });
    const taskId = uid('user-task');
    const out = await worker.runUntil(
      client.workflow.execute('userAgent', { taskQueue, workflowId: uid('user-agent'), args: [taskId, 'ws-user'] }),
    );
    assert.deepEqual(out, {
      ids: [`hitl-pause-${taskId}`, 'hitl-approval-a-1'],
      update: 'resume',
      result: { resumed: false, task_id: taskId, error: 'Timed out after 1s waiting for resume signal' },
    });
  });

  test('the client entry loads neither the worker, its native bridge nor the testing package', async () => {
    const { stdout } = await run(process.execPath, ['scripts/count-modules.mjs', 'temporal-hitl']);
    const counted = JSON.parse(stdout) as { modules: number; heavy: string[] };
    assert.deepEqual(counted.heavy, []);
    assert.ok(counted.modules > 0);
  });

  test('the workflow entry is sandbox-safe: no Node built-in reaches the bundle', async () => {
    const bundle = await hitlWorkflowBundle(userWorkflows);
    assert.doesNotMatch(bundle.code, /require\("node:/);
  });
});
