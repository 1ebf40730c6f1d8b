/**
 * Agents that are workflows: the durable agent example (examples/durable-agent) on a real dev server, its human steps
 * run by temporal-hitl's workflows as children and decided through `HitlClient`, as any approval or pause is.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { after, describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { approvalIdFor } from '../src/index.js';
import { approvalWorkflowId, HitlOwner, HitlStatus, type ApprovalResult } from '../src/workflow.js';
import { agentStatusQuery, userMessageSignal, type AgentResult } from '../examples/durable-agent/workflows.js';
import {
  agentBundle,
  answerPause,
  crashWhileWaiting,
  drive,
  runsOf,
  scheduledActivities,
  startAgent,
  taskOf,
  withAgent,
  WS,
  type AgentHandle,
} from './fixtures/agent-harness.js';
import { assertOneRun, closeConnections, eventually, firstPending, uid } from './helpers.js';

after(closeConnections);

const dropTables = async (handle: AgentHandle) => (await scheduledActivities(handle)).filter((a) => a.type === 'dropTable');
const toolMessage = (result: AgentResult, name: string) => result.messages.find((m) => m.role === 'tool' && m.name === name);

describe('durable agent example', () => {
  test('approved: the gated call is a child approval listed for the workspace, and dropTable runs with the approved arguments', async () => {
    await withAgent(async ({ client, human, start }) => {
      const handle = await start();
      const approvalId = await firstPending(human, 'drop_table');
      const [row] = (await human.listApprovals({ status: 'pending' })).filter((r) => r.id === approvalId);
      assert.equal(row?.reason, 'Drop table events_2023 on staging');
      const approval = await client.workflow.getHandle(approvalWorkflowId(approvalId)).describe();
      assert.equal(approval.parentExecution?.workflowId, handle.workflowId);
      assert.equal(approval.typedSearchAttributes.get(HitlOwner), WS);
      assert.deepEqual(await dropTables(handle), [], 'nothing runs before the decision');

      await human.decide(approvalId, { decision: 'approved', decidedBy: 'alice' });
      await answerPause(human, taskOf(handle), 'confirmed, tell the team');
      const result = await handle.result();
      assert.equal(result.answer, 'Dropped staging.events_2023. Human note: confirmed, tell the team.');
      assert.deepEqual(await dropTables(handle), [{ type: 'dropTable', input: { database: 'staging', table: 'events_2023' } }]);
    });
  });

  test("edited: dropTable runs with the approver's edited arguments", async () => {
    await withAgent(async ({ human, start }) => {
      const handle = await start();
      const { result } = await drive(human, handle, { decision: 'approved', decidedBy: 'alice', editedArgs: { table: 'events_2022' } });
      assert.deepEqual(await dropTables(handle), [{ type: 'dropTable', input: { database: 'staging', table: 'events_2022' } }]);
      assert.equal(toolMessage(result, 'drop_table')?.content, JSON.stringify({ success: true, dropped: 'staging.events_2022' }));
    });
  });

  test('denied: the agent reads the denial text, carries on, and dropTable is never scheduled', async () => {
    await withAgent(async ({ human, start }) => {
      const handle = await start();
      const { approvalId, result } = await drive(
        human,
        handle,
        { decision: 'denied', decidedBy: 'bob', message: 'use the archive job instead' },
        'archived instead',
      );
      assert.equal(
        toolMessage(result, 'drop_table')?.content,
        JSON.stringify({ success: false, error: "Action 'drop_table' not approved: use the archive job instead", approval_id: approvalId }),
      );
      assert.equal(result.answer, 'Left events_2023 in place. Human note: archived instead.');
      const activities = await scheduledActivities(handle);
      assert.deepEqual(
        activities.map((a) => a.type),
        ['chatModel', 'chatModel', 'chatModel'],
      );
    });
  });

  test('cancelled (or terminated) while waiting: its child approval ends cancelled, audited, and no tool ran', async () => {
    await withAgent(async ({ client, human, start, audit }) => {
      const handle = await start();
      const approvalId = await firstPending(human, 'drop_table');
      await handle.cancel();
      await assert.rejects(handle.result(), (err) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure);
      const approval = client.workflow.getHandle(approvalWorkflowId(approvalId));
      assert.equal((await approval.result()).outcome, 'cancelled');
      assert.equal((await approval.describe()).typedSearchAttributes.get(HitlStatus), 'cancelled');
      await eventually(
        async () => (await audit()).some((l) => l.trace_id === approvalId && l.outcome === 'cancelled' && l.action === 'approve'),
        10_000,
        'the cancelled line in the audit log',
      );
      assert.deepEqual(await dropTables(handle), []);

      // Terminated (no cancel delivered through the agent's code): the parent close policy cancels the child.
      const gone = await start();
      const orphanId = await firstPending(human, 'drop_table');
      await gone.terminate('gone');
      assert.equal((await client.workflow.getHandle(approvalWorkflowId(orphanId)).result()).outcome, 'cancelled');
    });
  });

  test('continue-as-new past the bound waits for the pending approval; the decision reaches the agent', async () => {
    await withAgent(async ({ human, start }) => {
      const bound = 20;
      const handle = await start({ maxHistoryEvents: bound });
      const approvalId = await firstPending(human, 'drop_table');
      for (let i = 0; i < 6; i++) await handle.signal(userMessageSignal, `note ${i}`);
      await eventually(async () => (await handle.query(agentStatusQuery)).inbox === 6, 10_000, 'the agent to read its inbox');
      const waiting = await handle.fetchHistory();
      assert.ok((waiting.events?.length ?? 0) > bound, 'the history is past the bound while the approval waits');
      assert.equal((await handle.describe()).runId, handle.firstExecutionRunId, 'no continue-as-new while a child waits');

      await human.decide(approvalId, { decision: 'approved', decidedBy: 'alice' });
      await answerPause(human, taskOf(handle), 'ok');
      const result = await handle.result();
      assert.equal(result.runs, 2);
      assert.equal(result.answer, 'Dropped staging.events_2023. Human note: ok. (6 later user messages read)');
      const runs = await runsOf(handle);
      assert.equal(runs.length, 2);
      assert.ok(runs[0]!.at(-1)?.workflowExecutionContinuedAsNewEventAttributes, 'the first run continued as new');
      assert.ok(
        runs[0]!.some((e) => e.childWorkflowExecutionCompletedEventAttributes),
        'the approval completed in the run that asked',
      );
      assert.deepEqual(await dropTables(handle), [{ type: 'dropTable', input: { database: 'staging', table: 'events_2023' } }]);
    });
  });

  test('a task already paused by someone else: the agent is told at once, and no second pause starts', async () => {
    await withAgent(async ({ human, start }) => {
      const taskId = uid('taken');
      const theirs = human.pauseTask(taskId, 'paused by a client', { timeout: '30s' });
      await eventually(async () => (await human.listPausedTasks()).paused_tasks.includes(taskId), 10_000, 'the client pause');
      const handle = await start({ taskId });
      const approvalId = await firstPending(human, 'drop_table');
      await human.decide(approvalId, { decision: 'approved', decidedBy: 'alice' });
      const result = await handle.result();
      assert.equal(
        result.answer,
        `Dropped staging.events_2023. Human note: no answer (Task '${taskId}' is already paused by another caller).`,
      );
      await human.resumeTask(taskId, 'done');
      assert.deepEqual(await theirs, { resumed: true, task_id: taskId, message: 'done' });
    });
  });

  test('workflow code: one key asked twice in a run joins one approval; a key first asked elsewhere is an InputError', async () => {
    await withAgent(async ({ client, agentQueue, taskQueue, human }) => {
      const key = uid('key');
      const run = (k: string) =>
        client.workflow.execute('askByKey', {
          taskQueue: agentQueue,
          workflowId: uid('ask'),
          args: [taskQueue, k],
          typedSearchAttributes: [{ key: HitlOwner, value: WS }],
        });
      const out = (await run(key)) as Record<'first' | 'second' | 'later', ApprovalResult> & { mismatch: string };
      assert.equal(out.first.approval_id, approvalIdFor(WS, key), "the client's id for the key");
      assert.equal(out.first.outcome, 'timeout');
      assert.deepEqual(out.second, out.first);
      assert.deepEqual(out.later, out.first);
      assert.match(out.mismatch, /^InputError: idempotencyKey: approval '\w+' was asked for another action or other arguments$/);
      await assertOneRun(client, approvalWorkflowId(out.first.approval_id));

      const taken = uid('key');
      await human.createApproval({ action: 'rotate_keys', idempotencyKey: taken, timeout: '30s' });
      await assert.rejects(
        run(taken),
        (err) =>
          err instanceof WorkflowFailedError &&
          err.cause instanceof ApplicationFailure &&
          err.cause.type === 'InputError' &&
          /^idempotencyKey: approval '\w+' already exists/.test(err.cause.message),
      );
    });
  });

  test('an agent without a workspace (no HitlOwner, no workspaceId) fails with an InputError naming workspaceId', async () => {
    await withAgent(async ({ client, agentQueue, taskQueue }) => {
      const handle = await startAgent(client, agentQueue, taskQueue, {}, null);
      await assert.rejects(
        handle.result(),
        (err) =>
          err instanceof WorkflowFailedError &&
          err.cause instanceof ApplicationFailure &&
          err.cause.type === 'InputError' &&
          /^workspaceId: is required/.test(err.cause.message),
      );
      assert.deepEqual(await dropTables(handle), []);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------------

test('a worker SIGKILLed while the agent waits for approval: a new worker finishes it with the same result as without the crash', async () => {
  const normalise = (handle: AgentHandle, result: AgentResult) => JSON.parse(JSON.stringify(result).replaceAll(taskOf(handle), 'TASK'));
  const approve = { decision: 'approved', decidedBy: 'alice', editedArgs: { table: 'events_2021' } } as const;
  // The run without a crash goes on while the worker process loads.
  const crashed = await crashWhileWaiting(approve, () =>
    withAgent(async ({ human, start }) => {
      const handle = await start();
      return normalise(handle, (await drive(human, handle, approve)).result);
    }),
  );
  const { handle, approvalId, victimPid, auditLogPath } = crashed;
  assert.deepEqual(normalise(handle, crashed.result), crashed.during);
  assert.deepEqual(await dropTables(handle), [{ type: 'dropTable', input: { database: 'staging', table: 'events_2021' } }]);
  const identities = new Set((await runsOf(handle)).flat().flatMap((e) => e.workflowTaskCompletedEventAttributes?.identity ?? []));
  assert.deepEqual([...identities].sort(), [`agent-worker-${victimPid}`, 'replacement-worker'], 'both workers worked on it');
  const lines = (await readFile(auditLogPath, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    lines.filter((l) => l.trace_id === approvalId).map((l) => l.outcome),
    ['requested', 'granted'],
  );
});

test("recorded histories of the example replay against the example's workflow code", async () => {
  const dir = 'test/histories';
  const files = (await readdir(dir)).filter((f) => f.startsWith('agent-') && f.endsWith('.json')).sort();
  assert.deepEqual(files, ['agent-approved.json', 'agent-continued.json', 'agent-crashed.json', 'agent-denied.json', 'agent-edited.json']);
  const histories = await Promise.all(
    files.map(async (file) => ({ workflowId: file, history: historyFromJSON(JSON.parse(await readFile(`${dir}/${file}`, 'utf8'))) })),
  );
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: await agentBundle(), replayName: 'agent-replay' }, histories)) {
    replayed++;
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  assert.equal(replayed, files.length);
  assert.deepEqual(failures, []);
});
