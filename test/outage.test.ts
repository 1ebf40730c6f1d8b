/**
 * Standing suite, outage: a dev server on a SQLite file is stopped (SIGTERM, then SIGKILL) for longer than the client's
 * gRPC retry window (~20 s) and restarted on the same file and port. Every pause and approval must still be listed and
 * answerable, and every caller that waited across the outage must get its answer. `HITL_LONG=1`: bigger counts.
 *
 * The test runs its own dev server (the shared one of scripts/run-tests.ts cannot be stopped), its own worker and
 * client connections, and installs its own Core runtime logger (to count what the worker logs while the server is away).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogEntry, type Worker } from '@temporalio/worker';
import {
  CLIENT_CHANNEL_ARGS,
  connectionOptions,
  createHitlWorker,
  HitlClient,
  parseConfig,
  type ApprovalResult,
  type PauseResult,
} from '../src/index.js';
import { HITL_SEARCH_ATTRIBUTES } from '../src/common/search-attributes.js';
import { eventually, prebuiltBundle, readAudit, uid } from '../src/dev/harness.js';
import { resolveTemporalCli } from '../src/dev/temporal-cli.js';

const LONG = process.env.HITL_LONG === '1';
/** Pauses, and as many approvals. */
const ITEMS = LONG ? 100 : 20;
/** Items of each kind per workspace: `listApprovals` answers at most 50 rows. */
const PER_WORKSPACE = 10;
/** How long the server stays down before it is started again, and at least 5 s past the client's gRPC retry window (measured each time, ~19–22 s). */
const OUTAGE_MS = LONG ? 30_000 : 25_000;

const log = (line: string): void => console.log(`[outage] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

// What the worker's Core runtime logs (its polls retrying while the server is away), forwarded, counted and a few
// lines kept, instead of flooding the test's output.
const coreLog = { warnings: 0, errors: 0, first: [] as string[] };
Runtime.install({
  logger: new DefaultLogger('WARN', (entry: LogEntry) => {
    if (entry.level === 'ERROR') coreLog.errors++;
    else coreLog.warnings++;
    if (coreLog.first.length < 2) coreLog.first.push(`${entry.level} ${entry.message}`.slice(0, 200));
  }),
  telemetryOptions: { logging: { filter: { core: 'WARN', other: 'WARN' }, forward: {} } },
});

/** `err` and its causes, one line: what a caller that threw would have seen. */
function errorChain(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    const name = (e as Error).constructor?.name ?? typeof e;
    parts.push(`${name}${code !== undefined ? `(code ${String(code)})` : ''}: ${String((e as Error).message ?? e).split('\n')[0]}`);
  }
  return parts.join(' <- ');
}

/** A free port below the kernel's ephemeral range, so that no outgoing connection (nor a self-connect) takes it while the server is down. */
async function freePort(): Promise<number> {
  const range = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '32768 60999');
  const low = Number(range.trim().split(/\s+/)[0]) || 32768;
  // Below the range when it starts high enough (Linux's default 32768), else above the usual top (60999).
  const [from, to] = low > 12_000 ? [low - 10_000, low] : [61_000, 65_535];
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from));
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer()
        .once('error', () => resolve(false))
        .listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port below the ephemeral range');
}

/** A `temporal server start-dev` process on one SQLite file and one port, that can be stopped and started again. */
class DevServerProcess {
  readonly address: string;
  private child: ChildProcess | undefined;
  private exited: Promise<unknown> | undefined;

  constructor(
    private readonly cli: string,
    private readonly port: number,
    private readonly dbFile: string,
    private readonly logFile: string,
  ) {
    this.address = `127.0.0.1:${port}`;
  }

  /** Starts the server and resolves once it answers for the default namespace; returns how long that took. */
  async start(): Promise<number> {
    const started = Date.now();
    const args = ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(this.port), '--db-filename', this.dbFile];
    args.push('--sqlite-pragma', 'journal_mode=wal', '--log-level', 'error');
    for (const key of HITL_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=Keyword`);
    const out = openSync(this.logFile, 'a');
    const child = spawn(this.cli, args, { stdio: ['ignore', out, out] });
    closeSync(out);
    this.child = child;
    this.exited = once(child, 'exit');
    let died: unknown;
    void this.exited.then((how) => (died = how));
    await eventually(
      async () => {
        if (died) throw new Error(`dev server exited while starting (${JSON.stringify(died)}):\n${await this.logTail()}`);
        return answers(this.address);
      },
      30_000,
      `the dev server at ${this.address} to answer`,
      100,
    );
    return Date.now() - started;
  }

  /** Stops the server with `signal` and resolves once the process is gone; returns how long that took. */
  async stop(signal: NodeJS.Signals): Promise<number> {
    const { child, exited } = this;
    if (!child || !exited || child.exitCode !== null || child.signalCode !== null) return 0;
    const started = Date.now();
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    this.child = undefined;
    return Date.now() - started;
  }

  async logTail(lines = 30): Promise<string> {
    return (await readFile(this.logFile, 'utf8').catch(() => '')).split('\n').slice(-lines).join('\n');
  }
}

