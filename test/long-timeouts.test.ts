import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import proto from '@temporalio/proto';
import { createHitlWorker, HitlClient, parseConfig } from '../src/index.js';
import { HITL_SEARCH_ATTRIBUTES } from '../src/workflow.js';
import { resolveTestServer } from '../src/dev/temporal-cli.js';
import { bundlePath, uid } from './helpers.js';

// The time-skipping test server jumps over timers while workflows wait: days of waiting in milliseconds.
let env: TestWorkflowEnvironment;
before(async () => {
  const path = await resolveTestServer();
  env = await TestWorkflowEnvironment.createTimeSkipping(path ? { server: { executable: { type: 'existing-path', path } } } : {});
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(
      HITL_SEARCH_ATTRIBUTES.map((k) => [k.name, proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
    ),
  });
});
after(() => env?.teardown());

async function withTimeSkippingWorker<T>(fn: (hitl: HitlClient) => Promise<T>): Promise<T> {
  const taskQueue = uid('tq-skip');
  const config = parseConfig({}, {});
  const worker = await createHitlWorker({
    connection: env.nativeConnection,
    taskQueue,
    config,
    auditLogPath: '/dev/null',
    ...(bundlePath && { workflowBundle: { codePath: bundlePath } }),
  });
  // The time-skipping server skips time only while a caller awaits a workflow result: callers wait by result here.
  return worker.runUntil(fn(new HitlClient({ client: env.client, workspaceId: 'ws-long', taskQueue, config, answerBy: 'result' })));
}

test('default_timeout (300 s) ends a pause with the reference error, in skipped time', () =>
  withTimeSkippingWorker(async (hitl) => {
    const started = Date.now();
    const taskId = uid('t');
    assert.deepEqual(await hitl.pauseTask(taskId, 'nobody comes'), {
      resumed: false,
      task_id: taskId,
      error: 'Timed out after 300s waiting for resume signal',
    });
    assert.ok(Date.now() - started < 60_000, 'time was skipped');
  }));

test('an approval left a week is a timeout denial; under an approve policy it is granted', () =>
  withTimeSkippingWorker(async (hitl) => {
    const denied = await hitl.requestApproval({ action: 'x', timeout: '7d' });
    assert.deepEqual([denied.approved, denied.outcome, denied.error], [false, 'timeout', 'Timed out after 604800s waiting for approval']);
    const granted = await hitl.requestApproval({ action: 'x', timeout: '7d', onTimeout: 'approve' });
    assert.deepEqual([granted.approved, granted.outcome], [true, 'timeout']);
  }));
