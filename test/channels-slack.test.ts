import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { linkPath, verifyLink } from '../src/links/index.js';
import { parseWorkerConfig } from '../src/config/index.js';
import {
  HOSTILE,
  LINK_KEYS,
  PUBLIC_URL,
  approvalSubject,
  channelActivities,
  failureKind,
  failureOf,
  message,
  pauseSubject,
} from './fixtures/slack-kit.js';
import { RecordingLogger, assertNoSecret, startReceiver, type Receiver } from './fixtures/slack-receiver.js';

const BOT_TOKEN = 'xoxb-test-bot-token-0123456789';
const WEBHOOK_SECRET = 'T000/B000/webhooksecretpart42';
const logger = new RecordingLogger();
const errors: string[] = [];
const receivers: Receiver[] = [];
after(() => Promise.all(receivers.map((r) => r.close())));

/** A receiver playing Slack: `/services/...` is the webhook, `/api/...` the Web API. */
async function slack(api: (method: string, body: any) => Record<string, unknown> = () => ({ ok: true })) {
  let ts = 1000;
  const r = await startReceiver((req) => {
    if (req.path.startsWith('/services/')) return { status: 200, body: 'ok' };
    const method = req.path.replace('/api/', '');
    const answer = api(method, req.json);
    if (answer.ok !== true) return { status: 200, body: answer };
    return { status: 200, body: { channel: req.json.channel, ts: req.json.ts ?? `${++ts}.000100`, ...answer } };
  });
  receivers.push(r);
  return r;
}

function settings(r: Receiver, env: Record<string, string> = {}) {
  const config = parseWorkerConfig(
    {
      hitl: {
        channels: [
          { type: 'slack', name: 'ops-slack', webhook_url: `${r.url}/services/${WEBHOOK_SECRET}` },
          { type: 'slack', name: 'ops-bot', bot_token: BOT_TOKEN, channel: 'C0123', api_url: `${r.url}/api` },
          { type: 'slack', name: 'quiet' },
        ],
      },
    },
    { HITL_PUBLIC_URL: PUBLIC_URL, ...env },
  );
  return { ...config, linkSigningKeys: LINK_KEYS };
}

const texts = (blocks: any[]): string => JSON.stringify(blocks.map((b) => b.text?.text ?? ''));

describe('slack channel: webhook mode', () => {
  test('the request is Block Kit with escaped text and signed Approve/Deny links for the real approval id', async () => {
    const r = await slack();
    const { notify } = channelActivities(settings(r), logger);
    const subject = approvalSubject({ reason: HOSTILE });
    const delivery = await notify(message('ops-slack', 'request', subject));
    assert.equal(delivery.status, 'sent');
    assert.equal(r.requests.length, 1);
    const { path, json } = r.requests[0]!;
    assert.equal(path, `/services/${WEBHOOK_SECRET}`);
    assert.equal(json.blocks[0].type, 'header');
    assert.equal(json.blocks[0].text.text, 'Approval required: delete_rows');
    const shown = texts(json.blocks);
    assert.ok(shown.includes('&lt;!channel&gt; *x* &lt;http://evil.example|click&gt; &amp; &lt;script&gt;'), shown);
    assert.ok(!JSON.stringify(json).includes('<!channel>') && !JSON.stringify(json).includes('<http://evil'));
    assert.ok(shown.includes(subject.approvalId) && shown.includes('agent-7') && shown.includes('ws-42'));
    const actions = json.blocks.find((b: any) => b.type === 'actions').elements;
    assert.deepEqual(
      actions.map((a: any) => [a.text.text, a.style]),
      [
        ['Approve', 'primary'],
        ['Deny', 'danger'],
      ],
    );
    for (const [i, action] of (['approve', 'deny'] as const).entries()) {
      const url = new URL(actions[i].url);
      assert.equal(`${url.origin}${url.pathname}`, `${PUBLIC_URL}${linkPath({ action, id: subject.approvalId, workspaceId: 'ws-42' })}`);
      const check = verifyLink(url.searchParams.get('t'), LINK_KEYS, { action, id: subject.approvalId, workspaceId: 'ws-42' });
      assert.ok(check.ok, JSON.stringify(check));
      assert.equal(check.claims.recipient, 'slack:ops-slack');
      assert.equal(check.claims.expiresAt, Date.parse(subject.deadline));
    }
  });

  test('a pause gets a Resume link; a reminder says so; an outcome is skipped (a webhook cannot update)', async () => {
    const r = await slack();
    const { notify } = channelActivities(settings(r), logger);
    const pause = pauseSubject();
    await notify(message('ops-slack', 'request', pause));
    const [button] = r.requests[0]!.json.blocks.find((b: any) => b.type === 'actions').elements;
    assert.equal(button.text.text, 'Resume');
    assert.ok(
      verifyLink(new URL(button.url).searchParams.get('t'), LINK_KEYS, { action: 'resume', id: pause.taskId, workspaceId: 'ws-42' }).ok,
    );
    const subject = approvalSubject();
    await notify(message('ops-slack', 'reminder', subject));
    assert.equal(r.requests[1]!.json.blocks[0].text.text, 'Reminder: Approval required: delete_rows');
    const outcome = await notify(message('ops-slack', 'outcome', subject, { outcome: { status: 'approved', decidedBy: 'alice' } }));
    assert.equal(outcome.status, 'skipped');
    assert.equal(r.requests.length, 2);
  });

  test('without signing keys the message has no buttons and points to the inbox; warned once', async () => {
    const r = await slack();
    const quiet = new RecordingLogger();
    const { notify } = channelActivities({ ...settings(r), linkSigningKeys: [] }, quiet);
    await notify(message('ops-slack', 'request', approvalSubject()));
    await notify(message('ops-slack', 'request', approvalSubject()));
    for (const { json } of r.requests) {
      assert.equal(
        json.blocks.find((b: any) => b.type === 'actions'),
        undefined,
      );
      assert.ok(texts(json.blocks).includes(`<${PUBLIC_URL}/inbox|inbox>`));
    }
    assert.equal(quiet.warnings().filter((w) => w.includes('no link-signing key')).length, 1);
  });

  test('an unconfigured Slack channel and an unknown channel name are skipped with a warning', async () => {
    const r = await slack();
    const quiet = new RecordingLogger();
    const { notify } = channelActivities(settings(r), quiet);
    const a = await notify(message('quiet', 'request', approvalSubject()));
    const b = await notify(message('nope', 'request', approvalSubject()));
    assert.deepEqual([a.status, b.status], ['skipped', 'skipped']);
    assert.match(a.error!, /no webhook_url/);
    assert.match(b.error!, /no channel named "nope"/);
    assert.equal(quiet.warnings().length, 2);
    assert.equal(r.requests.length, 0);
  });
});

