import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger, type Worker } from '@temporalio/worker';
import { createHitlWorker, HitlClient, parseConfig, type HitlClientOptions, type HitlConfig } from '../src/index.js';

Runtime.install({ logger: new DefaultLogger('WARN') });

export const address = process.env.TEMPORAL_ADDRESS ?? 'localhost:7233';
export const bundlePath = process.env.HITL_WORKFLOW_BUNDLE;

let shared: Promise<{ client: Client; connection: Connection; native: NativeConnection }> | undefined;

/** One client connection and one worker connection per test file. */
export function connections() {
  shared ??= (async () => {
    const connection = await Connection.connect({ address });
    const native = await NativeConnection.connect({ address });
    return { client: new Client({ connection }), connection, native };
  })();
  return shared;
}

export async function closeConnections(): Promise<void> {
  if (!shared) return;
  const { connection, native } = await shared;
  await connection.close();
  await native.close();
  shared = undefined;
}

export const uid = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

export interface Harness {
  client: Client;
  taskQueue: string;
  config: HitlConfig;
  auditLogPath: string;
  hitl: (workspaceId: string, options?: Partial<HitlClientOptions>) => HitlClient;
  audit: () => Promise<Record<string, unknown>[]>;
  worker: Worker;
}

/** A worker on a task queue of its own, running while `fn` runs. */
export async function withWorker<T>(
  fn: (h: Harness) => Promise<T>,
  options: { config?: HitlConfig; taskQueue?: string; auditLogPath?: string } = {},
): Promise<T> {
  const { client, native } = await connections();
  const taskQueue = options.taskQueue ?? uid('tq');
  const config = options.config ?? parseConfig({}, {});
  const auditLogPath = options.auditLogPath ?? join(await mkdtemp(join(tmpdir(), 'hitl-audit-')), 'audit.log');
  const worker = await createHitlWorker({
    connection: native,
    taskQueue,
    config,
    auditLogPath,
    ...(bundlePath && { workflowBundle: { codePath: bundlePath } }),
  });
  const harness: Harness = {
    client,
    taskQueue,
    config,
    auditLogPath,
    worker,
    hitl: (workspaceId, extra) => new HitlClient({ client, workspaceId, taskQueue, config, ...extra }),
    audit: async () =>
      (await readFile(auditLogPath, 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
  return worker.runUntil(fn(harness));
}

/** Polls `probe` until it returns true (visibility is eventually consistent). */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Waits until `workflowId` has run its first task and its `state` query reports `status`. */
async function waitState(client: Client, workflowId: string, status: string): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  await eventually(
    () =>
      handle.query<{ status: string }>('state').then(
        (s) => s.status === status,
        () => false,
      ),
    10_000,
    `${workflowId} to be ${status}`,
  );
}

/** Waits until the pause workflow of `taskId` is paused. */
export const waitPaused = (client: Client, taskId: string): Promise<void> => waitState(client, `hitl-pause-${taskId}`, 'paused');

/** Waits until the approval workflow `approvalId` is pending. */
export const waitPending = (client: Client, approvalId: string): Promise<void> =>
  waitState(client, `hitl-approval-${approvalId}`, 'pending');

/** Waits for the first pending approval of `hitl`'s workspace (ids unknown to the test) and returns its id. */
export async function firstPending(hitl: HitlClient, action: string): Promise<string> {
  let id: string | undefined;
  await eventually(
    async () => {
      id = (await hitl.listApprovals({ status: 'pending' })).find((r) => r.action === action)?.id;
      return id !== undefined;
    },
    10_000,
    `a pending approval of ${action}`,
  );
  return id!;
}

/** Runs of `workflowId` that visibility knows of. */
export async function countRuns(client: Client, workflowId: string): Promise<number> {
  let n = 0;
  for await (const _ of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) n++;
  return n;
}

/** Exactly one run of `workflowId`, once visibility has caught up. */
export async function assertOneRun(client: Client, workflowId: string): Promise<void> {
  await eventually(async () => (await countRuns(client, workflowId)) >= 1, 10_000, `${workflowId} to be visible`);
  const runs = await countRuns(client, workflowId);
  if (runs !== 1) throw new Error(`expected one run of ${workflowId}, found ${runs}`);
}
