/**
 * Channels end to end: real approval and pause workflows on the dev server notify real HTTP receivers standing in for
 * Slack and the agent platform. The workflows decide on time whatever the channels do, the state shows each delivery,
 * reminders and escalations fire on durable timers and stop at the decision, and no secret reaches history.
 */
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { after, describe, test } from 'node:test';
import { approvalWorkflowId, pauseWorkflowId } from '../src/workflow.js';
import { parseWorkerConfig, type WorkerConfig } from '../src/config/index.js';
import { verifyLink } from '../src/links/index.js';
import type { ApprovalState } from '../src/common/approval.js';
import type { PauseState } from '../src/common/pause.js';
import { closeConnections, eventually, historyText, uid, withWorker } from './helpers.js';
import { closedPort, startReceiver, type Answer, type Receiver } from './fixtures/slack-receiver.js';

const SIGNING_SECRET = 'e2e-link-signing-key-0123456789abcdef';
const SIGNING = `k1:${SIGNING_SECRET}`;
const keys = [{ id: 'k1', secret: SIGNING_SECRET }];
const BOT_TOKEN = 'xoxb-e2e-SECRET-bot-token';
const PLATFORM_TOKEN = 'platform-SECRET-token';
const receivers: Receiver[] = [];
/** Every secret a config of this file uses: none may appear in any history. */
const secrets = new Set<string>([SIGNING_SECRET, BOT_TOKEN, PLATFORM_TOKEN]);

after(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await closeConnections();
});

async function receiver(handler: (path: string, json: any) => Answer | Promise<Answer> = () => ({ status: 200, body: 'ok' })) {
  const r = await startReceiver((req) => handler(req.path, req.json));
  receivers.push(r);
  return r;
}

function workerConfig(hitl: Record<string, unknown>, env: Record<string, string> = {}): WorkerConfig {
  return parseWorkerConfig({ hitl, gateway: { public_url: 'https://hitl.example.test' } }, { HITL_LINK_SIGNING_KEYS: SIGNING, ...env });
}

const texts = (r: Receiver, prefix: string) => r.requests.filter((q) => q.path.startsWith(prefix)).map((q) => q.text);

async function historyOf(client: Client, workflowId: string): Promise<string> {
  return historyText(await client.workflow.getHandle(workflowId).fetchHistory());
}

async function assertNoSecret(client: Client, workflowIds: string[]): Promise<void> {
  for (const id of workflowIds) {
    const text = await historyOf(client, id);
    for (const s of secrets) assert.ok(!text.includes(s), `history of ${id} contains a secret`);
  }
}

