/**
 * Standing suite, crash: a worker SIGKILLed with pauses and approvals waiting (their callers in another process), at
 * start-up, mid-flood and mid-decision. Every caller gets its right answer once, and the audit file, deduplicated by
 * event id, holds exactly one start line and one outcome line per item, matching the answer, and nothing else.
 * One item in four also gets a rival decision (another decider, another answer) at the same moment: exactly one of the
 * two is accepted, the caller and the audit say that one, and the refused one leaves no line (an event that did not happen).
 * A crash may repeat a line under the same event id (a retried task or activity): counted and logged as `[crash] …`.
 * Default counts keep the run within CI's budget; HITL_LONG=1 (`npm test -- --long`) triples them.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { approvalWorkflowId, HitlClient, parseConfig, pauseWorkflowId } from '../src/index.js';
import { TASK_NOT_FOUND } from '../src/workflow.js';
import { closeConnections, connections, eventually, uid } from './helpers.js';

after(closeConnections);

const LONG = process.env.HITL_LONG === '1';
/** Pauses, and as many approvals. */
const PER_KIND = LONG ? 300 : 100;
const WORKSPACE = 'ws-crash';

interface Decision {
  decision: 'resumed' | 'approved' | 'denied';
  by: string;
  message: string;
}

interface Item {
  kind: 'pause' | 'approval';
  id: string;
  workflowId: string;
  /** The decision the test sends. */
  main: Decision;
  /** A second decision sent at the same moment: only one of the two may take effect. */
  rival?: Decision;
  /** Send the rival first (it then tends to win). */
  rivalFirst?: boolean;
}

type Line = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------------------------
// Child processes

interface WorkerProcess {
  n: number;
  child: ChildProcess;
  /** The last lines of its stderr (refusal warnings and such), shown only when the test fails. */
  stderr: string[];
  /** Connected and created, not polling yet (a standby waits for `go`). */
  loaded: Promise<void>;
  /** Polling. */
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  go(): void;
}

const alive = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

function spawnWorker(n: number, taskQueue: string, auditLogPath: string, spawned: ChildProcess[]): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/crash-worker.ts', taskQueue, auditLogPath, '--standby'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  spawned.push(child);
  const exited = exitOf(child);
  let loaded!: () => void;
  let ready!: () => void;
  const loadedP = new Promise<void>((resolve, reject) => {
    loaded = resolve;
    void exited.then(({ code, signal }) => reject(new Error(`worker #${n} exited before it loaded (${signal ?? code})`)));
  });
  const readyP = new Promise<void>((resolve, reject) => {
    ready = resolve;
    void exited.then(({ code, signal }) => reject(new Error(`worker #${n} exited before it polled (${signal ?? code})`)));
  });
  loadedP.catch(() => undefined);
  readyP.catch(() => undefined);
  createInterface({ input: child.stdout! }).on('line', (line) => (line === 'loaded' ? loaded() : line === 'ready' ? ready() : undefined));
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line) > 200 && stderr.shift());
  child.stdin!.on('error', () => undefined); // a killed worker's stdin
  return { n, child, stderr, loaded: loadedP, ready: readyP, exited, go: () => child.stdin!.write('go\n') };
}

interface CallersProcess {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every line printed per item id (exactly one is expected). */
  printed: Map<string, Line[]>;
  send(items: Item[]): void;
  end(): void;
}

