/**
 * Records the workflow histories the replay test checks against (`npm run record-histories`).
 * Run it on purpose, when a workflow change is meant to break replay of old runs; commit the new files.
 */
import { writeFile } from 'node:fs/promises';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { closeConnections, waitPaused, waitPending, withWorker } from '../src/dev/harness.js';
import { HitlClient } from '../src/index.js';
import { approvalWorkflowId, approveSignal, pauseWorkflowId, resumeSignal } from '../src/workflow.js';

Runtime.install({ logger: new DefaultLogger('WARN') });
await withWorker(
  async ({ client, taskQueue, config, hitl: hitlFor }) => {
    const hitl = hitlFor('ws-record');
    const paused = async (taskId: string) => {
      await waitPaused(client, taskId, 50);
      return client.workflow.getHandle(pauseWorkflowId(taskId));
    };
    const pending = async (approvalId: string) => {
      await waitPending(client, approvalId, 50);
      return client.workflow.getHandle(approvalWorkflowId(approvalId));
    };
    const save = async (name: string, id: string, kind: 'pause' | 'approval' = 'pause'): Promise<void> => {
      const handle = client.workflow.getHandle(kind === 'pause' ? pauseWorkflowId(id) : approvalWorkflowId(id));
      await handle.result().catch(() => undefined); // callers hear the answer before the run closes: record it whole
      const history = await handle.fetchHistory();
      await writeFile(`test/histories/v4-${name}.json`, historyToJSON(history));
      console.log(`recorded test/histories/v4-${name}.json (${history.events?.length} events)`);
    };

    const resumed = hitl.pauseTask('rec-resume', 'recorded: resume', { timeout: '1h' });
    await paused('rec-resume');
    await hitl.resumeTask('rec-resume', 'approved by a human');
    await resumed;
    await save('pause-resume', 'rec-resume');

    await hitl.pauseTask('rec-timeout', 'recorded: timeout', { timeout: '1s' });
    await save('pause-timeout', 'rec-timeout');

    const rejected = hitl.pauseTask('rec-rejected', 'recorded: rejected resume', { timeout: '1h' });
    const handle = await paused('rec-rejected');
    await handle.signal(resumeSignal, { workspaceId: 'ws-intruder', message: 'let me in' });
    await new HitlClient({ client, workspaceId: 'ws-intruder', taskQueue, config }).resumeTask('rec-rejected', 'by update');
    await hitl.resumeTask('rec-rejected', 'owner resumes');
    await rejected;
    await save('pause-rejected-resume', 'rec-rejected');

    const decide = async (id: string, options: Parameters<HitlClient['decide']>[1]) => {
      await pending(id);
      await hitl.decide(id, options);
    };
    const schema = { type: 'object', properties: { table: { type: 'string' }, rows: { type: 'integer' } }, required: ['table'] };
    const granted = hitl.requestApproval({ action: 'drop_table', reason: 'recorded: granted', approvalId: 'rec-granted', timeout: '1h' });
    await decide('rec-granted', { decision: 'approved', decidedBy: 'alice', message: 'fine' });
    await granted;
    await save('approval-granted', 'rec-granted', 'approval');

    const denied = hitl.requestApproval({ action: 'drop_table', reason: 'recorded: denied', approvalId: 'rec-denied', timeout: '1h' });
    await decide('rec-denied', { decision: 'denied', decidedBy: 'bob', message: 'use staging' });
    await denied;
    await save('approval-denied', 'rec-denied', 'approval');

    await hitl.requestApproval({ action: 'drop_table', reason: 'recorded: timeout', approvalId: 'rec-timeout', timeout: '1s' });
    await save('approval-timeout', 'rec-timeout', 'approval');

    const edited = hitl.requestApproval({
      action: 'delete_rows',
      reason: 'recorded: edited',
      approvalId: 'rec-edited',
      args: { table: 'users', rows: 900 },
      argsSchema: schema,
      timeout: '1h',
    });
    await decide('rec-edited', { decision: 'approved', decidedBy: 'alice', editedArgs: { rows: 10 } });
    await edited;
    await save('approval-edited', 'rec-edited', 'approval');

    const quorum = hitl.requestApproval({
      action: 'wire_money',
      reason: 'recorded: rejected decisions',
      approvalId: 'rec-rejected',
      requiredApprovals: 2,
      timeout: '1h',
    });
    const approval = await pending('rec-rejected');
    await approval.signal(approveSignal, { workspaceId: 'ws-intruder', decidedBy: 'mallory' });
    await hitl.decide('rec-rejected', { decision: 'approved', decidedBy: 'alice' });
    await hitl.decide('rec-rejected', { decision: 'approved', decidedBy: 'alice' });
    await hitl.decide('rec-rejected', { decision: 'approved', decidedBy: 'bob' });
    await quorum;
    await save('approval-rejected-decision', 'rec-rejected', 'approval');
  },
  { auditLogPath: '/dev/null' },
);
await closeConnections();
