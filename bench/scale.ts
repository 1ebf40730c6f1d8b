/**
 * The scale pass: N waits created, N callers waiting at once, N resumed; rates, RSS of the worker (its own process) and
 * of the dev server. Ours uses the public create-then-wait API (createApproval / waitForApproval / decide).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { approvalWorkflowId } from '../src/common/constants.js';
import type { HitlClient } from '../src/index.js';
import { rawResumeUpdate, type RawResult, type rawWait } from './raw-workflows.js';
import { cpuSeconds, rssMiB } from './server.js';
import { summarize, type Quantiles } from './stats.js';
import { isWaiting } from './waiting.js';

export interface ScaleResult {
  kind: 'ours' | 'raw';
  n: number;
  createSeconds: number;
  /** waits created per second, until the last one was durably waiting */
  createRate: number;
  createErrors: number;
  /** decisions per second, until the last caller had its answer */
  resumeRate: number;
  /** the first resumes, one at a time, with N waiting: decision → caller returns */
  resumeLatency: Quantiles;
  callersOk: number;
  callerErrors: string[];
  workerRssMiB: { idle?: number; waiting?: number; callers?: number; peak?: number };
  serverRssMiB: { before?: number; waiting?: number; callers?: number; peak?: number };
  /** server CPU (share of one core) while N callers wait and nothing else happens */
  serverIdleCpuWithCallers?: number;
}

export interface ScaleSetup {
  kind: 'ours' | 'raw';
  n: number;
  client: Client;
  hitl: HitlClient;
  address: string;
  taskQueue: string;
  bundlePath: string;
  maxCached: number | undefined;
  auditLogPath: string;
  serverPid: number | undefined;
  settleMs: number;
  log: (line: string) => void;
}

