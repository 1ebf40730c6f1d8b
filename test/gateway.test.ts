import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ConfigError, parseGatewayConfig } from '../src/index.js';
import { hashToken } from '../src/gateway/index.js';
import { matchToken } from '../src/gateway/auth.js';
import { approvalStateQuery, approvalWorkflowId, pauseWorkflowId } from '../src/workflow.js';
import { closeConnections, eventually, uid, waitPaused, waitPending, withWorker, type Harness } from './helpers.js';
import { withGateway } from './fixtures/gateway-setup.js';

after(closeConnections);

const stateOf = (h: Harness, id: string) => h.client.workflow.getHandle(approvalWorkflowId(id)).query(approvalStateQuery);

test('platform API: create, list, refuse bad input and other workspaces, edit-approve, late decide → 404, admin list, log', () =>
  withWorker((h) =>
    withGateway(h, async ({ call, wsA, wsB, tokens, log, gw }) => {
      assert.deepEqual(await (await call('GET', '/healthz')).json(), { ok: true });

      const created = await call('POST', `/workspaces/${wsA}/approvals`, tokens.alice, {
        action: 'purge_rows',
        reason: 'Old rows',
        task_id: 'task-1',
        args: { table: 'events', rows: 500 },
        args_schema: { type: 'object', properties: { table: { type: 'string' }, rows: { type: 'integer', maximum: 1000 } } },
        timeout: '10m',
      });
      assert.equal(created.status, 201);
      const { approval_id: id, status } = (await created.json()) as { approval_id: string; status: string };
      assert.equal(status, 'pending');
      await waitPending(h.client, id);

      let rows: { id: string; status: string; task_id: string; action: string; reason: string }[] = [];
      await eventually(
        async () => {
          rows = (await (await call('GET', `/workspaces/${wsA}/approvals`, tokens.alice)).json()) as typeof rows;
          return rows.some((r) => r.id === id);
        },
        15_000,
        'the approval in the list',
      );
      assert.deepEqual((({ status, task_id, action, reason }) => ({ status, task_id, action, reason }))(rows.find((r) => r.id === id)!), {
        status: 'pending',
        task_id: 'task-1',
        action: 'purge_rows',
        reason: 'Old rows',
      });

      // Refusals: each answers 4xx with a clear error, and the approval stays pending and undecided.
      const refusals: [Response, number, RegExp][] = [
        [await call('POST', `/workspaces/${wsA}/approvals/${id}/decide`, undefined, { decision: 'approved' }), 401, /Bearer/],
        [await call('POST', `/workspaces/${wsA}/approvals/${id}/decide`, 'nope', { decision: 'approved' }), 401, /unknown bearer/],
        [await call('POST', `/workspaces/${wsA}/approvals/${id}/decide`, tokens.bob, { decision: 'approved' }), 403, /another workspace/],
        [
          await call('POST', `/workspaces/${wsB}/approvals/${id}/decide`, tokens.bob, { decision: 'approved' }),
          404,
          /not found in workspace/,
        ],
        [await call('GET', `/workspaces/${wsA}/approvals`, tokens.bob), 403, /another workspace/],
        [await call('POST', `/workspaces/${wsA}/approvals/${id}/decide`, tokens.alice, '{"decision": "appr'), 400, /not valid JSON/],
        [
          await call('POST', `/workspaces/${wsA}/approvals/${id}/decide`, tokens.alice, { decision: 'maybe' }),
          400,
          /^decision: must be 'approved' or 'denied'/,
        ],
        [await call('POST', `/workspaces/${wsA}/approvals/${id}/decide`, tokens.alice, {}), 400, /^decision:/],
        [
          await call('POST', `/workspaces/${wsA}/approvals/${id}/decide`, tokens.alice, { decision: 'denied', edited_args: { rows: 1 } }),
          400,
          /^edited_args/,
        ],
        [
          await call('POST', `/workspaces/${wsA}/approvals/${id}/decide`, tokens.alice, {
            decision: 'approved',
            edited_args: { rows: 'many' },
          }),
          422,
          /schema/,
        ],
        [
          await call('POST', `/workspaces/${wsA}/approvals/${id}/decide`, tokens.alice, {
            decision: 'approved',
            message: 'x'.repeat(70_000),
          }),
          413,
          /65536/,
        ],
        [await call('POST', `/workspaces/${wsA}/approvals`, tokens.alice, { reason: 'no action' }), 400, /^action:/],
        [await call('POST', `/workspaces/${wsA}/approvals`, tokens.alice, { action: 'x', args: [1] }), 400, /^args:/],
        [
          await call('POST', `/workspaces/${wsA}/approvals`, tokens.alice, { action: 'x', timeout: 'soon' }),
          400,
          /^timeout: expected a duration/,
        ],
      ];
      for (const [res, want, detail] of refusals) {
        const body = (await res.json()) as { error: string; detail: string };
        assert.equal(res.status, want, `${want} expected: ${JSON.stringify(body)}`);
        assert.ok(body.error && detail.test(body.detail), `${want}: ${JSON.stringify(body)}`);
      }
      const untouched = await stateOf(h, id);
      assert.equal(untouched.status, 'pending');
      assert.deepEqual([untouched.approvals.length, untouched.decidedBy, untouched.editedArgs], [0, undefined, undefined]);

      // Admin list: pending approvals of every workspace, with the workspace; a workspace token may not.
      const other = (await (await call('POST', `/workspaces/${wsB}/approvals`, tokens.bob, { action: 'rotate_keys' })).json()) as {
        approval_id: string;
      };
      assert.equal((await call('GET', '/approvals/pending', tokens.alice)).status, 401);
      await eventually(
        async () => {
          const all = (await (await call('GET', '/approvals/pending', tokens.admin)).json()) as { id: string; workspace_id: string }[];
          return (
            all.some((r) => r.id === id && r.workspace_id === wsA) && all.some((r) => r.id === other.approval_id && r.workspace_id === wsB)
          );
        },
        15_000,
        'both pending approvals in the admin list',
      );

      // Approve with edits: the decider is the token's name, whatever decided_by says.
      const decided = await call('POST', `/workspaces/${wsA}/approvals/${id}/decide`, tokens.alice, {
        decision: 'approved',
        decided_by: 'mallory',
        message: 'only 50',
        edited_args: { rows: 50 },
      });
      assert.equal(decided.status, 200);
      assert.equal(((await decided.json()) as { decided_by: string }).decided_by, 'alice');
      const result = await h.hitl(wsA).waitForApproval(id);
      assert.deepEqual([result.approved, result.decided_by, result.message], [true, 'alice', 'only 50']);
      assert.deepEqual(result.edited_args, { table: 'events', rows: 50 });
      await eventually(
        async () => (await h.audit()).some((l) => l.outcome === 'granted' && l.actor === 'alice'),
        10_000,
        'the audit line naming alice',
      );

      const late = await call('POST', `/workspaces/${wsA}/approvals/${id}/decide`, tokens.alice, { decision: 'denied' });
      assert.equal(late.status, 404);
      assert.equal(((await late.json()) as { error: string }).error, 'approval not found or already decided');
      assert.equal(
        (await call('POST', `/workspaces/${wsA}/approvals/nope-${uid('x')}/decide`, tokens.alice, { decision: 'denied' })).status,
        404,
      );
      assert.equal((await stateOf(h, id)).decidedBy, 'alice');

      // The request log: method, path, status and time; never a token.
      assert.ok(
        log.some((l) => new RegExp(`^POST /workspaces/${wsA}/approvals/${id}/decide 200 \\d+ms$`).test(l)),
        log.join('\n'),
      );
      for (const t of Object.values(tokens)) assert.ok(!log.some((l) => l.includes(t)), 'a token in the log');
      assert.match(gw.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    }),
  ));

test('paused tasks: list and resume in the platform style; another workspace cannot; a second resume → 404', () =>
  withWorker((h) =>
    withGateway(h, async ({ call, wsA, wsB, tokens }) => {
      const taskId = uid('task');
      const paused = h.hitl(wsA).pauseTask(taskId, 'Pick a plan', { timeout: '5m' });
      await waitPaused(h.client, taskId);
      await eventually(
        async () => {
          const list = (await (await call('GET', `/workspaces/${wsA}/tasks`, tokens.alice)).json()) as { paused_tasks: string[] };
          return list.paused_tasks.includes(taskId);
        },
        15_000,
        'the paused task listed',
      );
      assert.equal((await call('POST', `/workspaces/${wsB}/tasks/${taskId}/resume`, tokens.bob, { message: 'hijack' })).status, 404);
      assert.equal((await call('POST', `/workspaces/${wsA}/tasks/${taskId}/resume`, tokens.bob, {})).status, 403);
      assert.equal((await call('POST', `/workspaces/${wsA}/tasks/${taskId}/resume`, tokens.alice, { message: 7 })).status, 400);
      const state = await h.client.workflow.getHandle(pauseWorkflowId(taskId)).query<{ status: string }>('state');
      assert.equal(state.status, 'paused');
      const ok = await call('POST', `/workspaces/${wsA}/tasks/${taskId}/resume`, tokens.alice, { message: 'Plan B' });
      assert.deepEqual(await ok.json(), { success: true, task_id: taskId, resumed_by: 'alice' });
      assert.deepEqual(await paused, { resumed: true, task_id: taskId, message: 'Plan B' });
      const again = await call('POST', `/workspaces/${wsA}/tasks/${taskId}/resume`, tokens.alice, {});
      assert.equal(again.status, 404);
      assert.equal(((await again.json()) as { error: string }).error, 'task not found or already resumed');
    }),
  ));

test('assigned approvers: a token of the workspace not named is refused, nothing changes; the one named decides', () =>
  withWorker((h) =>
    withGateway(h, async ({ call, wsA, tokens, config }) => {
      const hitl = h.hitl(wsA, { config });
      const { approval_id: id } = await hitl.createApproval({ action: 'ship_release', reason: 'v2', approvers: ['alice'] });
      await waitPending(h.client, id);
      const refused = await call('POST', `/workspaces/${wsA}/approvals/${id}/decide`, tokens.bobA, { decision: 'approved' });
      assert.equal(refused.status, 403);
      assert.match(((await refused.json()) as { detail: string }).detail, /not among the assigned approvers/);
      const state = await stateOf(h, id);
      assert.deepEqual([state.status, state.approvals.length], ['pending', 0]);
      assert.equal((await call('POST', `/workspaces/${wsA}/approvals/${id}/decide`, tokens.alice, { decision: 'approved' })).status, 200);
      assert.equal((await hitl.waitForApproval(id)).decided_by, 'alice');

      // Through the API with a group: carol and alice are ops; bob is not.
      const viaApi = (await (
        await call('POST', `/workspaces/${wsA}/approvals`, tokens.alice, { action: 'drop_table', approvers: ['group:ops'] })
      ).json()) as { approval_id: string };
      await waitPending(h.client, viaApi.approval_id);
      assert.equal(
        (await call('POST', `/workspaces/${wsA}/approvals/${viaApi.approval_id}/decide`, tokens.bobA, { decision: 'denied' })).status,
        403,
      );
      assert.equal((await stateOf(h, viaApi.approval_id)).status, 'pending');
      assert.equal(
        (await call('POST', `/workspaces/${wsA}/approvals/${viaApi.approval_id}/decide`, tokens.alice, { decision: 'denied' })).status,
        200,
      );
      assert.equal((await stateOf(h, viaApi.approval_id)).decidedBy, 'alice');
    }),
  ));

test('gateway config: tokens are hashes; a bad entry is a ConfigError naming it; the Slack secret comes from env or channels', () => {
  const sha = hashToken('t0ken');
  assert.throws(
    () => parseGatewayConfig({ gateway: { tokens: [{ name: 'alice', workspace: 'ws-1', sha256: 't0ken' }] } }, {}),
    (err: Error) =>
      err instanceof ConfigError &&
      /gateway\.tokens\.0\.sha256: must be the token's SHA-256/.test(err.message) &&
      !err.message.includes('t0ken'),
  );
  assert.throws(
    () => parseGatewayConfig({ gateway: { admin_tokens: [{ name: 'root', sha256: sha, workspace: 'x' }] } }, {}),
    /gateway\.admin_tokens\.0\.workspace: unknown key/,
  );
  const channels = [{ type: 'slack', webhook_url: 'https://hooks.slack.com/x', signing_secret: 'from-file' }];
  const config = parseGatewayConfig(
    { hitl: { channels }, gateway: { tokens: [{ name: 'alice', workspace: 'ws-1', sha256: sha.toUpperCase() }] } },
    {},
  );
  assert.deepEqual(config.tokens, [{ name: 'alice', workspace: 'ws-1', sha256: sha }]);
  assert.deepEqual(config.slackSigningSecrets, ['from-file']);
  assert.deepEqual(parseGatewayConfig({ hitl: { channels } }, { SLACK_SIGNING_SECRET: 'from-env' }).slackSigningSecrets, ['from-env']);
  assert.equal(matchToken('t0ken', config.tokens)?.name, 'alice');
  assert.equal(matchToken('t0ken ', config.tokens), undefined);
});
