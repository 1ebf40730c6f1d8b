/** The result set as a markdown table with ratios (ours / raw) and an SVG latency plot (Vega-Lite, rendered without a canvas). */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ScaleResult } from './scale.js';
import { ms, ratio, type Quantiles } from './stats.js';

export interface LatencyRow {
  name: string;
  calls: { request: string; decision: string };
  waiting: Quantiles;
  decision: Quantiles;
  decideCall: Quantiles;
}

export interface ResultSet {
  date: string;
  label: string;
  command: string;
  quiet: boolean;
  machine: { cpus: number; loadBefore: number[]; loadAfter: number[]; node: string; memoryGiB: number };
  server: { args: string[]; temporalCli?: string };
  options: Record<string, unknown>;
  latency: LatencyRow[];
  historyEvents: Record<string, number>;
  /** The event types of each counted history, in order. */
  historyEventTypes: Record<string, string[]>;
  scale: ScaleResult[];
  samples: Record<string, { waiting: number[]; decision: number[]; decideCall: number[] }>;
}

const RAW_UPDATE = 'raw: update';

export function markdown(r: ResultSet): string {
  const out: string[] = [];
  out.push(`### ${r.date}${r.label ? ` (${r.label})` : ''}: \`${r.command}\``);
  out.push('');
  out.push(
    `${r.machine.cpus} cores, load ${r.machine.loadBefore.map((x) => x.toFixed(1)).join(' ')} before and ${r.machine.loadAfter.map((x) => x.toFixed(1)).join(' ')} after` +
      `${r.quiet ? '' : ' — **noisy: the machine was shared; compare ratios, not absolute figures**'}; node ${r.machine.node}; dev server ${r.server.args.join(' ') || '(defaults, in memory)'}.`,
  );
  if (r.latency.length) latencyTable(r, out);
  if (Object.keys(r.historyEvents).length) {
    out.push('');
    out.push(
      `History events per completed wait: ${Object.entries(r.historyEvents)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}.`,
    );
  }
  if (r.scale.length) {
    const ours = r.scale.find((s) => s.kind === 'ours');
    const rw = r.scale.find((s) => s.kind === 'raw');
    out.push('');
    out.push(
      `Scale pass (${r.scale[0]!.n} waits; ours = createApproval / waitForApproval / decide, raw = start / result / executeUpdate; worker in its own process):`,
    );
    out.push('');
    out.push('| | ours | raw | ours / raw |');
    out.push('|---|---:|---:|---:|');
    const row = (what: string, f: (s: ScaleResult) => number | undefined, digits = 0, withRatio = true) =>
      out.push(
        `| ${what} | ${fmt(ours && f(ours), digits)} | ${fmt(rw && f(rw), digits)} | ${withRatio ? ratio(ours && f(ours), rw && f(rw)) : ''} |`,
      );
    row('creates/s (until the last is durably waiting)', (s) => s.createRate);
    row('resumes/s (until the last caller has its answer)', (s) => s.resumeRate);
    row('resume p50 with N waiting, ms (first 50, one at a time)', (s) => s.resumeLatency.p50, 1);
    row('worker RSS idle, MiB', (s) => s.workerRssMiB.idle);
    row('worker RSS with N waiting, MiB', (s) => s.workerRssMiB.waiting);
    row('worker RSS peak, MiB', (s) => s.workerRssMiB.peak);
    row('server RSS before, MiB', (s) => s.serverRssMiB.before, 0, false);
    row('server RSS with N waiting, MiB', (s) => s.serverRssMiB.waiting, 0, false);
    row('server RSS with N callers waiting, MiB', (s) => s.serverRssMiB.callers, 0, false);
    row('server CPU with N callers waiting, idle (cores)', (s) => s.serverIdleCpuWithCallers, 2, false);
    row('create errors', (s) => s.createErrors, 0, false);
    row('callers answered correctly', (s) => s.callersOk, 0, false);
    row('caller errors', (s) => s.callerErrors.length, 0, false);
    for (const s of r.scale) for (const e of s.callerErrors.slice(0, 3)) out.push(`\n${s.kind} caller error: \`${e.slice(0, 200)}\``);
  }
  return out.join('\n') + '\n';
}

function latencyTable(r: ResultSet, out: string[]): void {
  const raw = r.latency.find((l) => l.name === RAW_UPDATE);
  out.push('');
  out.push(
    `${r.latency[0]?.decision.n ?? 0} interleaved rounds per contender, milliseconds; ratio = p50 / raw Temporal's p50 (Update; start for waiting). ` +
      '"Durably waiting" = the wait\'s timer is in history (read by a history long-poll, no query). ' +
      '"Decision call alone" = until resumeTask / decide / executeUpdate / signal itself returned.',
  );
  out.push('');
  out.push('| path | contender | calls | p50 | p95 | p99 | p50 ratio to raw | decision call alone p50 |');
  out.push('|---|---|---|---:|---:|---:|---:|---:|');
  for (const path of ['decision', 'waiting'] as const) {
    const title = path === 'decision' ? 'decision → waiting caller returns' : 'request → durably waiting';
    for (const l of r.latency) {
      const q = l[path];
      out.push(
        `| ${title} | ${l.name} | ${path === 'decision' ? l.calls.decision : l.calls.request} | ${ms(q.p50)} | ${ms(q.p95)} | ${ms(q.p99)} | ${l.name === RAW_UPDATE ? '1' : ratio(q.p50, raw?.[path].p50)} | ${path === 'decision' ? ms(l.decideCall.p50) : ''} |`,
      );
    }
  }
}

const fmt = (x: number | undefined, digits: number) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(digits));

/** p50, p95 and p99 of each contender on both paths, log scale (the floor is microseconds, the durable ones tens of ms). */
export async function latencySvg(r: ResultSet): Promise<string> {
  const values = r.latency.flatMap((l) =>
    (['decision', 'waiting'] as const).flatMap((path) =>
      (['p50', 'p95', 'p99'] as const).map((q) => ({
        contender: l.name,
        path: path === 'decision' ? 'decision → waiting caller returns' : 'request → durably waiting',
        quantile: q,
        ms: Math.max(l[path][q], 0.001),
      })),
    ),
  );
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `temporal-hitl bench ${r.date}: latency (ms, log scale)`,
      subtitle: r.quiet ? '' : 'shared machine: noisy; compare ratios',
    },
    data: { values },
    facet: {
      row: {
        field: 'path',
        type: 'nominal',
        title: null,
        header: { labelOrient: 'top', labelAnchor: 'start', labelFontWeight: 'bold', labelFontSize: 12 },
      },
    },
    spec: {
      width: 520,
      height: 150,
      layer: [
        {
          mark: { type: 'rule', color: '#999' },
          encoding: {
            y: { field: 'contender', type: 'nominal', title: null, sort: r.latency.map((l) => l.name), axis: { labelLimit: 260 } },
            x: { aggregate: 'min', field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'milliseconds' },
            x2: { aggregate: 'max', field: 'ms' },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 70 },
          encoding: {
            y: { field: 'contender', type: 'nominal', sort: r.latency.map((l) => l.name) },
            x: { field: 'ms', type: 'quantitative', scale: { type: 'log' } },
            color: { field: 'quantile', type: 'nominal', scale: { range: ['#1f77b4', '#ff7f0e', '#d62728'] } },
            shape: { field: 'quantile', type: 'nominal' },
            tooltip: [{ field: 'contender' }, { field: 'quantile' }, { field: 'ms', format: '.3f' }],
          },
        },
      ],
    },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  return view.toSVG();
}
