/**
 * Time from `resumeTask` to the paused caller's `pauseTask` returning, and from `decide` to the waiting
 * `requestApproval` returning, over N rounds each (default 100).
 * `npm run bench` (starts its own dev server). Prints median, p95 and max in milliseconds.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { closeConnections, waitPaused, waitPending, withWorker } from '../src/dev/harness.js';
import type { HitlClient } from '../src/index.js';

Runtime.install({ logger: new DefaultLogger('WARN') });
const rounds = Number(process.env.BENCH_ROUNDS ?? 100);
// A real file, so each round pays for the fsynced audit lines as production does.
const auditLogPath = join(await mkdtemp(join(tmpdir(), 'hitl-bench-')), 'audit.log');

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function round(hitl: HitlClient, i: number): Promise<{ total: number; update: number }> {
  const taskId = `bench-${hitl.taskQueue}-${i}`;
  const paused = hitl.pauseTask(taskId, 'bench', { timeout: '1m' });
  await waitPaused(hitl.client, taskId, 5);
  const t0 = performance.now();
  const resumed = await hitl.resumeTask(taskId, 'go');
  const t1 = performance.now();
  const result = await paused;
  const t2 = performance.now();
  if (!resumed.success || !result.resumed) throw new Error(`round ${i} failed: ${JSON.stringify({ resumed, result })}`);
  return { total: t2 - t0, update: t1 - t0 };
}

async function approvalRound(hitl: HitlClient, i: number): Promise<{ total: number; update: number }> {
  const approvalId = `bench-${hitl.taskQueue}-ap-${i}`;
  const asked = hitl.requestApproval({ action: 'bench', approvalId, timeout: '1m' });
  await waitPending(hitl.client, approvalId, 5);
  const t0 = performance.now();
  const decided = await hitl.decide(approvalId, { decision: 'approved', decidedBy: 'bench' });
  const t1 = performance.now();
  const result = await asked;
  const t2 = performance.now();
  if (!decided.success || !result.approved) throw new Error(`approval round ${i} failed`);
  return { total: t2 - t0, update: t1 - t0 };
}

await withWorker(
  async (h) => {
    const hitl = h.hitl('ws-bench');
    for (let i = 0; i < 5; i++) await round(hitl, -1 - i); // warm-up
    const totals: number[] = [];
    const updates: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const { total, update } = await round(hitl, i);
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
    for (let i = 0; i < 5; i++) await approvalRound(hitl, -1 - i);
    for (let i = 0; i < rounds; i++) approvalTotals.push((await approvalRound(hitl, i)).total);
    console.log(`decide → requestApproval returns (${rounds} rounds): ${fmt(approvalTotals)}`);
    console.log(`rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  },
  { auditLogPath },
);
await closeConnections();
