/**
 * `npm run example:agent [-- --deny] [--answer-after <seconds>]`: a Temporal dev server, temporal-hitl's worker, the
 * agent's worker, one durable agent run, and a stand-in human who decides its `drop_table` approval and answers its
 * pause with a note. Prints the agent's transcript and the audit log.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startDevServer } from '../../src/dev/index.js';
import { HitlClient, parseConfig } from '../../src/index.js';
import { createHitlWorker } from '../../src/worker/index.js';
import { HitlOwner } from '../../src/workflow.js';
import type { AgentMessage } from './model.js';
import { AGENT_TASK_QUEUE, createAgentWorker } from './workers.js';
import { durableAgent } from './workflows.js';

const { values } = parseArgs({ options: { deny: { type: 'boolean' }, 'answer-after': { type: 'string', default: '2' } } });
const answerAfterMs = Number(values['answer-after']) * 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (who: string, text: string) => console.log(`${who.padEnd(7)} ${text}`);

/** Polls `probe` until it returns something. */
async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    await sleep(200);
  }
}

/** One transcript line per message. */
function show(m: AgentMessage): void {
  if (m.role === 'user') return say('user', m.content);
  if (m.role === 'tool') return say('tool', `${m.name} → ${m.content}`);
  const calls = (m.tool_calls ?? []).map((c) => `${c.name}(${JSON.stringify(c.args)})`);
  say('agent', calls.length ? `${m.content} → ${calls.join(', ')}` : m.content);
}

Runtime.install({ logger: new DefaultLogger('WARN') });
const env = await startDevServer();
const auditLogPath = join(await mkdtemp(join(tmpdir(), 'hitl-agent-')), 'audit.log');
const config = parseConfig({}, {});
const hitlWorker = await createHitlWorker({ connection: env.nativeConnection, namespace: 'default', config, auditLogPath });
const agentWorker = await createAgentWorker({ connection: env.nativeConnection });
const running = Promise.all([hitlWorker.run(), agentWorker.run()]);
console.log(
  `Temporal dev server ${env.address}; workers on '${config.temporal.taskQueue}' (temporal-hitl) and '${AGENT_TASK_QUEUE}' (agent)\n`,
);

try {
  const workspaceId = 'demo-workspace';
  const human = new HitlClient({ client: env.client, workspaceId, config });
  const workflowId = `durable-agent-${Date.now().toString(36)}`;
  const taskId = `${workflowId}-confirm`;
  const handle = await env.client.workflow.start(durableAgent, {
    taskQueue: AGENT_TASK_QUEUE,
    workflowId,
    args: [{ goal: 'Staging is out of disk: drop table events_2023', taskId }],
    // The agent's workspace: its approvals and pauses belong to it (the workflow-side API reads this attribute).
    typedSearchAttributes: [{ key: HitlOwner, value: workspaceId }],
  });

  const approval = await until(async () => (await human.listApprovals({ status: 'pending' })).find((r) => r.action === 'drop_table'));
  say('inbox', `approval ${approval.id} pending: ${approval.reason}`);
  console.log(`        (decide it yourself: npm run hitl -- approve ${approval.id} --by you --address ${env.address} -w ${workspaceId})`);
  await sleep(answerAfterMs);
  const decided = values.deny
    ? await human.decide(approval.id, { decision: 'denied', decidedBy: 'stand-in-human', message: 'not on a weekday; archive it instead' })
    : await human.decide(approval.id, { decision: 'approved', decidedBy: 'stand-in-human', message: 'go ahead' });
  say('human', decided.success ? `${values.deny ? 'denied' : 'approved'} drop_table` : decided.error);

  await until(async () => ((await human.listPausedTasks()).paused_tasks.includes(taskId) ? true : undefined));
  say('inbox', `task ${taskId} paused`);
  await sleep(answerAfterMs / 2);
  const resumed = await human.resumeTask(taskId, values.deny ? 'archive it to cold storage tomorrow' : 'confirmed, tell the team');
  say('human', resumed.success ? `resumed ${taskId} with a note` : (resumed.error ?? ''));

  const result = await handle.result();
  console.log(`\n— transcript (${result.runs} run${result.runs === 1 ? '' : 's'}) —`);
  result.messages.forEach(show);
  console.log(`\n— audit log (${auditLogPath}) —`);
  for (const line of (await readFile(auditLogPath, 'utf8').catch(() => '')).split('\n').filter(Boolean)) {
    const { action, outcome, actor, resource } = JSON.parse(line) as Record<string, string | null>;
    console.log(`${String(action).padEnd(8)} ${String(outcome).padEnd(10)} ${String(resource).padEnd(28)} ${actor ?? ''}`);
  }
} finally {
  hitlWorker.shutdown();
  agentWorker.shutdown();
  await running.catch(() => undefined);
  await env.teardown();
}
