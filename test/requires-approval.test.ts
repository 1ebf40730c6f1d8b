import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { tool } from '@langchain/core/tools';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { approvalIdFor, HitlClient, parseConfig, requiresApproval, RequiresApproval } from '../src/index.js';
import { approvalStateQuery, approvalWorkflowId } from '../src/workflow.js';
import { closeConnections, firstPending, uid, waitPending, withWorker, type Harness } from './helpers.js';

after(closeConnections);

/** A stand-in human: waits for the approval of `key` and decides it. */
async function human(
  h: Harness,
  ws: HitlClient,
  key: string,
  decision: 'approved' | 'denied',
  extra: { message?: string; editedArgs?: Record<string, unknown> } = {},
) {
  const approvalId = approvalIdFor(ws.workspaceId, key);
  await waitPending(h.client, approvalId);
  const state = await h.client.workflow.getHandle(approvalWorkflowId(approvalId)).query(approvalStateQuery);
  assert.equal((await ws.decide(approvalId, { decision, decidedBy: 'alice', ...extra })).success, true);
  return state;
}

describe('requiresApproval on a function (reference decorator cases)', () => {
  test('runs when approved, with the reason from the template; audit has granted', () =>
    withWorker(async (h) => {
      const ws = h.hitl('ws-a');
      const key = uid('k');
      const calls: unknown[] = [];
      const dropTable = requiresApproval(ws, { reasonTemplate: 'Drop table {table_name} ({rows} rows)', idempotencyKey: () => key })(
        async function drop_table(args: { table_name: string; rows: number }) {
          calls.push(args);
          return { success: true, dropped: args.table_name };
        },
      );
      const running = dropTable({ table_name: 'users', rows: 12 });
      const state = await human(h, ws, key, 'approved');
      assert.deepEqual(await running, { success: true, dropped: 'users' });
      assert.deepEqual(calls, [{ table_name: 'users', rows: 12 }]);
      assert.equal(state.action, 'drop_table');
      assert.equal(state.reason, 'Drop table users (12 rows)');
      const granted = (await h.audit()).find((l) => l.outcome === 'granted')!;
      assert.deepEqual(
        [granted.action, granted.resource, granted.actor, granted.reason],
        ['approve', 'drop_table', 'alice', 'Drop table users (12 rows)'],
      );
    }));

  test('blocks when denied: the function never runs; the error carries the message; audit has denied', () =>
    withWorker(async (h) => {
      const ws = h.hitl('ws-a');
      const key = uid('k');
      let ran = false;
      const send = requiresApproval(ws, { action: 'Send customer email', idempotencyKey: () => key })(async (_: { to: string }) => {
        ran = true;
      });
      const running = send({ to: 'ceo@example.com' });
      const state = await human(h, ws, key, 'denied', { message: 'Not on a Friday' });
      assert.deepEqual(await running, {
        success: false,
        error: "Action 'Send customer email' not approved: Not on a Friday",
        approval_id: approvalIdFor('ws-a', key),
      });
      assert.equal(ran, false);
      assert.equal(state.reason, 'Args: to=ceo@example.com');
      assert.equal((await h.audit()).at(-1)!.outcome, 'denied');
    }));

  test('a missing template key gives the raw template; the default action is the function name', () =>
    withWorker(async (h) => {
      const ws = h.hitl(uid('ws'));
      const gated = requiresApproval(ws, { reasonTemplate: 'Delete {table_name}' })(async function purge(_: { other: string }) {
        return 'purged';
      });
      const running = gated({ other: 'x' });
      const approvalId = await firstPending(ws, 'purge');
      const state = await h.client.workflow.getHandle(approvalWorkflowId(approvalId)).query(approvalStateQuery);
      assert.equal(state.reason, 'Delete {table_name}');
      await ws.decide(approvalId, { decision: 'approved', decidedBy: 'alice' });
      assert.equal(await running, 'purged');
    }));

  test('bypass roles skip the gate: the function runs and no approval workflow starts', () =>
    withWorker(async (h) => {
      const ws = h.hitl('ws-a', { roles: () => ['viewer', 'admin'] });
      const key = uid('k');
      const gated = requiresApproval(ws, { bypassRoles: ['admin'], idempotencyKey: () => key })(async () => 'ran');
      assert.equal(await gated(), 'ran');
      await assert.rejects(h.client.workflow.getHandle(approvalWorkflowId(approvalIdFor('ws-a', key))).describe(), WorkflowNotFoundError);
    }));

  test('a bypassed function that throws runs once and its error reaches the caller; no approval is asked', () =>
    withWorker(async (h) => {
      const ws = h.hitl('ws-a', { roles: () => ['admin'] });
      const key = uid('k');
      let runs = 0;
      const gated = requiresApproval(ws, { bypassRoles: ['admin'], idempotencyKey: () => key })(async () => {
        runs++;
        throw new Error('disk full');
      });
      await assert.rejects(gated(), /disk full/);
      assert.equal(runs, 1);
      await assert.rejects(h.client.workflow.getHandle(approvalWorkflowId(approvalIdFor('ws-a', key))).describe(), WorkflowNotFoundError);
    }));

  test('bypass roles from config; a failing role lookup falls through to the gate', () =>
    withWorker(async (h) => {
      const config = parseConfig({ hitl: { bypass_roles: ['admin'] } }, {});
      const admin = h.hitl('ws-a', { config, roles: async () => ['admin'] });
      assert.equal(await requiresApproval(admin)(async () => 'ran')(), 'ran');
      const broken = h.hitl('ws-a', {
        config,
        roles: () => {
          throw new Error('RBAC down');
        },
      });
      const key = uid('k');
      const gated = requiresApproval(broken, { idempotencyKey: () => key })(async () => 'ran');
      const running = gated();
      await human(h, broken, key, 'denied');
      assert.equal(((await running) as { success: boolean }).success, false);
    }));

  test('approval machinery down (unknown namespace, unreachable server) → gate error, the function never runs', async () => {
    let ran = false;
    const fn = async () => {
      ran = true;
    };
    await withWorker(async (h) => {
      const badNamespace = new HitlClient({
        client: new Client({ connection: h.client.connection, namespace: uid('no-such-ns') }),
        workspaceId: 'ws-a',
      });
      const result = (await requiresApproval(badNamespace)(fn)()) as { success: boolean; error: string };
      assert.equal(result.success, false);
      assert.match(result.error, /^Approval gate error: .*(namespace|Namespace)/);
    });
    const connection = await Connection.connect({ address: '127.0.0.1:1', connectTimeout: '1s' }).catch((e: Error) => e);
    const lazy = connection instanceof Error ? Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '1s' }) : connection;
    const unreachable = new HitlClient({ client: new Client({ connection: lazy }), workspaceId: 'ws-a' });
    const result = (await requiresApproval(unreachable)(fn)()) as { success: boolean; error: string };
    assert.equal(result.success, false);
    assert.match(result.error, /^Approval gate error: Failed to start Workflow: .*UNAVAILABLE/);
    assert.equal(ran, false);
  });
});

