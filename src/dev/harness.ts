/**
 * One harness for the tests, the benchmark and the scripts: connections to a running dev server, a worker on a task
 * queue of its own, and waits on visibility and workflow state.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { HitlClient, type HitlClientOptions } from '../client/hitl-client.js';
import { queries } from '../client/visibility.js';
import { approvalWorkflowId, pauseWorkflowId } from '../common/constants.js';
import { processEnv } from '../config/env.js';
import { CLIENT_CHANNEL_ARGS, parseConfig, type HitlConfig, type WorkerConfig } from '../config/index.js';
import { createHitlWorker, type CreateHitlWorkerOptions } from '../worker/index.js';

/** The dev server the harness talks to (set by `withServer`). */
export const serverAddress = (): string => processEnv().TEMPORAL_ADDRESS ?? 'localhost:7233';
/** A prebuilt workflow bundle (set by `withServer`), so that workers skip bundling. */
export const prebuiltBundle = (): CreateHitlWorkerOptions['workflowBundle'] => {
  const codePath = processEnv().HITL_WORKFLOW_BUNDLE;
  return codePath ? { codePath } : undefined;
};

let shared: Promise<{ client: Client; connection: Connection; native: NativeConnection }> | undefined;

/** One client connection and one worker connection per process. */
export function connections() {
  shared ??= (async () => {
    const address = serverAddress();
    const connection = await Connection.connect({ address, channelArgs: CLIENT_CHANNEL_ARGS });
    const native = await NativeConnection.connect({ address });
    return { client: new Client({ connection }), connection, native };
  })();
  return shared;
}

export async function closeConnections(): Promise<void> {
  if (!shared) return;
  const { connection, native } = await shared;
  shared = undefined;
  await connection.close();
  await native.close();
}

export const uid = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

export interface Harness {
  client: Client;
  taskQueue: string;
  config: HitlConfig;
  auditLogPath: string;
  hitl: (workspaceId: string, options?: Partial<HitlClientOptions>) => HitlClient;
  /**
   * The audit file's lines once the worker is idle. A caller hears the decision before the outcome line is written
   * (the line comes one workflow task later), so a test that reads the log right after an answer waits for it here.
   */
  audit: () => Promise<Record<string, unknown>[]>;
  worker: Worker;
}

export interface WorkerHarnessOptions {
  config?: HitlConfig | WorkerConfig;
  taskQueue?: string;
  auditLogPath?: string;
  workerOptions?: CreateHitlWorkerOptions['workerOptions'];
}

/** A worker on a task queue of its own (with an audit file of its own), running while `fn` runs. */
export async function withWorker<T>(fn: (h: Harness) => Promise<T>, options: WorkerHarnessOptions = {}): Promise<T> {
  const { client, native } = await connections();
  const taskQueue = options.taskQueue ?? uid('tq');
  const config = options.config ?? parseConfig({}, {});
  const auditLogPath = options.auditLogPath ?? join(await mkdtemp(join(tmpdir(), 'hitl-audit-')), 'audit.log');
  const bundle = prebuiltBundle();
  const worker = await createHitlWorker({
    connection: native,
    taskQueue,
    config,
    auditLogPath,
    ...(bundle && { workflowBundle: bundle }),
    ...(options.workerOptions && { workerOptions: options.workerOptions }),
  });
  const harness: Harness = {
    client,
    taskQueue,
    config,
    auditLogPath,
    worker,
    hitl: (workspaceId, extra) => new HitlClient({ client, workspaceId, taskQueue, config, ...extra }),
    audit: async () => {
      await settled(worker);
      return readAudit(auditLogPath);
    },
  };
  return worker.runUntil(fn(harness));
}

/** Resolves once `worker` has had no workflow activation or activity in flight for two looks 50 ms apart (10 s at most). */
export async function settled(worker: Worker): Promise<void> {
  const idle = () => {
    const s = worker.getStatus();
    return s.numInFlightWorkflowActivations === 0 && s.numInFlightActivities === 0;
  };
  const deadline = Date.now() + 10_000;
  let quiet = 0;
  while (quiet < 3 && Date.now() < deadline) {
    quiet = idle() ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The lines of an audit file, parsed. */
export async function readAudit(path: string): Promise<Record<string, unknown>[]> {
  return (await readFile(path, 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Polls `probe` until it returns true (visibility is eventually consistent). */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 10_000, what = 'condition', everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Waits until `workflowId` has run its first task and its `state` query reports `status`. */
async function waitState(client: Client, workflowId: string, status: string, everyMs?: number): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  await eventually(
    () =>
      handle.query<{ status: string }>('state').then(
        (s) => s.status === status,
        () => false,
      ),
    10_000,
    `${workflowId} to be ${status}`,
    everyMs,
  );
}

/** Waits until the pause workflow of `taskId` is paused. */
export const waitPaused = (client: Client, taskId: string, everyMs?: number): Promise<void> =>
  waitState(client, pauseWorkflowId(taskId), 'paused', everyMs);

/** Waits until the approval workflow `approvalId` is pending. */
export const waitPending = (client: Client, approvalId: string, everyMs?: number): Promise<void> =>
  waitState(client, approvalWorkflowId(approvalId), 'pending', everyMs);

/** Runs of `workflowId` that visibility knows of. */
export async function countRuns(client: Client, workflowId: string): Promise<number> {
  let n = 0;
  for await (const _ of client.workflow.list({ query: queries.runsOf(workflowId) })) n++;
  return n;
}
