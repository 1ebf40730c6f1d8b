import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { linkUrl, type LinkClaims } from '../src/links/index.js';
import { approvalStateQuery, approvalWorkflowId } from '../src/workflow.js';
import { closeConnections, eventually, uid, waitPaused, waitPending, withWorker, type Harness } from './helpers.js';
import { LINK_KEY, SLACK_SECRET, withGateway } from './fixtures/gateway-setup.js';

after(closeConnections);

const stateOf = (h: Harness, id: string) => h.client.workflow.getHandle(approvalWorkflowId(id)).query(approvalStateQuery);
const RECIPIENT = 'email:ops@example.com';

test('signed links: GET only shows; expired, tampered, other decision, other workspace, cross-site → refused; POST decides once', () =>
  withWorker((h) =>
    withGateway(h, async ({ gw, wsA, wsB }) => {
      const hitl = h.hitl(wsA);
      const { approval_id: id } = await hitl.createApproval({ action: 'wire_money', reason: 'Pay <ACME> & co', args: { amount: 420 } });
      await waitPending(h.client, id);
      const link = (o: Partial<LinkClaims> = {}) =>
        linkUrl(gw.url, { action: 'approve', id, workspaceId: wsA, recipient: RECIPIENT, expiresAt: Date.now() + 600_000, ...o }, [
          LINK_KEY,
        ]);
      const good = link();
      const post = (url: string, form: Record<string, string> = {}, origin = gw.url) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
          body: new URLSearchParams(form),
        });

      for (let i = 0; i < 2; i++) {
        const shown = await fetch(good); // a mail scanner, twice
        const html = await shown.text();
        assert.equal(shown.status, 200);
        assert.match(html, /wire_money/);
        assert.match(html, /Pay &lt;ACME&gt; &amp; co/);
        assert.match(html, /&quot;amount&quot;: 420/);
        assert.match(html, /<form method="post"/);
      }
      const tampered = good.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'));
      const forged = linkUrl(gw.url, { action: 'approve', id, workspaceId: wsA, recipient: RECIPIENT, expiresAt: Date.now() + 600_000 }, [
        { id: LINK_KEY.id, secret: 'another-secret-of-at-least-32-characters!!' },
      ]);
      const refused: [string, Response, number, RegExp][] = [
        ['expired', await post(link({ expiresAt: Date.now() - 1000 })), 410, /expired/],
        ['tampered', await post(tampered), 403, /altered/],
        ['forged', await post(forged), 403, /altered/],
        ['other decision', await post(good.replace('/approve?', '/deny?')), 403, /another decision/],
        ['other workspace', await post(good.replace(`/workspaces/${wsA}/`, `/workspaces/${wsB}/`)), 403, /another decision/],
        ['signed for another workspace', await post(link({ workspaceId: wsB })), 404, /not found/],
        ['no token', await post(good.split('?')[0]!), 403, /incomplete/],
        ['cross-site form', await post(good, {}, 'https://evil.example'), 403, /cross-site form posts are refused/],
      ];
      for (const [what, res, status, text] of refused) {
        const body = await res.text();
        assert.equal(res.status, status, `${what}: ${body.slice(0, 300)}`);
        assert.match(body, text, what);
      }
      const before = await stateOf(h, id);
      assert.deepEqual([before.status, before.approvals.length, before.rejected.length], ['pending', 0, 0]); // refused updates leave no trace in the workflow

      const ok = await post(good, { message: 'paid from ops budget' });
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /You approved/);
      const result = await hitl.waitForApproval(id);
      assert.deepEqual([result.approved, result.decided_by, result.message], [true, RECIPIENT, 'paid from ops budget']);

      const second = await post(good);
      assert.equal(second.status, 404);
      assert.match(await second.text(), /already decided: approved by email:ops@example.com/);
      const page = await fetch(good);
      assert.equal(page.status, 409);
      assert.doesNotMatch(await page.text(), /<form/);

      // A deny link with a message; a resume link for a paused task.
      const { approval_id: other } = await hitl.createApproval({ action: 'drop_table', reason: 'cleanup' });
      await waitPending(h.client, other);
      const deny = linkUrl(gw.url, { action: 'deny', id: other, workspaceId: wsA, recipient: RECIPIENT, expiresAt: Date.now() + 60_000 }, [
        LINK_KEY,
      ]);
      assert.equal((await post(deny, { message: 'not on Friday' })).status, 200);
      assert.deepEqual((({ approved, message }) => ({ approved, message }))(await hitl.waitForApproval(other)), {
        approved: false,
        message: 'not on Friday',
      });
      const taskId = uid('task');
      const paused = hitl.pauseTask(taskId, 'Need a plan', { timeout: '5m' });
      await waitPaused(h.client, taskId);
      const resume = linkUrl(
        gw.url,
        { action: 'resume', id: taskId, workspaceId: wsA, recipient: RECIPIENT, expiresAt: Date.now() + 60_000 },
        [LINK_KEY],
      );
      const resumePage = await fetch(resume);
      assert.equal(resumePage.status, 200);
      assert.match(await resumePage.text(), /Need a plan/);
      assert.equal((await post(resume, { message: 'plan B' })).status, 200);
      assert.deepEqual(await paused, { resumed: true, task_id: taskId, message: 'plan B' });
      assert.equal((await post(resume)).status, 404);
    }),
  ));