describe('requiresApproval on a LangChain tool', () => {
  const makeDropTool = (calls: unknown[]) =>
    tool(
      async ({ table, rows }) => {
        calls.push({ table, rows });
        return `deleted ${rows} rows from ${table}`;
      },
      {
        name: 'delete_rows',
        description: 'Delete rows from a table',
        schema: z.object({ table: z.string(), rows: z.number().int().max(1000) }),
      },
    );

  test('keeps name, description and schema; approved with an edit runs with the edited arguments', () =>
    withWorker(async (h) => {
      const ws = h.hitl('ws-a');
      const key = uid('k');
      const calls: unknown[] = [];
      const gated = requiresApproval(ws, { reasonTemplate: 'Delete {rows} rows from {table}', idempotencyKey: () => key })(
        makeDropTool(calls),
      );
      assert.equal(gated.name, 'delete_rows');
      assert.equal(gated.description, 'Delete rows from a table');
      const running = gated.invoke({ table: 'users', rows: 900 });
      const approvalId = approvalIdFor('ws-a', key);
      await waitPending(h.client, approvalId);
      const bad = await ws.decide(approvalId, { decision: 'approved', decidedBy: 'alice', editedArgs: { rows: 5000 } });
      assert.match((bad as { error: string }).error, /schema: rows/);
      assert.equal((await ws.decide(approvalId, { decision: 'approved', decidedBy: 'alice', editedArgs: { rows: 10 } })).success, true);
      assert.equal(await running, 'deleted 10 rows from users');
      assert.deepEqual(calls, [{ table: 'users', rows: 10 }]);
    }));

  test('a tool call id makes the approval re-attachable by default; denial returns the reference shape', () =>
    withWorker(async (h) => {
      const ws = h.hitl('ws-a');
      const calls: unknown[] = [];
      const gated = requiresApproval(ws)(makeDropTool(calls));
      const toolCallId = uid('call');
      const thread = uid('thread');
      const config = { configurable: { thread_id: thread } };
      const running = gated.invoke({ type: 'tool_call', id: toolCallId, name: 'delete_rows', args: { table: 't', rows: 1 } }, config);
      const key = `${thread}:delete_rows:${toolCallId}`;
      await human(h, ws, key, 'denied', { message: 'ask the DBA' });
      const message = (await running) as { content: string; tool_call_id: string };
      assert.equal(message.tool_call_id, toolCallId);
      assert.deepEqual(JSON.parse(message.content), {
        success: false,
        error: "Action 'delete_rows' not approved: ask the DBA",
        approval_id: approvalIdFor('ws-a', key),
      });
      assert.deepEqual(calls, []);
    }));
});

describe('RequiresApproval method decorator', () => {
  test('gates a method, with the method name as the action and `this` intact', () =>
    withWorker(async (h) => {
      const ws = h.hitl(uid('ws'));
      class Billing {
        constructor(
          readonly hitl: HitlClient,
          readonly currency: string,
        ) {}
        @RequiresApproval((self: Billing) => self.hitl, { reasonTemplate: 'Refund {amount} to {customer}' })
        async refund(args: { amount: number; customer: string }) {
          return `refunded ${args.amount} ${this.currency} to ${args.customer}`;
        }
      }
      const running = new Billing(ws, 'EUR').refund({ amount: 42, customer: 'ACME' });
      const approvalId = await firstPending(ws, 'refund');
      const state = await h.client.workflow.getHandle(approvalWorkflowId(approvalId)).query(approvalStateQuery);
      assert.equal(state.reason, 'Refund 42 to ACME');
      await ws.decide(approvalId, { decision: 'approved', decidedBy: 'alice' });
      assert.equal(await running, 'refunded 42 EUR to ACME');
    }));
});
