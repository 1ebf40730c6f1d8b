/**
 * Records the durable agent example's histories that test/agent.test.ts replays (`npm run record-agent-histories`):
 * approved, edited, denied, crashed (worker SIGKILLed while waiting, a new one finishing) and continued (the first run,
 * which continued as new once its approval was decided). Run it on purpose, when a change to the example is meant to
 * break replay of old runs; commit the new files.
 */
import { writeFile } from 'node:fs/promises';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { closeConnections, firstPending } from '../test/helpers.js';
import { answerPause, crashWhileWaiting, drive, runsOf, taskOf, withAgent, type AgentHandle } from '../test/fixtures/agent-harness.js';
import { userMessageSignal } from '../examples/durable-agent/workflows.js';

const save = async (name: string, handle: AgentHandle): Promise<void> => {
  const history = await handle.client.getHandle(handle.workflowId, handle.firstExecutionRunId).fetchHistory();
  await writeFile(`test/histories/agent-${name}.json`, historyToJSON(history));
  console.log(`recorded test/histories/agent-${name}.json (${history.events?.length} events)`);
};

await withAgent(
  async ({ human, start }) => {
    const approved = await start();
    await drive(human, approved, { decision: 'approved', decidedBy: 'alice', message: 'go ahead' });
    await save('approved', approved);

    const edited = await start();
    await drive(human, edited, { decision: 'approved', decidedBy: 'alice', editedArgs: { table: 'events_2022' } });
    await save('edited', edited);

    const denied = await start();
    await drive(human, denied, { decision: 'denied', decidedBy: 'bob', message: 'use the archive job instead' }, 'archived instead');
    await save('denied', denied);

    const continued = await start({ maxHistoryEvents: 20 });
    const approvalId = await firstPending(human, 'drop_table');
    for (let i = 0; i < 6; i++) await continued.signal(userMessageSignal, `note ${i}`);
    await human.decide(approvalId, { decision: 'approved', decidedBy: 'alice' });
    await answerPause(human, taskOf(continued), 'ok');
    await continued.result();
    if ((await runsOf(continued)).length < 2) throw new Error('the continued agent did not continue as new');
    await save('continued', continued);
  },
  { auditLogPath: '/dev/null' },
);
const crashed = await crashWhileWaiting({ decision: 'approved', decidedBy: 'alice' }, async () => undefined);
await save('crashed', crashed.handle);
await closeConnections();