const CONCURRENCY = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` over `items`, at most `limit` at once. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

async function startWorker(s: ScaleSetup): Promise<ChildProcess> {
  const script = fileURLToPath(new URL('./scale-worker.ts', import.meta.url));
  const child = fork(
    script,
    [s.kind, s.address, s.taskQueue, s.bundlePath, s.maxCached === undefined ? '-' : String(s.maxCached), s.auditLogPath],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`scale worker exited with ${code} before it was ready`)));
  });
  return child;
}

export async function scalePass(s: ScaleSetup): Promise<ScaleResult> {
  if (s.hitl.taskQueue !== s.taskQueue) throw new Error(`the scale pass's HitlClient must use its task queue ${s.taskQueue}`);
  const child = await startWorker(s);
  const workerPid = child.pid;
  const peak = { worker: 0, server: 0 };
  const sampler = setInterval(() => {
    void rssMiB(workerPid).then((r) => (peak.worker = Math.max(peak.worker, r ?? 0)));
    void rssMiB(s.serverPid).then((r) => (peak.server = Math.max(peak.server, r ?? 0)));
  }, 250);
  try {
    const ids = Array.from({ length: s.n }, (_, i) => `scale-${s.taskQueue}-${i}`);
    const workflowId = (id: string) => (s.kind === 'ours' ? approvalWorkflowId(id) : `raw-${id}`);
    const result: ScaleResult = {
      kind: s.kind,
      n: s.n,
      createSeconds: 0,
      createRate: 0,
      createErrors: 0,
      resumeRate: 0,
      resumeLatency: summarize([]),
      callersOk: 0,
      callerErrors: [],
      workerRssMiB: { idle: await rssMiB(workerPid) },
      serverRssMiB: { before: await rssMiB(s.serverPid) },
    };

    // Create N waits, CONCURRENCY starts in flight; done when the last ones started are durably waiting.
    const t0 = performance.now();
    await pool(ids, CONCURRENCY, async (id) => {
      try {
        if (s.kind === 'ours') await s.hitl.createApproval({ action: 'bench', reason: 'scale', approvalId: id, timeout: '2h' });
        else
          await s.client.workflow.start<typeof rawWait>('rawWait', {
            workflowId: workflowId(id),
            taskQueue: s.taskQueue,
            args: [2 * 3600_000],
          });
      } catch (err) {
        if (result.createErrors++ < 3) s.log(`create ${id}: ${String(err)}`);
      }
    });
    const tail = ids.slice(-10);
    while (!(await Promise.all(tail.map((id) => isWaiting(s.client, workflowId(id)).catch(() => false)))).every(Boolean)) await sleep(20);
    result.createSeconds = (performance.now() - t0) / 1000;
    result.createRate = s.n / result.createSeconds;
    s.log(`${s.kind}: ${s.n} waiting after ${result.createSeconds.toFixed(1)} s (${result.createRate.toFixed(0)}/s)`);
    await sleep(s.settleMs);
    result.workerRssMiB.waiting = await rssMiB(workerPid);
    result.serverRssMiB.waiting = await rssMiB(s.serverPid);

    // N callers waiting at once.
    const answered = new Map<string, number>();
    const callers = new Map<string, Promise<void>>();
    for (const id of ids) {
      const waiting =
        s.kind === 'ours'
          ? s.hitl.waitForApproval(id).then((r) => r.approved)
          : s.client.workflow
              .getHandle<typeof rawWait>(workflowId(id))
              .result()
              .then((r: RawResult) => r.resumed);
      const caller = waiting.then(
        (ok) => {
          answered.set(id, performance.now());
          if (ok) result.callersOk++;
          else result.callerErrors.push(`${id}: not approved/resumed`);
        },
        (err: unknown) => {
          answered.set(id, performance.now());
          result.callerErrors.push(`${id}: ${String(err).split('\n')[0]}`);
        },
      );
      callers.set(id, caller);
    }
    await sleep(s.settleMs);
    const cpu0 = await cpuSeconds(s.serverPid);
    const c0 = performance.now();
    await sleep(s.settleMs);
    const cpu1 = await cpuSeconds(s.serverPid);
    if (cpu0 !== undefined && cpu1 !== undefined) result.serverIdleCpuWithCallers = (cpu1 - cpu0) / ((performance.now() - c0) / 1000);
    result.workerRssMiB.callers = await rssMiB(workerPid);
    result.serverRssMiB.callers = await rssMiB(s.serverPid);
    s.log(`${s.kind}: ${s.n} callers waiting; ${result.callerErrors.length} caller errors so far`);

    const decide = async (id: string) => {
      if (s.kind === 'ours') {
        const r = await s.hitl.decide(id, { decision: 'approved', decidedBy: 'bench' });
        if (!r.success) throw new Error(r.error);
      } else await s.client.workflow.getHandle(workflowId(id)).executeUpdate(rawResumeUpdate, { args: ['go'] });
    };
    // The first resumes one at a time (latency with N waiting, evicted or not), then the rest for the rate.
    const first = ids.slice(0, Math.min(50, Math.floor(s.n / 4)));
    const latencies: number[] = [];
    for (const id of first) {
      const t = performance.now();
      await decide(id);
      await callers.get(id);
      latencies.push(answered.get(id)! - t);
    }
    result.resumeLatency = summarize(latencies);
    const rest = ids.slice(first.length);
    const r0 = performance.now();
    await pool(rest, CONCURRENCY, (id) =>
      decide(id).catch((err: unknown) => void result.callerErrors.push(`decide ${id}: ${String(err)}`)),
    );
    await Promise.all(callers.values());
    result.resumeRate = rest.length / ((performance.now() - r0) / 1000);
    s.log(`${s.kind}: resumed ${rest.length} at ${result.resumeRate.toFixed(0)}/s; callers ok ${result.callersOk}/${s.n}`);
    result.workerRssMiB.peak = peak.worker;
    result.serverRssMiB.peak = peak.server;
    return result;
  } finally {
    clearInterval(sampler);
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
  }
}
