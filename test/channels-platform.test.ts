import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../src/activities/index.js';
import { parseWorkerConfig } from '../src/config/index.js';
import { eventually } from './helpers.js';
import {
  LINK_KEYS,
  PUBLIC_URL,
  approvalSubject,
  channelActivities,
  failureKind,
  failureOf,
  message,
  pauseSubject,
} from './fixtures/slack-kit.js';
import { RecordingLogger, assertNoSecret, closedPort, startReceiver, type Answer, type Receiver } from './fixtures/slack-receiver.js';

const PLATFORM_TOKEN = 'platform-bearer-token-abcdef123456';
const WEBHOOK_SECRET = 'T111/B111/another-webhook-secret';
const logger = new RecordingLogger();
const errors: string[] = [];
const receivers: Receiver[] = [];
after(() => Promise.all(receivers.map((r) => r.close())));

async function receiver(handler: Parameters<typeof startReceiver>[0]) {
  const r = await startReceiver(handler);
  receivers.push(r);
  return r;
}

function settings(platformUrl: string | undefined, webhookBase = 'http://127.0.0.1:1') {
  const config = parseWorkerConfig(
    {
      hitl: {
        channels: [
          { type: 'dashboard', ...(platformUrl && { platform_url: platformUrl }) },
          { type: 'slack', webhook_url: `${webhookBase}/services/${WEBHOOK_SECRET}` },
        ],
      },
    },
    { HITL_PUBLIC_URL: PUBLIC_URL, PLATFORM_TOKEN },
  );
  return { ...config, linkSigningKeys: LINK_KEYS, timeoutMs: 300, pollIntervalMs: 20 };
}

describe('dashboard channel: the platform mirror', () => {
  test('the request is mirrored, watchPlatform brings back the decision made there, the outcome closes the row', async () => {
    const rows: Array<{ id: string; status: string; decided_by: string | null }> = [];
    let polls = 0;
    const platform = await receiver((req) => {
      if (req.method === 'POST' && req.path === '/workspaces/ws-42/approvals') {
        rows.push({ id: 'plat-1', status: 'pending', decided_by: null });
        return { status: 201, body: { approval_id: 'plat-1', status: 'pending' } };
      }
      if (req.method === 'GET' && req.path === '/workspaces/ws-42/approvals') {
        // The human decides on the platform's dashboard while the activity polls.
        if (++polls === 3) Object.assign(rows[0]!, { status: 'approved', decided_by: 'carol' });
        return { status: 200, body: [{ id: 'other', status: 'denied', decided_by: 'x' }, ...rows] };
      }
      if (req.path === '/workspaces/ws-42/approvals/plat-1/decide')
        return { status: 404, body: { error: 'approval not found or already decided' } };
      return { status: 400, body: { error: 'unexpected' } };
    });
    const { notify, watchPlatform, env } = channelActivities(settings(platform.url), logger);
    const subject = approvalSubject({ taskId: 'task-9' });
    const sent = await notify(message('dashboard', 'request', subject));
    assert.deepEqual(sent.ref, { platformApprovalId: 'plat-1' });
    const post = platform.requests[0]!;
    assert.equal(post.headers.authorization, `Bearer ${PLATFORM_TOKEN}`);
    assert.deepEqual(post.json, {
      action: 'delete_rows',
      reason: subject.reason,
      task_id: 'task-9',
      context: { approval_id: subject.approvalId, args: subject.args, source: 'temporal-hitl' },
    });

    const watching = env();
    const heartbeats: unknown[] = [];
    watching.on('heartbeat', (d: unknown) => heartbeats.push(d));
    const decision = await watchPlatform(
      { channel: 'dashboard', workspaceId: 'ws-42', platformApprovalId: 'plat-1', approvalId: subject.approvalId },
      watching,
    );
    assert.deepEqual(decision, { decision: 'approved', decidedBy: 'carol' });
    assert.deepEqual(heartbeats, [{ polls: 1 }, { polls: 2 }]);

    const closed = await notify(
      message('dashboard', 'outcome', subject, { ref: sent.ref!, outcome: { status: 'approved', decidedBy: 'carol' } }),
    );
    assert.equal(closed.status, 'sent', 'a 404 means the platform already decided it');
    assert.deepEqual(platform.requests.at(-1)!.json, { decision: 'approved', decided_by: 'carol' });
  });

  test('a timeout closes the row as denied, saying why; watchPlatform ends when cancelled', async () => {
    const platform = await receiver((req) =>
      req.method === 'GET' ? { status: 200, body: [{ id: 'plat-2', status: 'pending' }] } : { status: 200, body: { ok: true } },
    );
    const { notify, watchPlatform, env } = channelActivities(settings(platform.url), logger);
    const subject = approvalSubject();
    const closed = await notify(
      message('dashboard', 'outcome', subject, { ref: { platformApprovalId: 'plat-2' }, outcome: { status: 'timeout' } }),
    );
    assert.equal(closed.status, 'sent');
    assert.deepEqual(platform.requests[0]!.json, { decision: 'denied', decided_by: 'temporal-hitl (Timed out)' });
    const watching = env();
    watching.once('heartbeat', () => watching.cancel());
    const err = await failureOf(
      watchPlatform({ channel: 'dashboard', workspaceId: 'ws-42', platformApprovalId: 'plat-2', approvalId: subject.approvalId }, watching),
    );
    assert.ok(err instanceof CancelledFailure, `${err.name}: ${err.message}`);
  });

  test('without a platform URL, for pauses and for reminders: skipped', async () => {
    const { notify } = channelActivities(settings(undefined), logger);
    const none = await notify(message('dashboard', 'request', approvalSubject()));
    assert.deepEqual([none.status, none.error], ['skipped', 'dashboard: no platform_url, the gateway inbox shows it']);
    const platform = await receiver(() => ({ status: 500 }));
    const mirrored = channelActivities(settings(platform.url), logger);
    for (const input of [message('dashboard', 'request', pauseSubject()), message('dashboard', 'reminder', approvalSubject())]) {
      assert.equal((await mirrored.notify(input)).status, 'skipped');
    }
    assert.equal(platform.requests.length, 0);
  });
});

