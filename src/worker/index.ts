/** `temporal-hitl/worker`: the worker side, which loads `@temporalio/worker` and its native bridge. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { workerConfigOf, type HitlConfig, type WorkerConfig } from '../config/index.js';

export interface CreateHitlWorkerOptions {
  /** A `NativeConnection` to the Temporal server. */
  connection: NativeConnection;
  /** @default config.temporal.namespace */
  namespace?: string;
  /** @default config.temporal.taskQueue ('hitl') */
  taskQueue?: string;
  /** The worker's config (`loadWorkerConfig`); a client-role `HitlConfig` takes its secrets and paths from the environment. */
  config: WorkerConfig | HitlConfig;
  /** Audit log file. @default config.auditLogPath (env AUDIT_LOG_PATH) */
  auditLogPath?: string;
  /** Your workflows file, which re-exports `approvalWorkflow` and `pauseWorkflow` from `temporal-hitl/workflow`. @default ours alone */
  workflowsPath?: string;
  /** A prebuilt workflow bundle, made by `hitlWorkflowBundle` (it carries our payload converter); by default the workflows are bundled once per process. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Any other Worker option (concurrency, identity, …). */
  workerOptions?: Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue' | 'workflowBundle' | 'workflowsPath' | 'activities'>;
}

/** A module of ours by its path without extension: `.ts` when running from source, `.js` from the published build. */
function ownModule(relative: string): string {
  const ts = fileURLToPath(new URL(`${relative}.ts`, import.meta.url));
  return existsSync(ts) ? ts : fileURLToPath(new URL(`${relative}.js`, import.meta.url));
}

/** Path of our workflows entry. */
export const workflowsPath = (): string => ownModule('../workflows/index');

/** Path of our payload converter: the SDK's, except that an undecodable payload is refused instead of wedging a workflow. */
export const payloadConverterPath = (): string => ownModule('../common/payload-converter');

const bundles = new Map<string, Promise<{ code: string }>>();

/** Bundles a workflows file once per process (ours by default); every worker after the first reuses the bundle. */
export function hitlWorkflowBundle(file = workflowsPath()): Promise<{ code: string }> {
  const path = resolve(file); // the bundler takes only absolute paths
  let bundle = bundles.get(path);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath: path, payloadConverterPath: payloadConverterPath(), logger: quietBundlerLogger }).catch(
      (err: unknown) => {
        bundles.delete(path);
        throw err;
      },
    );
    bundles.set(path, bundle);
  }
  return bundle;
}

/**
 * A Temporal worker running the temporal-hitl workflows and activities.
 * @example
 * const worker = await createHitlWorker({ connection: await NativeConnection.connect(), config: await loadWorkerConfig() });
 * await worker.run();
 */
export async function createHitlWorker(options: CreateHitlWorkerOptions): Promise<Worker> {
  const config = workerConfigOf(options.config);
  const auditLogPath = options.auditLogPath ?? config.auditLogPath;
  return Worker.create({
    ...options.workerOptions,
    connection: options.connection,
    namespace: options.namespace ?? config.temporal.namespace,
    taskQueue: options.taskQueue ?? config.temporal.taskQueue,
    workflowBundle: options.workflowBundle ?? (await hitlWorkflowBundle(options.workflowsPath)),
    dataConverter: { payloadConverterPath: payloadConverterPath() },
    activities: createActivities({ ...(auditLogPath && { auditLogPath }), channels: config }),
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

export { createActivities, type HitlActivities, type ActivityOptions } from '../activities/index.js';
