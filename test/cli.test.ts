import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { address, closeConnections, connections, eventually, uid, waitPaused, waitPending, withWorker } from './helpers.js';
import { HitlClient } from '../src/index.js';

after(closeConnections);
const run = promisify(execFile);
const emptyConfig = join(mkdtempSync(join(tmpdir(), 'hitl-cli-')), 'config.yaml');
writeFileSync(emptyConfig, '{}\n');

async function cli(args: string[]): Promise<{ code: number; out: unknown; stderr: string }> {
  const result = await run(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', ...args, '--address', address, '--config', emptyConfig],
    {
      env: { ...process.env, WORKSPACE_ID: '' },
    },
  ).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
  return { code: result.code, out: result.stdout.trim() ? JSON.parse(result.stdout) : undefined, stderr: result.stderr };
}

test('CLI: list, resume, approve with an edit, deny, list --approvals', () =>
  withWorker(async ({ hitl, client, taskQueue }) => {
    const ws = uid('ws-cli');
    const common = ['--task-queue', taskQueue, '-w', ws];
    const taskId = uid('t');
    const paused = hitl(ws).pauseTask(taskId, 'cli', { timeout: '1m' });
    await waitPaused(client, taskId);
    await eventually(async () => ((await cli(['list', ...common])).out as { count: number }).count === 1, 15_000, 'listed by the CLI');
    assert.deepEqual(await cli(['resume', taskId, '--message', 'from the CLI', ...common]), {
      code: 0,
      out: { success: true, task_id: taskId },
      stderr: '',
    });
    assert.deepEqual(await paused, { resumed: true, task_id: taskId, message: 'from the CLI' });
    const again = await cli(['resume', taskId, ...common]);
    assert.equal(again.code, 1);

    const approvalId = uid('ap');
    const waiting = hitl(ws).requestApproval({ action: 'delete_rows', approvalId, args: { rows: 900 }, timeout: '1m' });
    await waitPending(client, approvalId);
    const approved = await cli(['approve', approvalId, '--by', 'alice', '--edit', '{"rows": 10}', ...common]);
    assert.equal(approved.code, 0);
    const result = await waiting;
    assert.deepEqual([result.approved, result.decided_by, result.edited_args], [true, 'alice', { rows: 10 }]);
    const denied = await cli(['deny', approvalId, '--by', 'bob', ...common]);
    assert.equal(denied.code, 1);
    assert.match((denied.out as { error: string }).error, /already decided: approved by alice/);
    await eventually(
      async () => ((await cli(['list', '--approvals', ...common])).out as unknown[]).length === 1,
      15_000,
      'approval listed',
    );
    const [row] = (await cli(['list', '--status', 'approved', ...common])).out as { id: string; decided_by: string }[];
    assert.deepEqual([row!.id, row!.decided_by], [approvalId, 'alice']);
    const noWorkspace = await cli(['list', '--task-queue', taskQueue]);
    assert.equal(noWorkspace.code, 2);
    assert.match(noWorkspace.stderr, /workspaceId: required/);
  }));

test('CLI worker: serves the task queue until SIGTERM', async () => {
  const taskQueue = uid('tq-cli-worker');
  const worker = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'worker', '--address', address, '--task-queue', taskQueue],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  try {
    const { client } = await connections();
    const hitl = new HitlClient({ client, workspaceId: 'ws-cli-worker', taskQueue });
    const taskId = uid('t');
    const paused = hitl.pauseTask(taskId, '', { timeout: '1m' });
    await waitPaused(client, taskId);
    assert.equal((await hitl.resumeTask(taskId, 'served')).success, true);
    assert.deepEqual(await paused, { resumed: true, task_id: taskId, message: 'served' });
  } finally {
    worker.kill('SIGTERM');
    const [code, signal] = await once(worker, 'exit');
    assert.ok(code === 0 || signal === 'SIGTERM', `worker exited with ${code ?? signal}`);
  }
});

test('CLI edges: a missing -c file, a wrong namespace, no server, missing search attributes: one clear line each, no stack', async () => {
  const { client } = await connections();
  const bare = uid('ns-bare');
  await client.workflowService.registerNamespace({ namespace: bare, workflowExecutionRetentionPeriod: { seconds: 86_400 } as never });
  const cases: [string[], RegExp][] = [
    [['list', '-w', 'ws', '-c', '/nonexistent/typo.yaml'], /config file \/nonexistent\/typo.yaml not found/],
    [['worker', '--namespace', 'typo-namespace'], /namespace 'typo-namespace' does not exist/],
    [['worker', '--address', '127.0.0.1:1'], /cannot reach Temporal at 127.0.0.1:1/],
    [['list', '-w', 'ws', '--address', '127.0.0.1:1'], /cannot reach Temporal at 127.0.0.1:1/],
  ];
  await eventually(
    async () =>
      await client.workflowService.describeNamespace({ namespace: bare }).then(
        () => true,
        () => false,
      ),
    10_000,
    'the bare namespace',
  );
  cases.push([['worker', '--namespace', bare], /lacks the search attributes HitlKind, HitlOwner, HitlStatus, HitlAction/]);
  for (const [args, expected] of cases) {
    const withAddress = args.includes('--address') ? args : [...args, '--address', address];
    const result = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...withAddress], { timeout: 30_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    assert.equal(result.code, 2, `${args.join(' ')} → exit ${result.code}: ${result.stderr}`);
    assert.match(result.stderr, expected);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  }
});
