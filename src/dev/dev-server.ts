import { TestWorkflowEnvironment } from '@temporalio/testing';
import { HITL_SEARCH_ATTRIBUTES } from '../common/search-attributes.js';
import { processEnv } from '../config/env.js';
import { resolveTemporalCli } from './temporal-cli.js';

export interface DevServerOptions {
  /** @default a free port */
  port?: number;
  /** Serve the Temporal Web UI on this port. @default no UI */
  uiPort?: number;
  /** SQLite file to keep state across restarts. @default in memory */
  dbFilename?: string;
  /** @default '127.0.0.1' */
  ip?: string;
  log?: (line: string) => void;
}

/**
 * Starts a Temporal dev server (the CLI's `server start-dev`) with temporal-hitl's search attributes registered.
 * The CLI comes from `resolveTemporalCli`; without one the SDK downloads it.
 * @example const env = await startDevServer({ uiPort: 8233 }); console.log(env.address); await env.teardown();
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<TestWorkflowEnvironment> {
  const cli = await resolveTemporalCli(processEnv(), options.log);
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli ? { type: 'existing-path', path: cli.path } : { type: 'cached-download' },
      ip: options.ip ?? '127.0.0.1',
      ...(options.port !== undefined && { port: options.port }),
      ...(options.uiPort !== undefined ? { ui: true, uiPort: options.uiPort } : { ui: false }),
      ...(options.dbFilename !== undefined && { dbFilename: options.dbFilename }),
      searchAttributes: [...HITL_SEARCH_ATTRIBUTES],
      log: { format: 'pretty', level: 'error' },
    },
  });
}
