import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from './activities/index.js';
import type { HitlConfig } from './config/index.js';

export interface CreateHitlWorkerOptions {
  /** A `NativeConnection` to the Temporal server. */
  connection: NativeConnection;
  /** @default config.temporal.namespace */
  namespace?: string;
  /** @default config.temporal.taskQueue ('hitl') */
  taskQueue?: string;
  config: HitlConfig;
  /** Audit log file. @default process.env.AUDIT_LOG_PATH */
  auditLogPath?: string;
  /** A prebuilt workflow bundle; by default the workflows are bundled once per process. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Any other Worker option (concurrency, identity, …). */
  workerOptions?: Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue' | 'workflowBundle' | 'workflowsPath' | 'activities'>;
}

/** Path of the workflows entry: `.ts` when running from source, `.js` from the published build. */
export function workflowsPath(): string {
  const ts = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));
  return existsSync(ts) ? ts : fileURLToPath(new URL('./workflows/index.js', import.meta.url));
}

let bundle: Promise<{ code: string }> | undefined;

/** Bundles the workflows once per process; every worker after the first reuses the bundle. */
export function hitlWorkflowBundle(): Promise<{ code: string }> {
  bundle ??= bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quietBundlerLogger }).catch((err: unknown) => {
    bundle = undefined;
    throw err;
  });
  return bundle;
}

/**
 * A Temporal worker running the temporal-hitl workflows and activities.
 * @example
 * const worker = await createHitlWorker({ connection: await NativeConnection.connect(), config: await loadConfig() });
 * await worker.run();
 */
export async function createHitlWorker(options: CreateHitlWorkerOptions): Promise<Worker> {
  const { config } = options;
  return Worker.create({
    ...options.workerOptions,
    connection: options.connection,
    namespace: options.namespace ?? config.temporal.namespace,
    taskQueue: options.taskQueue ?? config.temporal.taskQueue,
    workflowBundle: options.workflowBundle ?? (await hitlWorkflowBundle()),
    activities: createActivities({ auditLogPath: options.auditLogPath }),
  });
}

const noop = (): void => undefined;
const quietBundlerLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: (message: string, meta?: Record<string, unknown>) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: Record<string, unknown>) => console.error(message, meta ?? ''),
  log: noop,
};
