/**
 * Time from `resumeTask` to the paused caller's `pauseTask` returning, and from `decide` to the waiting
 * `requestApproval` returning, over N rounds each (default 100).
 * `npm run bench` (starts its own dev server). Prints median, p95 and max in milliseconds.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { approvalStateQuery, createHitlWorker, HitlClient, parseConfig, pauseStateQuery } from '../src/index.js';

Runtime.install({ logger: new DefaultLogger('WARN') });
const rounds = Number(process.env.BENCH_ROUNDS ?? 100);
const address = process.env.TEMPORAL_ADDRESS ?? 'localhost:7233';
const connection = await Connection.connect({ address });
const native = await NativeConnection.connect({ address });
const client = new Client({ connection });
const taskQueue = `bench-${Date.now()}`;
const config = parseConfig({}, {});
const bundlePath = process.env.HITL_WORKFLOW_BUNDLE;
const worker = await createHitlWorker({
  connection: native,
  taskQueue,
  config,
  // A real file, so each round pays for the fsynced audit lines as production does.
  auditLogPath: join(await mkdtemp(join(tmpdir(), 'hitl-bench-')), 'audit.log'),
  ...(bundlePath && { workflowBundle: { codePath: bundlePath } }),
});
const hitl = new HitlClient({ client, workspaceId: 'ws-bench', taskQueue, config });

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function round(i: number): Promise<{ total: number; update: number }> {
  const taskId = `bench-${taskQueue}-${i}`;
  const paused = hitl.pauseTask(taskId, 'bench', { timeout: '1m' });
  const handle = client.workflow.getHandle(`hitl-pause-${taskId}`);
  while ((await handle.query(pauseStateQuery).catch(() => undefined))?.status !== 'paused') await new Promise((r) => setTimeout(r, 5));
  const t0 = performance.now();
  const resumed = await hitl.resumeTask(taskId, 'go');
  const t1 = performance.now();
  const result = await paused;
  const t2 = performance.now();
  if (!resumed.success || !result.resumed) throw new Error(`round ${i} failed: ${JSON.stringify({ resumed, result })}`);
  return { total: t2 - t0, update: t1 - t0 };
}

async function approvalRound(i: number): Promise<{ total: number; update: number }> {
  const approvalId = `bench-${taskQueue}-ap-${i}`;
  const asked = hitl.requestApproval({ action: 'bench', approvalId, timeout: '1m' });
  const handle = client.workflow.getHandle(`hitl-approval-${approvalId}`);
  while ((await handle.query(approvalStateQuery).catch(() => undefined))?.status !== 'pending') await new Promise((r) => setTimeout(r, 5));
  const t0 = performance.now();
  const decided = await hitl.decide(approvalId, { decision: 'approved', decidedBy: 'bench' });
  const t1 = performance.now();
  const result = await asked;
  const t2 = performance.now();
  if (!decided.success || !result.approved) throw new Error(`approval round ${i} failed`);
  return { total: t2 - t0, update: t1 - t0 };
}

await worker.runUntil(async () => {
  for (let i = 0; i < 5; i++) await round(-1 - i); // warm-up
  const totals: number[] = [];
  const updates: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const { total, update } = await round(i);
    totals.push(total);
    updates.push(update);
  }
  const fmt = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return `median ${quantile(s, 0.5).toFixed(1)} ms, p95 ${quantile(s, 0.95).toFixed(1)} ms, max ${s.at(-1)!.toFixed(1)} ms`;
  };
  console.log(`resume → paused caller returns (${rounds} rounds): ${fmt(totals)}`);
  console.log(`resumeTask call alone (Update accepted and completed):  ${fmt(updates)}`);
  const approvalTotals: number[] = [];
  for (let i = 0; i < 5; i++) await approvalRound(-1 - i);
  for (let i = 0; i < rounds; i++) approvalTotals.push((await approvalRound(i)).total);
  console.log(`decide → requestApproval returns (${rounds} rounds): ${fmt(approvalTotals)}`);
  console.log(`rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
});
await connection.close();
await native.close();