/** A signed Slack interactivity request for a button click. */
function slackRequest(url: string, payload: unknown, opts: { secret?: string; ts?: number } = {}) {
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const ts = String(opts.ts ?? Math.floor(Date.now() / 1000));
  const sig = `v0=${createHmac('sha256', opts.secret ?? SLACK_SECRET)
    .update(`v0:${ts}:${body}`)
    .digest('hex')}`;
  const init = {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': sig },
    body,
  };
  return { send: () => fetch(`${url}/slack/interactivity`, init) };
}

test('Slack buttons: a signed click decides as the mapped user and replaces the message; bad signature, stale, replay → 401', () =>
  withWorker((h) =>
    withGateway(h, async ({ gw, wsA }) => {
      const received: Record<string, unknown>[] = [];
      const receiver = createServer((req, res) => {
        let text = '';
        req.on('data', (d: Buffer) => (text += d.toString()));
        req.on('end', () => {
          received.push(JSON.parse(text) as Record<string, unknown>);
          res.end('ok');
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      const responseUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/actions/T1`;
      try {
        const hitl = h.hitl(wsA);
        const { approval_id: id } = await hitl.createApproval({ action: 'restart_db', reason: 'stuck' });
        await waitPending(h.client, id);
        const click = (user: string, actionId: string, approvalId: string) => ({
          type: 'block_actions',
          user: { id: user },
          response_url: responseUrl,
          actions: [{ action_id: actionId, value: JSON.stringify({ approvalId, workspaceId: wsA }) }],
          message: {
            blocks: [
              { type: 'section', text: { type: 'mrkdwn', text: 'Approve restart_db?' } },
              { type: 'actions', elements: [] },
            ],
          },
        });
        const payload = click('U111', 'hitl_approve', id);
        const bad = [
          await slackRequest(gw.url, payload, { secret: 'wrong-secret' }).send(),
          await slackRequest(gw.url, payload, { ts: Math.floor(Date.now() / 1000) - 600 }).send(),
        ];
        assert.deepEqual(
          bad.map((r) => r.status),
          [401, 401],
        );
        assert.match(((await bad[1]!.json()) as { detail: string }).detail, /stale/);
        assert.equal((await stateOf(h, id)).status, 'pending');

        const signed = slackRequest(gw.url, payload);
        const res = await signed.send();
        assert.equal(res.status, 200);
        const reply = (await res.json()) as { replace_original: boolean; blocks: { type: string }[]; text: string };
        assert.deepEqual([reply.replace_original, reply.text], [true, 'Approved by alice']);
        assert.ok(!reply.blocks.some((b) => b.type === 'actions'), 'the buttons are gone');
        assert.deepEqual([(await stateOf(h, id)).status, (await stateOf(h, id)).decidedBy], ['approved', 'alice']);
        await eventually(
          async () => received.some((m) => m.text === 'Approved by alice' && m.replace_original === true),
          10_000,
          'the response_url update',
        );

        const replay = await signed.send();
        assert.equal(replay.status, 401);
        assert.match(((await replay.json()) as { detail: string }).detail, /replayed/);

        // An unmapped Slack user decides as slack:<id>; a late click says so and changes nothing.
        const { approval_id: other } = await hitl.createApproval({ action: 'restart_cache', reason: 'stale' });
        await waitPending(h.client, other);
        assert.equal((await slackRequest(gw.url, click('U222', 'hitl_deny', other)).send()).status, 200);
        assert.equal((await stateOf(h, other)).decidedBy, 'slack:U222');
        const late = (await (await slackRequest(gw.url, click('U111', 'hitl_approve', other)).send()).json()) as { text: string };
        assert.match(late.text, /^Not recorded: .*already decided/);
        assert.equal((await stateOf(h, other)).status, 'denied');
      } finally {
        receiver.close();
      }
    }),
  ));
