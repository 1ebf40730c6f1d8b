/**
 * The decision gateway: the platform's HTTP API, signed links, Slack buttons and the inbox page, backed by the approval
 * and pause workflows. Node side only.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import type { HitlClient, HitlClientOptions } from '../client/hitl-client.js';
import { parseGatewayConfig, type GatewayConfig } from '../config/index.js';
import { Sessions } from './auth.js';
import { createGatewayApp } from './app.js';
import { Backend } from './backend.js';

export { hashToken, newToken } from './auth.js';

export interface StartGatewayOptions {
  /** A connected `@temporalio/client` Client; a HitlClient per workspace is made from it. Or pass `hitl`. */
  client?: Client;
  /** A HitlClient: its Temporal client, task queue and (when `config` is absent) config are used. */
  hitl?: HitlClient;
  /** Tokens, keys, Slack secrets and where to listen. @default parseGatewayConfig({}) (env only) */
  config?: GatewayConfig;
  /** @default config.gateway.port (8787); 0 picks a free port */
  port?: number;
  /** @default config.gateway.host ('127.0.0.1') */
  host?: string;
  /** The task queue of the workflows the gateway starts. @default hitl.taskQueue, else config.temporal.taskQueue */
  taskQueue?: string;
  /** Request and decision lines (never a token). @default console.error with a timestamp */
  log?: (line: string) => void;
  /** Passed to every per-workspace HitlClient, e.g. `decisionTimeout`. */
  clientOptions?: Partial<Pick<HitlClientOptions, 'decisionTimeout' | 'outageTolerance'>>;
}

export interface Gateway {
  /** e.g. `http://127.0.0.1:8787` */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the HTTP gateway.
 * @example
 * const gateway = await startGateway({ client, config: await loadGatewayConfig() });
 * console.log(`inbox at ${gateway.url}/inbox`);
 */
export async function startGateway(options: StartGatewayOptions): Promise<Gateway> {
  const client = options.client ?? options.hitl?.client;
  if (!client) throw new TypeError('startGateway needs a Temporal client: pass { client } or { hitl }');
  const base = options.config ?? { ...parseGatewayConfig({}), ...(options.hitl && options.hitl.config) };
  const config: GatewayConfig = base as GatewayConfig;
  const taskQueue = options.taskQueue ?? options.hitl?.taskQueue ?? config.temporal.taskQueue;
  const log = options.log ?? ((line: string) => console.error(`${new Date().toISOString()} gateway ${line}`));
  const backend = new Backend(client, config, { taskQueue, ...options.clientOptions });
  const app = createGatewayApp({ backend, config, sessions: new Sessions(), log });
  const host = options.host ?? config.gateway.host;
  const port = options.port ?? config.gateway.port;
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(s));
    s.once('error', reject);
  });
  const { port: bound } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown === '0.0.0.0' ? '127.0.0.1' : shown}:${bound}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
