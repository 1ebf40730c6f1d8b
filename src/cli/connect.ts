import { Client, Connection } from '@temporalio/client';
import { HitlClient } from '../client/hitl-client.js';
import { HitlError } from '../common/errors.js';
import { loadConfig, type HitlConfig } from '../config/index.js';

/** Options every command takes. */
export const commonOptions = {
  config: { type: 'string', short: 'c', default: './config.yaml' },
  address: { type: 'string' },
  namespace: { type: 'string' },
  'task-queue': { type: 'string' },
  workspace: { type: 'string', short: 'w' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface CommonValues {
  config?: string;
  address?: string;
  namespace?: string;
  'task-queue'?: string;
  workspace?: string;
}

/** The config file, read for a role (`loadConfig`, `loadWorkerConfig`…), with command-line flags laid over it (flags win over env, env over the file). */
export async function resolveConfig<C extends HitlConfig = HitlConfig>(
  values: CommonValues,
  load: (path: string | undefined) => Promise<C> = loadConfig as (path: string | undefined) => Promise<C>,
): Promise<C> {
  const config = await load(values.config);
  return {
    ...config,
    temporal: {
      address: values.address ?? config.temporal.address,
      namespace: values.namespace ?? config.temporal.namespace,
      taskQueue: values['task-queue'] ?? config.temporal.taskQueue,
    },
    ...((values.workspace ?? config.workspaceId) && { workspaceId: values.workspace ?? config.workspaceId }),
  };
}

/** A HitlClient for a command; the caller closes the returned connection. */
export async function connectHitl(values: CommonValues): Promise<{ hitl: HitlClient; close: () => Promise<void> }> {
  const config = await resolveConfig(values);
  const connection = await Connection.connect({ address: config.temporal.address, connectTimeout: '5s' }).catch((err: unknown) => {
    throw new HitlError(
      `cannot reach Temporal at ${config.temporal.address} (${(err as Error).message}): start one with 'temporal-hitl dev', or point --address / TEMPORAL_ADDRESS at yours`,
    );
  });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const hitl = new HitlClient({ client, config, ...(config.workspaceId && { workspaceId: config.workspaceId }) });
  return { hitl, close: () => connection.close() };
}
