import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { hitlWorkflowBundle } from '../src/worker/index.js';
import { bundlePath } from './helpers.js';

const dir = 'test/histories';

test('recorded histories replay against the current workflow code', async () => {
  // agent-*: the example agent's histories, replayed with its own workflows by test/agent.test.ts.
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json') && !f.startsWith('agent-')).sort();
  assert.ok(files.length >= 3, `expected recorded histories in ${dir}, found ${files.length}`);
  const histories = await Promise.all(
    files.map(async (file) => ({
      workflowId: file,
      history: historyFromJSON(JSON.parse(await readFile(`${dir}/${file}`, 'utf8'))),
    })),
  );
  const workflowBundle = bundlePath ? { codePath: bundlePath } : await hitlWorkflowBundle();
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'hitl-replay' }, histories)) {
    replayed++;
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  assert.equal(replayed, files.length);
  assert.deepEqual(failures, []);
});
