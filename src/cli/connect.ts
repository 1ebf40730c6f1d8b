import { access } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import { HitlClient } from '../client/hitl-client.js';
import { HitlError } from '../common/errors.js';
import { HITL_SEARCH_ATTRIBUTES } from '../common/search-attributes.js';
import { CLIENT_CHANNEL_ARGS, connectionOptions, loadConfig, type HitlConfig } from '../config/index.js';

/** Options every command takes. */
export const commonOptions = {
  config: { type: 'string', short: 'c' },
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

/**
 * The config file, read for a role (`loadConfig`, `loadWorkerConfig`…), with command-line flags laid over it (flags win
 * over env, env over the file). `./config.yaml` may be missing (the defaults); a file named with `-c` must exist.
 */
export async function resolveConfig<C extends HitlConfig = HitlConfig>(
  values: CommonValues,
  load: (path: string | undefined) => Promise<C> = loadConfig as (path: string | undefined) => Promise<C>,
): Promise<C> {
  if (values.config !== undefined) {
    await access(values.config).catch(() => {
      throw new HitlError(`config file ${values.config} not found: check the path given to -c/--config`);
    });
  }
  const config = await load(values.config);
  return {
    ...config,
    temporal: {
      ...config.temporal,
      address: values.address ?? config.temporal.address,
      namespace: values.namespace ?? config.temporal.namespace,
      taskQueue: values['task-queue'] ?? config.temporal.taskQueue,
    },
    ...((values.workspace ?? config.workspaceId) && { workspaceId: values.workspace ?? config.workspaceId }),
  };
}

/** Why Temporal at `config` cannot be used, as a sentence that says what to do. */
export function unreachable(config: HitlConfig, err: unknown): HitlError {
  return new HitlError(
    `cannot reach Temporal at ${config.temporal.address} (${String((err as Error)?.message ?? err).split('\n')[0]}): start one with 'temporal-hitl dev', or point --address / TEMPORAL_ADDRESS at yours`,
  );
}

/** Checks that the namespace exists and has our search attributes; a clear error instead of a worker that never starts. */
export async function checkNamespace(connection: Connection, config: HitlConfig): Promise<void> {
  const { namespace } = config.temporal;
  await connection.workflowService.describeNamespace({ namespace }).catch((err: { code?: number; message?: string }) => {
    if (err.code === 5)
      throw new HitlError(`namespace '${namespace}' does not exist on ${config.temporal.address}: check --namespace / TEMPORAL_NAMESPACE`);
    throw unreachable(config, err);
  });
  const listed = await connection.operatorService.listSearchAttributes({ namespace }).catch(() => undefined); // needs operator rights: best effort
  if (!listed) return;
  const known = new Set([...Object.keys(listed.customAttributes ?? {}), ...Object.keys(listed.systemAttributes ?? {})]);
  const missing = HITL_SEARCH_ATTRIBUTES.map((k) => k.name).filter((name) => !known.has(name));
  if (missing.length > 0) {
    throw new HitlError(
      `namespace '${namespace}' lacks the search attributes ${missing.join(', ')}: create them with ` +
        missing
          .map((name) => `'temporal operator search-attribute create --namespace ${namespace} --name ${name} --type Keyword'`)
          .join(' and '),
    );
  }
}

/** A client Connection for a command, with TLS and API key from config; a clear error when Temporal is not there. */
export async function connect(config: HitlConfig): Promise<Connection> {
  return Connection.connect({ ...(await connectionOptions(config)), channelArgs: CLIENT_CHANNEL_ARGS, connectTimeout: '5s' }).catch(
    (err: unknown) => {
      throw unreachable(config, err);
    },
  );
}

/** A HitlClient for a command; the caller closes the returned connection. */
export async function connectHitl(values: CommonValues): Promise<{ hitl: HitlClient; close: () => Promise<void> }> {
  const config = await resolveConfig(values);
  const connection = await connect(config);
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const hitl = new HitlClient({ client, config, ...(config.workspaceId && { workspaceId: config.workspaceId }) });
  return { hitl, close: () => connection.close() };
}