describe('slack channel: bot mode', () => {
  test('posts with the token, threads the reminder, updates in place on approve, deny and timeout', async () => {
    const r = await slack();
    const { notify } = channelActivities(settings(r), logger);
    const cases = [
      [{ status: 'approved', decidedBy: 'alice', decidedAt: '2030-01-02T03:04:05Z' }, 'Approved by alice at 2030-01-02 03:04 UTC'],
      [{ status: 'denied', decidedBy: 'bob', message: 'too <!here> risky' }, 'Denied by bob: too &lt;!here&gt; risky'],
      [{ status: 'timeout' }, 'Timed out'],
    ] as const;
    for (const [outcome, line] of cases) {
      r.requests.length = 0;
      const subject = approvalSubject({ reason: HOSTILE });
      const sent = await notify(message('ops-bot', 'request', subject));
      assert.equal(sent.status, 'sent');
      const post = r.requests[0]!;
      assert.equal(post.path, '/api/chat.postMessage');
      assert.equal(post.headers.authorization, `Bearer ${BOT_TOKEN}`);
      assert.equal(post.json.channel, 'C0123');
      assert.ok(!post.text.includes('<!channel>'));
      const buttons = post.json.blocks.find((b: any) => b.type === 'actions').elements;
      assert.deepEqual(
        buttons.map((b: any) => [b.action_id, b.style, JSON.parse(b.value), b.url]),
        [
          ['hitl_approve', 'primary', { approvalId: subject.approvalId, workspaceId: 'ws-42' }, undefined],
          ['hitl_deny', 'danger', { approvalId: subject.approvalId, workspaceId: 'ws-42' }, undefined],
        ],
      );
      assert.deepEqual(sent.ref, { slackChannel: 'C0123', slackTs: post.json.ts ?? sent.ref!.slackTs });
      const ts = sent.ref!.slackTs!;
      await notify(message('ops-bot', 'reminder', subject, { ref: sent.ref! }));
      assert.equal(r.requests[1]!.json.thread_ts, ts);
      assert.equal(r.requests[1]!.json.channel, 'C0123');
      const done = await notify(message('ops-bot', 'outcome', subject, { ref: sent.ref!, outcome }));
      assert.equal(done.status, 'sent');
      const update = r.requests[2]!;
      assert.equal(update.path, '/api/chat.update');
      assert.deepEqual([update.json.channel, update.json.ts], ['C0123', ts]);
      assert.equal(
        update.json.blocks.find((b: any) => b.type === 'actions'),
        undefined,
      );
      assert.equal(update.json.blocks.at(-1).text.text, `*${line}*`);
    }
  });

  test('a retry with the same dedupe key posts once and returns the same ref', async () => {
    const r = await slack();
    const { notify } = channelActivities(settings(r), logger);
    const input = message('ops-bot', 'request', approvalSubject());
    const [a, b] = await Promise.all([notify(input), notify(input)]);
    const c = await notify(input);
    assert.equal(r.requests.length, 1);
    assert.deepEqual([b.ref, c.ref], [a.ref, a.ref]);
  });

  test('ok:false is a failure: ratelimited is retried, channel_not_found is not; neither shows the token', async () => {
    let error = 'ratelimited';
    const r = await slack(() => ({ ok: false, error }));
    const { notify } = channelActivities(settings(r), logger);
    const limited = await failureOf(notify(message('ops-bot', 'request', approvalSubject())));
    assert.equal(failureKind(limited), 'retryable');
    assert.equal(limited.message, 'slack chat.postMessage: ratelimited');
    error = 'channel_not_found';
    const missing = await failureOf(notify(message('ops-bot', 'request', approvalSubject())));
    assert.equal(failureKind(missing), 'rejected');
    assert.equal(missing.message, 'slack chat.postMessage: channel_not_found');
    errors.push(limited.message, missing.message);
  });

  test('no error message or log line carries the token or the webhook URL', () => {
    assert.ok(logger.lines.length > 0);
    assertNoSecret(`${logger.text()}\n${errors.join('\n')}`, [BOT_TOKEN, WEBHOOK_SECRET, LINK_KEYS[0]!.secret], 'slack logs and errors');
  });
});