/** True when a fresh connection to `address` gets an answer about the default namespace within ~2 s. */
async function answers(address: string): Promise<boolean> {
  // A subchannel of its own: grpc-js shares subchannels between connections to one address, and the test's client
  // connection's subchannel may still be in its reconnect backoff when the server is back.
  const connection = await Connection.connect({
    address,
    connectTimeout: 1_000,
    channelArgs: { 'grpc.use_local_subchannel_pool': 1 },
  }).catch(() => undefined);
  if (!connection) return false;
  try {
    await connection.withDeadline(Date.now() + 2_000, () => connection.workflowService.describeNamespace({ namespace: 'default' }));
    return true;
  } catch {
    return false;
  } finally {
    await connection.close();
  }
}

/** The worker, on a NativeConnection of its own; restarted (and counted) if it fails while the server is away. */
class OutageWorker {
  worker: Worker | undefined;
  private native: NativeConnection | undefined;
  private running: Promise<void> | undefined;
  readonly failures: string[] = [];
  restarts = 0;

  constructor(
    private readonly address: string,
    private readonly taskQueue: string,
    private readonly auditLogPath: string,
  ) {}

  async start(): Promise<void> {
    this.native ??= await NativeConnection.connect({ address: this.address });
    const bundle = prebuiltBundle();
    const worker = await createHitlWorker({
      connection: this.native,
      taskQueue: this.taskQueue,
      config: parseConfig({}, {}),
      auditLogPath: this.auditLogPath,
      ...(bundle && { workflowBundle: bundle }),
    });
    this.worker = worker;
    this.running = worker.run().catch((err: unknown) => void this.failures.push(errorChain(err)));
  }

  get state(): string {
    return this.worker?.getState() ?? 'none';
  }

  /** After a restart of the server: a worker that failed while it was away is replaced (with a fresh connection). */
  async ensureRunning(): Promise<void> {
    if (this.state === 'RUNNING') return;
    await this.running;
    await this.native?.close().catch(() => undefined);
    this.native = undefined;
    this.restarts++;
    await this.start();
  }

  async stop(): Promise<void> {
    if (this.worker && this.state === 'RUNNING') this.worker.shutdown();
    await this.running;
    await this.native?.close().catch(() => undefined);
  }
}

type Settled<T> = { ok: true; value: T; at: number } | { ok: false; error: unknown; at: number };

interface Item<T> {
  kind: 'pause' | 'approval';
  id: string;
  hitl: HitlClient;
  /** Answered after the first restart (SIGTERM) or the second (SIGKILL). */
  round: 1 | 2;
  /** Approvals: the decision this one gets. */
  decision: 'approved' | 'denied';
  caller: Promise<T>;
  settled?: Settled<T>;
  answer?: Settled<unknown>;
}

function track<T>(item: Item<T>): Item<T> {
  item.caller.then(
    (value) => (item.settled = { ok: true, value, at: Date.now() }),
    (error: unknown) => (item.settled = { ok: false, error, at: Date.now() }),
  );
  return item;
}

