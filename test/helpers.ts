import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { HitlClient } from '../src/index.js';
import { countRuns, eventually, prebuiltBundle, serverAddress } from '../src/dev/harness.js';

export {
  closeConnections,
  connections,
  countRuns,
  eventually,
  uid,
  waitPaused,
  waitPending,
  withWorker,
  type Harness,
} from '../src/dev/harness.js';

Runtime.install({ logger: new DefaultLogger('WARN') });

export const address = serverAddress();
export const bundlePath = (prebuiltBundle() as { codePath?: string } | undefined)?.codePath;

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

/** Exactly one run of `workflowId`, once visibility has caught up. */
export async function assertOneRun(client: Client, workflowId: string): Promise<void> {
  await eventually(async () => (await countRuns(client, workflowId)) >= 1, 10_000, `${workflowId} to be visible`);
  const runs = await countRuns(client, workflowId);
  if (runs !== 1) throw new Error(`expected one run of ${workflowId}, found ${runs}`);
}

/**
 * A fetched history as searchable text, payloads decoded: the history's own JSON form carries payload bytes as base64,
 * which would hide any secret from a plain text search. For "no secret in history" checks.
 */
export function historyText(history: unknown): string {
  return JSON.stringify(history, (key, value: unknown) =>
    key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value,
  );
}
