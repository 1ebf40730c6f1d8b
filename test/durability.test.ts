import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, test } from 'node:test';
import { HitlClient } from '../src/index.js';
import { closeConnections, connections, eventually, uid } from './helpers.js';

after(closeConnections);

function startWorkerProcess(taskQueue: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/worker-process.ts', taskQueue], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`worker process exited early with ${code}`)));
  });
}

test('a worker killed with SIGKILL while tasks are paused loses nothing: a new worker completes the resumes', async () => {
  const { client } = await connections();
  const taskQueue = uid('tq-durable');
  const hitl = new HitlClient({ client, workspaceId: 'ws-durable', taskQueue });
  const first = await startWorkerProcess(taskQueue);
  const ids = [uid('d1'), uid('d2'), uid('d3')];
  const waiting = ids.map((id) => hitl.pauseTask(id, 'survive a crash', { timeout: '10m' }));
  await eventually(async () => (await hitl.listPausedTasks()).count === ids.length, 15_000, 'all paused');

  first.kill('SIGKILL');
  const [code, signal] = await once(first, 'exit');
  assert.equal(signal ?? code, 'SIGKILL');
  assert.equal((await hitl.listPausedTasks()).count, ids.length, 'the pauses outlive the worker');

  const second = await startWorkerProcess(taskQueue);
  try {
    const resumes = await Promise.all(ids.map((id) => hitl.resumeTask(id, `resumed ${id}`)));
    assert.deepEqual(
      resumes.map((r) => r.success),
      ids.map(() => true),
    );
    assert.deepEqual(
      await Promise.all(waiting),
      ids.map((id) => ({ resumed: true, task_id: id, message: `resumed ${id}` })),
    );
  } finally {
    second.kill('SIGTERM');
    await once(second, 'exit');
  }
});