test(
  'outage: a dev server on a SQLite file stopped past the retry window (SIGTERM, then SIGKILL) loses nothing; waiting callers get their answers',
  { timeout: LONG ? 900_000 : 300_000 },
  async () => {
    const testStarted = Date.now();
    const cli = await resolveTemporalCli();
    assert.ok(cli, 'a Temporal CLI (TEMPORAL_CLI_PATH, the cache, PyPI or go install)');
    const dir = await mkdtemp(join(tmpdir(), 'hitl-outage-'));
    const server = new DevServerProcess(cli.path, await freePort(), join(dir, 'temporal.sqlite'), join(dir, 'server.log'));
    log(`dev server ${server.address} on ${join(dir, 'temporal.sqlite')} (WAL), started in ${secs(await server.start())}`);

    const config = parseConfig({}, {});
    // The client connection as the library makes it (the CLI's too): what a caller's process gets after an outage.
    const connection = await Connection.connect({
      ...(await connectionOptions({ temporal: { ...config.temporal, address: server.address } })),
      channelArgs: CLIENT_CHANNEL_ARGS,
    });
    const client = new Client({ connection });
    const taskQueue = uid('tq-outage');
    const auditLogPath = join(dir, 'audit.log');
    const worker = new OutageWorker(server.address, taskQueue, auditLogPath);
    await worker.start();

    const workspaces = Array.from(
      { length: Math.ceil(ITEMS / PER_WORKSPACE) },
      (_, w) =>
        // Callers ride out far longer than the outage; decisions keep the default decision timeout (20 s).
        new HitlClient({ client, workspaceId: uid(`ws-outage-${w}`), taskQueue, config, outageTolerance: '10m' }),
    );
    const run = uid('o');
    const pauses: Item<PauseResult>[] = [];
    const approvals: Item<ApprovalResult>[] = [];
    for (let i = 0; i < ITEMS; i++) {
      const hitl = workspaces[Math.floor(i / PER_WORKSPACE)]!;
      const round = i % 2 === 0 ? 1 : 2;
      const decision = i % 4 < 2 ? 'approved' : 'denied';
      const taskId = `${run}-task-${i}`;
      const approvalId = `${run}-approval-${i}`;
      pauses.push(
        track({
          kind: 'pause',
          id: taskId,
          hitl,
          round,
          decision,
          caller: hitl.pauseTask(taskId, `outage pause ${i}`, { timeout: '30m' }),
        }),
      );
      approvals.push(
        track({
          kind: 'approval',
          id: approvalId,
          hitl,
          round,
          decision,
          caller: hitl.requestApproval({ approvalId, action: 'outage_op', reason: `outage approval ${i}`, args: { i }, timeout: '30m' }),
        }),
      );
    }
    const items: Item<unknown>[] = [...pauses, ...approvals];
    const unsettled = (round?: 1 | 2) => items.filter((it) => !it.settled && (round === undefined || it.round === round));

    const listedIds = async (hitl: HitlClient) => ({
      paused: new Set((await hitl.listPausedTasks()).paused_tasks),
      pending: new Set((await hitl.listApprovals({ status: 'pending' })).map((r) => r.id)),
    });
    /** Every workspace's listing equals what is unanswered; the time to the first listing that does. */
    const expectListed = async (what: string, bound = 60_000): Promise<{ ms: number; failedCalls: number }> => {
      const started = Date.now();
      let failedCalls = 0;
      let last = '';
      await eventually(
        async () => {
          for (const hitl of workspaces) {
            const listed = await listedIds(hitl).catch((err: unknown) => {
              failedCalls++;
              last = errorChain(err);
              return undefined;
            });
            if (!listed) return false;
            const mine = items.filter((it) => it.hitl === hitl && !it.answer);
            const paused = mine.filter((it) => it.kind === 'pause').map((it) => it.id);
            const pending = mine.filter((it) => it.kind === 'approval').map((it) => it.id);
            if (listed.paused.size !== paused.length || !paused.every((id) => listed.paused.has(id))) return false;
            if (listed.pending.size !== pending.length || !pending.every((id) => listed.pending.has(id))) return false;
          }
          return true;
        },
        bound,
        `${what}: every unanswered item listed${last ? ` (last error: ${last})` : ''}`,
        250,
      );
      return { ms: Date.now() - started, failedCalls };
    };

    const figures: string[] = [];
    try {
      const startup = await expectListed('before the outages', 60_000);
      // The worker has taken every item in hand (its first audit line) before the server goes away.
      await eventually(async () => (await readAudit(auditLogPath)).length >= items.length, 60_000, 'an audit line per item', 250);
      log(`${pauses.length} pauses + ${approvals.length} approvals in ${workspaces.length} workspaces, listed in ${secs(startup.ms)}`);
      assert.equal(unsettled().length, items.length, 'no caller has an answer before anyone answered');

      for (const [round, signal] of [
        [1, 'SIGTERM'],
        [2, 'SIGKILL'],
      ] as const) {
        const warningsBefore = coreLog.warnings + coreLog.errors;
        const stoppedIn = await server.stop(signal);
        const downAt = Date.now();
        // A plain SDK call started as the server goes away: how long the client's own gRPC retries last.
        const sdkWindow = connection.workflowService.describeNamespace({ namespace: 'default' }).then(
          () => ({ ms: Date.now() - downAt, code: 'answered' as unknown }),
          (err: unknown) => ({ ms: Date.now() - downAt, code: (err as { code?: unknown }).code }),
        );
        const workerStates = new Set<string>();
        while (Date.now() - downAt < OUTAGE_MS) {
          workerStates.add(worker.state);
          await sleep(500);
        }
        // Down at least 5 s past the SDK's own retry window, however long that lasted this time.
        const window = await sdkWindow;
        while (Date.now() - downAt < window.ms + 5_000) await sleep(100);
        const settledWhileDown = items.filter((it) => it.settled).length - items.filter((it) => it.answer).length;
        const startedIn = await server.start();
        const downFor = Date.now() - downAt;
        const listed = await expectListed(`after the ${signal} restart`);
        const workerBefore = worker.state;
        await worker.ensureRunning();
        log(
          `${signal}: stopped in ${secs(stoppedIn)}, down ${secs(downFor)} until it answered again (restart took ${secs(startedIn)}; ` +
            `a plain SDK call gave up after ${secs(window.ms)}, code ${String(window.code)}); ` +
            `the client listed all ${unsettled().length} unanswered items ${secs(listed.ms)} after the server answered ` +
            `(its grpc-js reconnect backoff; ${listed.failedCalls} list calls failed); ` +
            `worker ${[...workerStates].join('/')} while down, ${workerBefore} after${workerBefore === 'RUNNING' ? '' : ' → restarted'}, ` +
            `${coreLog.warnings + coreLog.errors - warningsBefore} Core log lines`,
        );
        assert.equal(window.code, 14, 'the SDK call gave up UNAVAILABLE while the server was down');
        assert.ok(downFor > window.ms + 5_000, `the outage (${downFor} ms) outlasts the SDK's retry window (${window.ms} ms)`);
        assert.equal(settledWhileDown, 0, 'no caller settled (e.g. threw) while the server was down');

        // Answer this round's items: every resume and decision succeeds.
        const answering = items.filter((it) => it.round === round);
        const answerStarted = Date.now();
        await Promise.all(
          answering.map(async (it) => {
            try {
              const value =
                it.kind === 'pause'
                  ? await it.hitl.resumeTask(it.id, `resume ${it.id}`, { resumedBy: 'bob' })
                  : await it.hitl.decide(it.id, { decision: it.decision, decidedBy: 'alice', message: `${it.decision} ${it.id}` });
              it.answer = { ok: true, value, at: Date.now() };
            } catch (error) {
              it.answer = { ok: false, error, at: Date.now() };
            }
          }),
        );
        const answerFailures = answering.filter((it) => !it.answer!.ok || !(it.answer as { value: { success: boolean } }).value.success);
        const answersIn = Date.now() - answerStarted;
        // Their callers, waiting since before the outage(s), get their answers.
        await eventually(async () => answering.every((it) => it.settled), 60_000, `the answers of round ${round}'s callers`, 100);
        const callersIn = Math.max(...answering.map((it) => it.settled!.at)) - answerStarted;
        const threw = answering.filter((it) => !it.settled!.ok);
        log(
          `${signal}: ${answering.length - answerFailures.length}/${answering.length} resumes and decisions succeeded in ${secs(answersIn)}; ` +
            `${answering.length - threw.length}/${answering.length} waiting callers answered within ${secs(callersIn)}; ` +
            `${unsettled().length} callers still waiting`,
        );
        figures.push(`${signal} down ${secs(downFor)}, client back ${secs(listed.ms)} later`);
        for (const it of [...answerFailures, ...threw].slice(0, 5)) {
          const failure = it.settled && !it.settled.ok ? it.settled : it.answer;
          log(`  ${it.kind} ${it.id}: ${failure?.ok ? JSON.stringify(failure.value) : errorChain((failure as { error: unknown }).error)}`);
        }
        assert.deepEqual(
          answerFailures.map((it) => it.id),
          [],
          'every resume and decision after the restart succeeds',
        );
        assert.deepEqual(
          threw.map((it) => `${it.id}: ${errorChain((it.settled as { error: unknown }).error)}`),
          [],
          'no waiting caller threw',
        );
        for (const it of answering) {
          const value = (it.settled as { value: unknown }).value;
          if (it.kind === 'pause') {
            assert.deepEqual(value, { resumed: true, task_id: it.id, message: `resume ${it.id}` });
          } else {
            const result = value as ApprovalResult;
            assert.equal(result.approval_id, it.id);
            assert.equal(result.approved, it.decision === 'approved', `${it.id} approved`);
            assert.equal(result.outcome, it.decision === 'approved' ? 'granted' : 'denied');
            assert.equal(result.decided_by, 'alice');
            assert.equal(result.message, `${it.decision} ${it.id}`);
          }
        }
        assert.equal(unsettled(2).length, round === 1 ? answering.length : 0, "the next round's callers still wait");
      }

      // Nothing lost: nothing left listed, and the audit has each item's start line and exactly one outcome line.
      await expectListed('at the end', 30_000);
      const lines = await readAudit(auditLogPath);
      // Per item (trace id: task id or approval id), its outcomes, once per event id (a retried write repeats its id).
      const outcomes = new Map<string, Map<string, string>>();
      lines.forEach((line, n) => {
        const byEvent = outcomes.get(String(line.trace_id)) ?? new Map<string, string>();
        outcomes.set(String(line.trace_id), byEvent.set(String(line.event_id ?? `line ${n}`), String(line.outcome)));
      });
      const wrong = items.flatMap((it) => {
        const seen = [...(outcomes.get(it.id)?.values() ?? [])].sort();
        const expected = (
          it.kind === 'pause' ? ['paused', 'resumed'] : ['requested', it.decision === 'approved' ? 'granted' : 'denied']
        ).sort();
        return JSON.stringify(seen) === JSON.stringify(expected) ? [] : [`${it.id}: ${seen.join(',')}`];
      });
      const duplicates = lines.length - new Set(lines.map((l) => String(l.event_id ?? JSON.stringify(l)))).size;
      const errors = items.filter((it) => it.settled?.ok === false || it.answer?.ok === false).length;
      log(
        `answered ${items.filter((it) => it.settled?.ok).length}/${items.length} callers; errors ${errors}; ` +
          `${lines.length} audit lines (${duplicates} repeated), ${wrong.length} items with other lines; ` +
          `worker restarts ${worker.restarts}, failures ${worker.failures.length}; Core logged ${coreLog.warnings} warnings, ${coreLog.errors} errors; ` +
          `${figures.join(', ')}; ${secs(Date.now() - testStarted)} in all`,
      );
      if (coreLog.first.length) log(`first Core log lines: ${coreLog.first.join(' | ')}`);
      assert.deepEqual(wrong, [], 'every item has its start line and its one outcome line in the audit');
    } catch (err) {
      log(`server log tail:\n${await server.logTail()}`);
      throw err;
    } finally {
      await worker.stop().catch((err: unknown) => log(`worker stop: ${errorChain(err)}`));
      await connection.close();
      await server.stop('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    }
  },
);