describe('a channel that is down', () => {
  const cases: Array<[string, Answer | 'refused', 'rejected' | 'retryable', RegExp]> = [
    ['connection refused', 'refused', 'retryable', /^slack webhook: connection refused \(ECONNREFUSED\)$/],
    ['HTTP 500', { status: 500, body: 'rollup_error' }, 'retryable', /^slack webhook: HTTP 500 rollup_error$/],
    ['HTTP 429', { status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } }, 'retryable', /^slack webhook: HTTP 429/],
    ['HTTP 400', { status: 400, body: 'invalid_payload' }, 'rejected', /^slack webhook: HTTP 400 invalid_payload$/],
    ['HTTP 404', { status: 404, body: 'no_service' }, 'rejected', /^slack webhook: HTTP 404 no_service$/],
    ['a server that never answers', 'hang', 'retryable', /^slack webhook: no answer within 300 ms$/],
  ];
  for (const [name, answer, kind, pattern] of cases) {
    test(`${name}: ${kind === 'rejected' ? 'not retried' : 'retried'}, with a short error and no URL`, async () => {
      const base = answer === 'refused' ? `http://127.0.0.1:${await closedPort()}` : (await receiver(() => answer)).url;
      const { notify } = channelActivities(settings(undefined, base), logger);
      const err = await failureOf(notify(message('slack', 'request', approvalSubject())));
      assert.equal(failureKind(err), kind);
      assert.match(err.message, pattern);
      errors.push(err.message);
    });
  }

  test('an attempt cancelled mid-request (e.g. its start-to-close timeout) ends as cancelled, not as a failure', async () => {
    const hanging = await receiver(() => 'hang');
    const acts = createActivities({ channels: settings(undefined, hanging.url) });
    const env = new MockActivityEnvironment(undefined, { logger });
    const attempt = env.run(acts.notify, message('slack', 'request', approvalSubject()));
    await eventually(async () => hanging.requests.length === 1, 5_000, 'the request to arrive');
    env.cancel();
    const err = await failureOf(attempt);
    assert.ok(err instanceof CancelledFailure, `${err.name}: ${err.message}`);
  });

  test('a platform answering 401 is a rejection', async () => {
    const platform = await receiver(() => ({ status: 401, body: { error: `bad token ${PLATFORM_TOKEN}` } }));
    const { notify } = channelActivities(settings(platform.url), logger);
    const err = await failureOf(notify(message('dashboard', 'request', approvalSubject())));
    assert.equal(failureKind(err), 'rejected');
    assert.equal(err.message, 'platform approvals: HTTP 401 bad token [redacted]');
    errors.push(err.message);
  });

  test('no error message or log line carries the token or the webhook URL', () => {
    assert.ok(errors.length === 7 && logger.warnings().length >= 7);
    assertNoSecret(`${logger.text()}\n${errors.join('\n')}`, [PLATFORM_TOKEN, WEBHOOK_SECRET, LINK_KEYS[0]!.secret], 'logs and errors');
  });
});
