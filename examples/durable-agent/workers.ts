/**
 * The example's workers. temporal-hitl's worker (`createHitlWorker`) runs the approval and pause workflows on the
 * `hitl` queue; the agent's own workflow and activities run on a plain Temporal worker of their own queue, since
 * `createHitlWorker` registers only temporal-hitl's activities.
 */
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import * as activities from './activities.js';

export const AGENT_TASK_QUEUE = 'durable-agent';

/** The agent's workflows file, for `workflowsPath` or `bundleWorkflowCode`. */
export const agentWorkflowsPath = fileURLToPath(new URL('./workflows.ts', import.meta.url));

export interface AgentWorkerOptions {
  connection: NativeConnection;
  /** @default 'durable-agent' */
  taskQueue?: string;
  /** @default 'default' */
  namespace?: string;
  /** A prebuilt bundle of `agentWorkflowsPath`; by default the worker bundles it. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  workerOptions?: Partial<WorkerOptions>;
}

/** A worker for the agent workflow and its activities (the model call, `dropTable`). */
export function createAgentWorker(options: AgentWorkerOptions): Promise<Worker> {
  return Worker.create({
    ...options.workerOptions,
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? AGENT_TASK_QUEUE,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: agentWorkflowsPath }),
    activities,
  });
}