function spawnCallers(taskQueue: string, spawned: ChildProcess[]): CallersProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/crash-callers.ts', taskQueue, WORKSPACE], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  spawned.push(child);
  const exited = exitOf(child);
  const printed = new Map<string, Line[]>();
  let ready!: () => void;
  const readyP = new Promise<void>((resolve, reject) => {
    ready = resolve;
    void exited.then(({ code, signal }) => reject(new Error(`callers exited before ready (${signal ?? code})`)));
  });
  readyP.catch(() => undefined);
  createInterface({ input: child.stdout! }).on('line', (text) => {
    if (text === 'ready') return ready();
    const line = JSON.parse(text) as Line;
    const id = String(line.id);
    printed.set(id, [...(printed.get(id) ?? []), line]);
  });
  return {
    child,
    ready: readyP,
    exited,
    printed,
    send: (items) => child.stdin!.write(items.map((i) => `${JSON.stringify({ kind: i.kind, id: i.id })}\n`).join('')),
    end: () => child.stdin!.end(),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// The audit file

interface AuditRead {
  lines: Line[];
  /** Lines that are not JSON, or a last line without its newline. */
  torn: number;
}

async function readAuditFile(path: string): Promise<AuditRead> {
  const parts = (await readFile(path, 'utf8').catch(() => '')).split('\n');
  const tail = parts.pop()!; // '' when the file ends with a newline; else a line being written (or torn)
  const lines: Line[] = [];
  let torn = tail === '' ? 0 : 1;
  for (const part of parts) {
    try {
      lines.push(JSON.parse(part) as Line);
    } catch {
      torn++;
    }
  }
  return { lines, torn };
}

/** `<workflowId>/<runId>/<n>` → its workflow id and run id. */
function eventOf(eventId: unknown): { workflowId: string; runId: string } | undefined {
  if (typeof eventId !== 'string') return undefined;
  const parts = eventId.split('/');
  if (parts.length < 3) return undefined;
  return { workflowId: parts.slice(0, -2).join('/'), runId: parts[parts.length - 2]! };
}

const START_OUTCOMES = new Set(['paused', 'requested']);

/** Workflow ids with a start line in the audit file so far. */
async function startedWorkflows(path: string): Promise<Set<string>> {
  const started = new Set<string>();
  for (const line of (await readAuditFile(path)).lines) {
    if (START_OUTCOMES.has(String(line.outcome))) started.add(eventOf(line.event_id)?.workflowId ?? '');
  }
  started.delete('');
  return started;
}

// ---------------------------------------------------------------------------------------------------------------------
// What each item should end as

/** Pauses resumed with their id as message; even approvals approved by alice, odd ones denied by bob; one in four with a rival. */
function items(run: string): Item[] {
  const out: Item[] = [];
  for (let i = 0; i < PER_KIND; i++) {
    const p = `${run}-p${i}`;
    out.push({
      kind: 'pause',
      id: p,
      workflowId: pauseWorkflowId(p),
      main: { decision: 'resumed', by: 'carol', message: p },
      ...(i % 4 === 1 && { rival: { decision: 'resumed', by: 'dave', message: `rival ${p}` }, rivalFirst: i % 8 === 5 }),
    });
    const a = `${run}-a${i}`;
    const approve = i % 2 === 0;
    out.push({
      kind: 'approval',
      id: a,
      workflowId: approvalWorkflowId(a),
      main: approve ? { decision: 'approved', by: 'alice', message: `ok ${a}` } : { decision: 'denied', by: 'bob', message: `no ${a}` },
      ...(i % 4 === 3 && {
        rival: { decision: approve ? 'denied' : 'approved', by: 'dave', message: `rival ${a}` },
        rivalFirst: i % 8 === 7,
      }),
    });
  }
  return out;
}

/** Why a caller's printed line is not the answer to decision `d` on `item`, or undefined when it is. */
function wrongAnswer(item: Item, d: Decision, printed: Line): string | undefined {
  if (printed.error !== undefined) return `threw ${String(printed.error)}`;
  const r = printed.result as Record<string, unknown>;
  const ok =
    item.kind === 'pause'
      ? r.resumed === true && r.task_id === item.id && r.message === d.message
      : r.approval_id === item.id &&
        r.approved === (d.decision === 'approved') &&
        r.outcome === (d.decision === 'approved' ? 'granted' : 'denied') &&
        r.decided_by === d.by &&
        r.message === d.message;
  return ok ? undefined : `got ${JSON.stringify(r)}`;
}

/** Why an item's audit events (deduplicated) are not one start line and one outcome line of decision `d`, of one run. */
function wrongAudit(item: Item, d: Decision, events: Line[]): string | undefined {
  const starts = events.filter((l) => START_OUTCOMES.has(String(l.outcome)));
  const outcomes = events.filter((l) => !START_OUTCOMES.has(String(l.outcome)));
  const runs = new Set(events.map((l) => eventOf(l.event_id)!.runId));
  const expectedStart = item.kind === 'pause' ? { action: 'pause', outcome: 'paused' } : { action: 'approve', outcome: 'requested' };
  const expectedOutcome =
    item.kind === 'pause'
      ? { action: 'resume', outcome: 'resumed' }
      : { action: 'approve', outcome: d.decision === 'approved' ? 'granted' : 'denied' };
  if (starts.length !== 1 || outcomes.length !== 1 || runs.size !== 1) {
    return `${starts.length} start and ${outcomes.length} outcome events over ${runs.size} run(s): ${events.map((l) => String(l.outcome)).join(', ')}`;
  }
  const [start, outcome] = [starts[0]!, outcomes[0]!];
  if (start.action !== expectedStart.action || start.outcome !== expectedStart.outcome) return `start line ${JSON.stringify(start)}`;
  const matches =
    outcome.action === expectedOutcome.action &&
    outcome.outcome === expectedOutcome.outcome &&
    outcome.actor === d.by &&
    outcome.message === d.message &&
    outcome.workspace_id === WORKSPACE &&
    (item.kind === 'pause' ? outcome.resource === item.id : outcome.approval_id === item.id);
  return matches ? undefined : `outcome line ${JSON.stringify(outcome)}`;
}

// ---------------------------------------------------------------------------------------------------------------------

test(
  `crash: a worker SIGKILLed at start-up, mid-flood and mid-decision with ${PER_KIND} pauses and ${PER_KIND} approvals waiting`,
  { timeout: LONG ? 600_000 : 240_000 },
  async () => {
    const wall = Date.now();
    const { client } = await connections();
    const run = uid('crash');
    const taskQueue = `tq-${run}`;
    const auditLogPath = join(await mkdtemp(join(tmpdir(), 'hitl-crash-')), 'audit.log');
    const all = items(run);
    const byWorkflow = new Map(all.map((i) => [i.workflowId, i]));
    const half = all.length / 2;
    const spawned: ChildProcess[] = [];
    const crashes: string[] = [];
    const log = (text: string) => console.log(`[crash] ${text} (+${((Date.now() - wall) / 1000).toFixed(1)} s)`);

    // A worker polls; the next one waits loaded beside it, so that a replacement polls moments after a SIGKILL.
    const workers: WorkerProcess[] = [];
    let generation = 0;
    const spawnNext = () => {
      const w = spawnWorker(++generation, taskQueue, auditLogPath, spawned);
      workers.push(w);
      return w;
    };
    let current = spawnNext();
    let standby = spawnNext();
    const crash = async (point: string, what: string) => {
      const victim = current;
      victim.child.kill('SIGKILL');
      const { signal } = await victim.exited;
      assert.equal(signal, 'SIGKILL', `worker #${victim.n} died of SIGKILL`);
      crashes.push(point);
      const killedAt = Date.now();
      await standby.loaded;
      current = standby;
      current.go();
      await current.ready;
      log(`${point}: worker #${victim.n} SIGKILLed ${what}; worker #${current.n} polling ${Date.now() - killedAt} ms later`);
      standby = spawnNext();
    };

    const hitl = new HitlClient({
      client,
      workspaceId: WORKSPACE,
      taskQueue,
      config: parseConfig({}, {}),
      // A decision sent while no worker polls waits for the next one (and a killed task's 10 s workflow task timeout).
      decisionTimeout: '2m',
    });
    /** Sends `d` on `item`: undefined when accepted, else the refusal or error. */
    let slowestDecisionMs = 0;
    const send = async (item: Item, d: Decision): Promise<string | undefined> => {
      const sent = Date.now();
      try {
        if (item.kind === 'pause') {
          const r = await hitl.resumeTask(item.id, d.message, { resumedBy: d.by });
          return r.success ? undefined : r.error;
        }
        const decision = d.decision as 'approved' | 'denied';
        const r = await hitl.decide(item.id, { decision, decidedBy: d.by, message: d.message });
        return !r.success ? r.error : r.status === decision ? undefined : `accepted with status ${r.status}`;
      } catch (err) {
        return `threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
      } finally {
        slowestDecisionMs = Math.max(slowestDecisionMs, Date.now() - sent);
      }
    };
    /** The decision that took effect, per item id, by what the deciders were told. */
    const winners = new Map<string, Decision>();
    const decisionProblems: string[] = [];
    let rivalsWon = 0;
    let decided = 0;
    const onDecided: (() => void)[] = [];
    const decideOne = async (item: Item): Promise<void> => {
      const [main, rival] = item.rivalFirst
        ? await Promise.all([send(item, item.rival!), send(item, item.main)]).then(([r, m]) => [m, r])
        : await Promise.all([send(item, item.main), item.rival && send(item, item.rival)]);
      if (!item.rival) {
        if (main === undefined) winners.set(item.id, item.main);
        else decisionProblems.push(`${item.id}: ${main}`);
      } else if ((main === undefined) === (rival === undefined)) {
        decisionProblems.push(`${item.id}: main and rival ${main === undefined ? 'both accepted' : `both refused: ${main} / ${rival}`}`);
      } else {
        const [winner, loserAnswer] = main === undefined ? [item.main, rival!] : [item.rival, main];
        if (winner === item.rival) rivalsWon++;
        winners.set(item.id, winner);
        // The loser is told it lost, and to whom.
        const told =
          item.kind === 'pause'
            ? loserAnswer === TASK_NOT_FOUND
            : loserAnswer.includes(`already decided: ${winner.decision} by ${winner.by}`);
        if (!told) decisionProblems.push(`${item.id}: the refused decision was told ${JSON.stringify(loserAnswer)}`);
      }
      decided++;
      for (const wake of onDecided.splice(0)) wake();
    };
    const decidedReaches = (n: number): Promise<void> =>
      new Promise((resolve) => {
        const check = () => (decided >= n ? resolve() : onDecided.push(check));
        check();
      });

    try {
      const callers = spawnCallers(taskQueue, spawned);
      current.go();
      await current.ready;

      // (a) Start-up: the first half goes to the callers as soon as the worker polls; it dies at its first start line, with the
      // callers still starting the rest.
      callers.send(all.slice(0, half));
      await eventually(async () => (await startedWorkflows(auditLogPath)).size > 0, 30_000, 'the first start line', 10);
      await crash('start-up', `at its first start line, ${(await startedWorkflows(auditLogPath)).size} of ${all.length} started`);

      // (b) Mid-flood: the callers start the second half; the worker dies once half of all items are started.
      callers.send(all.slice(half));
      await eventually(async () => (await startedWorkflows(auditLogPath)).size >= half, 60_000, 'half the items started', 10);
      await crash('mid-flood', `with ${(await startedWorkflows(auditLogPath)).size} of ${all.length} started`);
      await eventually(async () => (await startedWorkflows(auditLogPath)).size === all.length, 90_000, 'every item started', 100);
      log(`all ${all.length} items started`);

      // (c) Mid-decision: decide the first half; the worker dies once half of those are answered; then decide the rest.
      const first = all.slice(0, half).map(decideOne);
      await decidedReaches(half / 2);
      await crash('mid-decision', `with ${decided} of ${half} decisions answered`);
      const rest = all.slice(half).map(decideOne);
      await Promise.all([...first, ...rest]);
      log(`all ${all.length} decisions answered, the slowest in ${(slowestDecisionMs / 1000).toFixed(1)} s`);

      await eventually(async () => callers.printed.size === all.length, 60_000, 'every caller to print its answer', 50);
      callers.end();
      const { code } = await callers.exited;
      assert.equal(code, 0, 'the callers exit cleanly');
      log(`all ${all.length} callers answered`);

      // Every call of a waiting item has returned, and each returns only once its outcome line is written: the file is final.
      const { lines, torn } = await readAuditFile(auditLogPath);
      const events = new Map<string, Line[]>();
      let stray = 0;
      for (const line of lines) {
        const owner = eventOf(line.event_id);
        if (!owner || !byWorkflow.has(owner.workflowId)) {
          stray++;
          continue;
        }
        events.set(String(line.event_id), [...(events.get(String(line.event_id)) ?? []), line]);
      }
      const duplicates = [...events.values()].reduce((n, copies) => n + copies.length - 1, 0);
      const duplicateStarts = [...events.values()]
        .filter((copies) => START_OUTCOMES.has(String(copies[0]!.outcome)))
        .reduce((n, copies) => n + copies.length - 1, 0);
      // Copies of one event must say the same thing: deduplicating must not hide two different answers.
      const fieldsOf = ({ timestamp: _t, ...rest }: Line) => JSON.stringify(rest);
      const contradictions = [...events.entries()].filter(([, copies]) => new Set(copies.map(fieldsOf)).size > 1).map(([id]) => id);
      const eventsOf = new Map<string, Line[]>();
      for (const [eventId, copies] of events) {
        const wf = eventOf(eventId)!.workflowId;
        eventsOf.set(wf, [...(eventsOf.get(wf) ?? []), copies[0]!]);
      }

      const mismatches: string[] = [];
      const lost: string[] = [];
      for (const item of all) {
        const printed = callers.printed.get(item.id) ?? [];
        const itemEvents = eventsOf.get(item.workflowId) ?? [];
        const hasOutcome = itemEvents.some((l) => !START_OUTCOMES.has(String(l.outcome)));
        if (printed.length === 0 || !hasOutcome) {
          lost.push(`${item.id}: ${printed.length} answers, ${hasOutcome ? 'an' : 'no'} outcome line`);
          continue;
        }
        if (printed.length > 1) mismatches.push(`${item.id}: the caller printed ${printed.length} answers`);
        const winner = winners.get(item.id);
        if (!winner) {
          mismatches.push(`${item.id}: no decision was accepted, yet the caller got ${JSON.stringify(printed[0])}`);
          continue;
        }
        const answer = wrongAnswer(item, winner, printed[0]!);
        if (answer !== undefined) mismatches.push(`${item.id}: caller ${answer}`);
        const audit = wrongAudit(item, winner, itemEvents);
        if (audit !== undefined) mismatches.push(`${item.id}: audit ${audit}`);
      }

      log(
        `items ${all.length} (${PER_KIND} pauses, ${PER_KIND} approvals), crashes injected ${crashes.length} (${crashes.join(', ')}), ` +
          `raw lines ${lines.length}, events ${events.size}, duplicate lines ${duplicates} (${duplicateStarts} start, ${duplicates - duplicateStarts} outcome), contradicting duplicates ${contradictions.length}, ` +
          `rival decisions ${all.filter((i) => i.rival).length} (won ${rivalsWon}), stray lines ${stray}, torn lines ${torn}, ` +
          `decision problems ${decisionProblems.length}, mismatches ${mismatches.length}, lost ${lost.length}`,
      );
      const sample = (list: string[]) => list.slice(0, 5).join('\n  ');
      assert.deepEqual(crashes, ['start-up', 'mid-flood', 'mid-decision']);
      assert.equal(
        decisionProblems.length,
        0,
        `one decision per item is accepted, a rival is told it lost:\n  ${sample(decisionProblems)}`,
      );
      assert.equal(lost.length, 0, `lost:\n  ${sample(lost)}`);
      assert.equal(mismatches.length, 0, `mismatches:\n  ${sample(mismatches)}`);
      assert.equal(contradictions.length, 0, `copies of an event that differ: ${sample(contradictions)}`);
      assert.equal(stray, 0, 'every audit line belongs to an item and carries an event id');
      assert.equal(torn, 0, 'no torn audit line');
      assert.equal(events.size, all.length * 2, 'one start and one outcome event per item, nothing else');
    } catch (err) {
      for (const w of workers)
        if (w.stderr.length) console.error(`[crash] worker #${w.n} stderr, last lines:\n${w.stderr.slice(-40).join('\n')}`);
      throw err;
    } finally {
      for (const child of spawned) if (alive(child)) child.kill('SIGKILL');
      log('done');
    }
  },
);
