/**
 * Records the histories of runs that notify (`npm run record-notify-histories`): Slack webhook with a reminder and an
 * escalation, Slack bot mode updated in place, a decision read back from the platform mirror, a pause with a resume
 * link. Real HTTP receivers on 127.0.0.1 play Slack and the platform. Writes test/histories/v3-*.json.
 */
import { writeFile } from 'node:fs/promises';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { parseWorkerConfig } from '../src/config/index.js';
import { closeConnections, eventually, waitPaused, withWorker } from '../src/dev/harness.js';
import { approvalWorkflowId, pauseWorkflowId } from '../src/workflow.js';
import { startReceiver } from '../test/fixtures/slack-receiver.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });
const rows = new Map<string, { id: string; status: string; decided_by: string | null }>();
let ts = 0;
const receiver = await startReceiver((req) => {
  if (req.path.endsWith('/chat.postMessage')) return { status: 200, body: { ok: true, channel: 'C1', ts: `1700000000.${++ts}` } };
  if (req.path.endsWith('/chat.update')) return { status: 200, body: { ok: true } };
  if (req.path === '/platform/workspaces/ws-record/approvals' && req.method === 'POST') {
    const id = `plat-${rows.size + 1}`;
    rows.set(id, { id, status: 'pending', decided_by: null });
    return { status: 201, body: { approval_id: id, status: 'pending' } };
  }
  if (req.path === '/platform/workspaces/ws-record/approvals') return { status: 200, body: [...rows.values()] };
  return { status: 200, body: 'ok' };
});
const config = parseWorkerConfig(
  {
    hitl: {
      channels: [
        { type: 'slack', name: 'team', webhook_url: `${receiver.url}/hook/team` },
        { type: 'slack', name: 'ops', webhook_url: `${receiver.url}/hook/ops` },
        { type: 'slack', name: 'bot', channel: 'C1', api_url: `${receiver.url}/api`, bot_token: 'xoxb-recorded' },
        { type: 'dashboard', platform_url: `${receiver.url}/platform` },
      ],
      escalate_to: ['ops'],
      escalate_after: 2,
      notify_pauses: true,
    },
  },
  { HITL_LINK_SIGNING_KEYS: `rec:${'r'.repeat(40)}` },
);

await withWorker(
  async ({ client, hitl: hitlFor }) => {
    const hitl = hitlFor('ws-record');
    const save = async (name: string, workflowId: string): Promise<void> => {
      const handle = client.workflow.getHandle(workflowId);
      await handle.result().catch(() => undefined); // callers hear the answer before the run closes: record it whole
      const history = await handle.fetchHistory();
      await writeFile(`test/histories/v3-${name}.json`, historyToJSON(history));
      console.log(`recorded test/histories/v3-${name}.json (${history.events?.length} events)`);
    };

    // Webhook + bot: request, a reminder, the escalation, then a decision and the bot message updated.
    const reminded = await hitl.createApproval({
      action: 'drop_table',
      reason: 'recorded: notified',
      approvalId: 'rec-notified',
      channels: ['team', 'bot'],
      remindAfter: '1s',
      timeout: '1h',
    });
    await eventually(async () => receiver.requests.some((q) => q.path === '/hook/ops'), 20_000, 'the escalation');
    await hitl.decide(reminded.approval_id, { decision: 'approved', decidedBy: 'alice' });
    await hitl.waitForApproval(reminded.approval_id);
    await save('approval-notified', approvalWorkflowId('rec-notified'));

    // Platform mirror: decided on the platform.
    const mirrored = hitl.requestApproval({
      action: 'deploy',
      reason: 'recorded: platform',
      approvalId: 'rec-platform',
      channels: ['dashboard'],
      timeout: '1h',
    });
    await eventually(async () => rows.size > 0, 20_000, 'the mirrored approval');
    Object.assign([...rows.values()][0]!, { status: 'denied', decided_by: 'dana' });
    await mirrored;
    await save('approval-platform', approvalWorkflowId('rec-platform'));

    // A pause with a resume link, timing out with its escalation undelivered (escalation after the deadline).
    const paused = hitl.pauseTask('rec-notified-pause', 'recorded: pause notified', { timeout: '1h' });
    await waitPaused(client, 'rec-notified-pause', 50);
    await eventually(
      async () => receiver.requests.some((q) => q.path === '/hook/team' && q.text.includes('rec-notified-pause')),
      20_000,
      'the pause message',
    );
    await hitl.resumeTask('rec-notified-pause', 'go');
    await paused;
    await save('pause-notified', pauseWorkflowId('rec-notified-pause'));
  },
  { auditLogPath: '/dev/null', config },
);
await closeConnections();
await receiver.close();