describe('channels end to end (workflows → notify activities → real receivers)', () => {
  test('Slack webhook: the request carries the real id and signed links, hostile text inert; reminders and escalation on timers stop at the decision', async () => {
    const slack = await receiver();
    const hookSecret = `T0/B0/SECRET-${uid('hook')}`;
    secrets.add(hookSecret);
    const config = workerConfig({
      channels: [
        { type: 'slack', name: 'team', webhook_url: `${slack.url}/team/${hookSecret}` },
        { type: 'slack', name: 'ops', webhook_url: `${slack.url}/ops/${hookSecret}` },
      ],
      remind_after: 1,
      escalate_after: 2,
      escalate_to: ['ops'],
    });
    await withWorker(
      async (h) => {
        const hitl = h.hitl('ws-e2e');
        const reason = '<!channel> *x* <http://evil.example|click>';
        const { approval_id } = await hitl.createApproval({ action: 'drop_table', reason, timeout: '1m' });
        await eventually(async () => texts(slack, '/ops/').length >= 1, 20_000, 'the escalation');
        await eventually(async () => texts(slack, '/team/').length >= 2, 20_000, 'a reminder');
        const [request] = texts(slack, '/team/');
        assert.ok(request!.includes(approval_id), 'the message names the real approval id');
        assert.ok(!request!.includes('<!channel>') && !request!.includes('<http://evil.example|click>'), 'user text is inert');
        assert.ok(request!.includes('&lt;!channel&gt;'));
        const body = slack.requests.find((q) => q.path.startsWith('/team/'))!.json;
        const links = JSON.stringify(body).match(/https:\/\/hitl\.example\.test\/[^"]+/g) ?? [];
        assert.ok(links.length >= 2, 'approve and deny links');
        for (const link of links) {
          const url = new URL(link);
          const action = url.pathname.endsWith('/deny') ? 'deny' : 'approve';
          const check = verifyLink(url.searchParams.get('t'), keys, { action, id: approval_id, workspaceId: 'ws-e2e' });
          assert.ok(check.ok, `the ${action} link verifies`);
        }
        assert.equal((await hitl.decide(approval_id, { decision: 'approved', decidedBy: 'alice' })).success, true);
        const result = await hitl.waitForApproval(approval_id);
        assert.equal(result.approved, true);
        const sentAtDecision = slack.requests.length;
        const state = await h.client.workflow.getHandle(approvalWorkflowId(approval_id)).query<ApprovalState>('state');
        const kinds = (state.deliveries ?? []).map((d) => `${d.channel}/${d.kind}/${d.status}`).sort();
        assert.ok(
          kinds.includes('team/request/sent') && kinds.includes('team/reminder/sent') && kinds.includes('ops/escalation/sent'),
          kinds.join(),
        );
        assert.ok(state.notified!.reminders >= 1 && state.notified!.escalated);
        // Reminders are cancelled with the decision: nothing more arrives.
        await new Promise((r) => setTimeout(r, 2_500));
        assert.equal(slack.requests.length, sentAtDecision, 'no reminder after the decision');
        await assertNoSecret(h.client, [approvalWorkflowId(approval_id)]);
      },
      { config },
    );
  });

  test('channels down (connection refused, HTTP 500, a hang): the approval is decided on time; the state and the audit log show the failure', async () => {
    const broken = await receiver((path) => (path.startsWith('/hang') ? 'hang' : { status: 500, body: 'boom' }));
    const refused = await closedPort();
    const config = workerConfig({
      channels: [
        { type: 'slack', name: 'refused', webhook_url: `http://127.0.0.1:${refused}/hook` },
        { type: 'slack', name: 'err500', webhook_url: `${broken.url}/err/hook` },
        { type: 'slack', name: 'hangs', webhook_url: `${broken.url}/hang/hook` },
      ],
    });
    await withWorker(
      async (h) => {
        const hitl = h.hitl('ws-down');
        const asked = hitl.requestApproval({ action: 'send_money', reason: 'pay', timeout: '1m', approvalId: uid('down') });
        let id!: string;
        await eventually(async () => {
          const rows = await hitl.listApprovals({ status: 'pending' });
          id = rows.find((r) => r.action === 'send_money')?.id ?? '';
          return id !== '';
        });
        await eventually(async () => broken.requests.length >= 2, 15_000, 'the channels to be tried');
        const t0 = Date.now();
        assert.equal((await hitl.decide(id, { decision: 'denied', decidedBy: 'bob', message: 'no' })).success, true);
        const result = await asked;
        const waited = Date.now() - t0;
        assert.equal(result.approved, false);
        assert.equal(result.outcome, 'denied');
        // "On time": the answer does not wait for the failing channels' retries (tens of seconds).
        assert.ok(waited < 8_000, `the caller waited ${waited} ms`);
        const state = await h.client.workflow.getHandle(approvalWorkflowId(id)).query<ApprovalState>('state');
        assert.equal(state.status, 'denied');
        // The decision ended the run before the retries did: no delivery reads "sent".
        assert.ok(!(state.deliveries ?? []).some((d) => d.status === 'sent'));
      },
      { config },
    );
  });

  test('a failing channel is recorded as failed with a clear error, in the state and the audit log, after bounded retries', async () => {
    const refused = await closedPort();
    const rejecting = await receiver(() => ({ status: 404, body: 'no_service' }));
    const config = workerConfig({
      channels: [
        { type: 'slack', name: 'gone', webhook_url: `${rejecting.url}/hook` },
        { type: 'slack', name: 'refused', webhook_url: `http://127.0.0.1:${refused}/hook` },
      ],
    });
    await withWorker(
      async (h) => {
        const hitl = h.hitl('ws-fail');
        const { approval_id } = await hitl.createApproval({ action: 'email_customer', reason: 'r', timeout: '2m' });
        const handle = h.client.workflow.getHandle(approvalWorkflowId(approval_id));
        let state!: ApprovalState;
        // 404: not retried. Connection refused: 4 attempts (1 s, 3 s, 9 s apart), then failed.
        await eventually(
          async () => {
            state = await handle.query<ApprovalState>('state');
            return (state.deliveries ?? []).filter((d) => d.status === 'failed').length === 2;
          },
          40_000,
          'both deliveries to be failed',
          500,
        );
        const gone = state.deliveries!.find((d) => d.channel === 'gone')!;
        assert.match(gone.error!, /404/);
        assert.equal(rejecting.requests.length, 1, 'a 4xx is not retried');
        const refusedDelivery = state.deliveries!.find((d) => d.channel === 'refused')!;
        assert.ok(refusedDelivery.error && refusedDelivery.error.length > 5, 'a connection refused says why');
        const description = await handle.describe();
        assert.equal(description.status.name, 'RUNNING', 'the approval is still waiting, unharmed');
        const lines = await h.audit();
        const failed = lines.filter((l) => l.action === 'notify' && l.outcome === 'failed');
        assert.equal(failed.length, 2);
        assert.equal((await hitl.decide(approval_id, { decision: 'approved', decidedBy: 'carol' })).success, true);
        assert.equal((await hitl.waitForApproval(approval_id)).approved, true);
      },
      { config },
    );
  });

  test('Slack bot mode: posted, reminders threaded, the message updated in place on approve, deny and timeout', async () => {
    let ts = 0;
    const api = await receiver((path) => {
      if (path.endsWith('/chat.postMessage')) return { status: 200, body: { ok: true, channel: 'C123', ts: `1700000000.${++ts}` } };
      if (path.endsWith('/chat.update')) return { status: 200, body: { ok: true } };
      return { status: 404, body: { ok: false, error: 'unknown_method' } };
    });
    const config = workerConfig(
      { channels: [{ type: 'slack', name: 'bot', channel: 'C123', api_url: `${api.url}/api` }], remind_after: 1 },
      { SLACK_BOT_TOKEN: BOT_TOKEN },
    );
    await withWorker(
      async (h) => {
        const hitl = h.hitl('ws-bot');
        const ask = (timeout = '1m') => hitl.createApproval({ action: 'rotate_keys', reason: 'quarterly', timeout });
        const approved = await ask();
        const denied = await ask();
        const expired = await ask('3s');
        await eventually(async () => api.requests.filter((q) => q.path.endsWith('/chat.postMessage')).length >= 3, 15_000, 'three posts');
        await eventually(async () => api.requests.some((q) => q.json?.thread_ts !== undefined), 15_000, 'a threaded reminder');
        await hitl.decide(approved.approval_id, { decision: 'approved', decidedBy: 'alice' });
        await hitl.decide(denied.approval_id, { decision: 'denied', decidedBy: 'bob', message: 'not now' });
        await hitl.waitForApproval(approved.approval_id);
        await hitl.waitForApproval(denied.approval_id);
        await hitl.waitForApproval(expired.approval_id);
        // Callers hear the decision first; the message is updated right after, before the run closes.
        const chatUpdates = () => api.requests.filter((q) => q.path.endsWith('/chat.update'));
        await eventually(async () => chatUpdates().length >= 3, 10_000, 'three chat.update calls');
        const updates = chatUpdates();
        assert.equal(updates.length, 3, 'one update per approval');
        const all = updates.map((u) => JSON.stringify(u.json));
        assert.ok(all.some((u) => u.includes('Approved by alice')));
        assert.ok(all.some((u) => u.includes('Denied by bob') && u.includes('not now')));
        assert.ok(all.some((u) => /Timed out/i.test(u)));
        for (const u of updates) assert.ok(!JSON.stringify(u.json).includes('"actions"'), 'buttons removed');
        for (const q of api.requests) assert.equal(q.headers.authorization, `Bearer ${BOT_TOKEN}`);
        await assertNoSecret(
          h.client,
          [approved, denied, expired].map((a) => approvalWorkflowId(a.approval_id)),
        );
      },
      { config },
    );
  });

  test('platform mirror: the approval appears on the platform; a decision made there reaches the waiting caller', async () => {
    const rows = new Map<string, any>();
    let n = 0;
    const platform = await receiver((path, json) => {
      const create = path.match(/^\/workspaces\/([^/]+)\/approvals$/);
      if (create && json) {
        const id = `plat-${++n}`;
        rows.set(id, { id, action: json.action, reason: json.reason, status: 'pending', decided_by: null, context: json.context });
        return { status: 201, body: { approval_id: id, status: 'pending' } };
      }
      if (create) return { status: 200, body: [...rows.values()] };
      const decide = path.match(/^\/workspaces\/[^/]+\/approvals\/([^/]+)\/decide$/);
      if (decide) {
        const row = rows.get(decide[1]!);
        if (!row || row.status !== 'pending') return { status: 404, body: { error: 'approval not found or already decided' } };
        Object.assign(row, { status: json.decision, decided_by: json.decided_by });
        return { status: 200, body: row };
      }
      return { status: 404, body: {} };
    });
    const config = workerConfig({ channels: [{ type: 'dashboard', platform_url: platform.url }] }, { PLATFORM_TOKEN });
    await withWorker(
      async (h) => {
        const hitl = h.hitl('ws-plat');
        const asked = hitl.requestApproval({ action: 'deploy', reason: 'friday', timeout: '1m', approvalId: uid('plat') });
        await eventually(async () => rows.size === 1, 15_000, 'the mirrored approval');
        const [row] = [...rows.values()];
        assert.equal(row.action, 'deploy');
        // Someone decides on the platform's own dashboard.
        Object.assign(row, { status: 'approved', decided_by: 'dana' });
        const result = await asked;
        assert.equal(result.approved, true);
        assert.equal(result.decided_by, 'platform:dana');
        assert.ok(platform.requests.every((q) => q.headers.authorization === `Bearer ${PLATFORM_TOKEN}`));
      },
      { config },
    );
  });

  test('pauses notify too when configured: a signed resume link; the pause resumes normally', async () => {
    const slack = await receiver();
    const config = workerConfig({
      channels: [{ type: 'slack', name: 'team', webhook_url: `${slack.url}/team/hook` }],
      notify_pauses: true,
    });
    await withWorker(
      async (h) => {
        const hitl = h.hitl('ws-pause');
        const taskId = uid('task');
        const paused = hitl.pauseTask(taskId, 'check the newsletter', { timeout: '1m' });
        await eventually(async () => slack.requests.length >= 1, 15_000, 'the pause message');
        const link = JSON.stringify(slack.requests[0]!.json).match(/https:\/\/hitl\.example\.test\/[^"]+/)?.[0];
        assert.ok(link?.includes(`/tasks/${taskId}/resume`));
        assert.ok(verifyLink(new URL(link!).searchParams.get('t'), keys, { action: 'resume', id: taskId, workspaceId: 'ws-pause' }).ok);
        await hitl.resumeTask(taskId, 'go');
        assert.equal((await paused).resumed, true);
        const state = await h.client.workflow.getHandle(pauseWorkflowId(taskId)).query<PauseState>('state');
        assert.equal(state.deliveries?.[0]?.status, 'sent');
      },
      { config },
    );
  });
});
