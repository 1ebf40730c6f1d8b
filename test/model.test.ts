/**
 * Standing suite, model-based part: random operations against pauses and approvals on a real dev server, checked
 * against a pure model of the expected outcome (the rules of `checkDecision` / `checkResume` and the machines).
 *
 * fast-check generates items (a pause, or an approval with a quorum, four-eyes, a schema for edits) and, per item, a
 * sequence of steps: one operation, or a concurrent batch (Promise.all). Operations: decide approve/deny through the
 * library client (Update), through raw Signals, through raw Updates; edits valid and invalid; resumes with and without a
 * message; a wrong or oversized workspace; oversized, blank and case-variant identities; undecodable payloads;
 * duplicates; anything after the end. The model keeps the set of states the item may be in: a concurrent batch may run
 * in any order, so every order is tried and the states that agree with what the callers observed are kept.
 *
 * Checked per item: every observed answer is one the model allows (zero mismatches); the caller's result, the final
 * `state` query (approvals, edits, every refused Signal with its reason) and the audit lines agree with one model state;
 * an item the model says ended does end (zero lost decisions); no workflow task failed (other than the server's
 * UNHANDLED_COMMAND race, which the library handles).
 *
 * Defaults fit CI: ~50 s of runs (~60 s with the dev server on 2 cores); a failure then gets up to 2 min of shrinking.
 * HITL_LONG=1: up to 20 min of runs. The seed is fixed (20261129) and printed; HITL_MODEL_SEED=<n> runs another, and
 * HITL_MODEL_SEED with HITL_MODEL_PATH (both printed on failure) replays one counterexample. The `[model]` figures count
 * every scenario run, shrinking runs included.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { Client, Connection, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import fc from 'fast-check';
import { InputError, type HitlClient } from '../src/index.js';
import { approvalWorkflowId, pauseWorkflowId, TASK_NOT_FOUND, type ApprovalState, type PauseState } from '../src/workflow.js';
import { isGone } from '../src/client/errors.js';
import { isTransient } from '../src/client/retry.js';
import { readAudit } from '../src/dev/harness.js';
import { address, closeConnections, uid, waitPaused, waitPending, withWorker, type Harness } from './helpers.js';

after(closeConnections);

// ───────────────────────────── configuration ─────────────────────────────

const LONG = process.env.HITL_LONG === '1';
const SEED = Number(process.env.HITL_MODEL_SEED ?? 20261129);
const NUM_RUNS = Number(process.env.HITL_MODEL_RUNS ?? (LONG ? 2_000 : 200));
/** Wall-clock budget of the property runs: past it, the remaining runs pass without running. */
const TIME_LIMIT_MS = Number(process.env.HITL_MODEL_TIME_MS ?? (LONG ? 20 * 60_000 : 50_000));
/** Time given to shrinking a failure to a small counterexample. */
const SHRINK_MS = Number(process.env.HITL_MODEL_SHRINK_MS ?? (LONG ? 10 * 60_000 : 120_000));
const REPLAY_PATH = process.env.HITL_MODEL_PATH;
/** How long an item the model says ended may take to close after its last operation. */
const END_GRACE_MS = 5_000;

const OWNER = 'ws-model';
const OTHER = 'ws-other';
const LONG_WS = 'w'.repeat(201);
const LIMIT = 200;
const MESSAGE_LIMIT = 16_000;

// ───────────────────────────── operations ─────────────────────────────

type Ws = 'owner' | 'other' | 'long';
type Via = 'client' | 'signal' | 'rawUpdate';
type Edit = Record<string, unknown>;

interface DecideOp {
  t: 'decide';
  via: Via;
  ws: Ws;
  decision: 'approved' | 'denied';
  by: string;
  message?: string;
  edit?: Edit;
  /** Which of the two client connections sends it. */
  conn: 0 | 1;
}
interface ResumeOp {
  t: 'resume';
  via: Via;
  ws: Ws;
  message?: string;
  by?: string;
  conn: 0 | 1;
}
interface GarbledOp {
  t: 'garbled';
  /** approve / deny for an approval; a pause always gets `resume`. */
  signal: 'approve' | 'deny';
  payload: 'badJson' | 'unknownEncoding' | 'truncatedJson';
  conn: 0 | 1;
}
/** A duplicate of the item's previous operation (resolved before the run). */
interface AgainOp {
  t: 'again';
}
/** A pause between steps, so that later operations find the workflow closed (late decisions). */
interface WaitOp {
  t: 'wait';
  ms: number;
}
type Op = DecideOp | ResumeOp | GarbledOp | WaitOp;
type GenOp = Op | AgainOp;

interface ApprovalItem {
  kind: 'approval';
  requiredApprovals: number;
  fourEyes: boolean;
  requestedBy?: string;
  schema: boolean;
  args?: Edit;
  steps: GenOp[][];
}
interface PauseItem {
  kind: 'pause';
  steps: GenOp[][];
}
type Item = ApprovalItem | PauseItem;

// ───────────────────────────── generators ─────────────────────────────

const NAMES = ['alice', 'Alice', 'ALICE', 'bob', 'Bob', ' bob ', 'ＢＯＢ', 'carol', 'Carol', 'dave'] as const;
/** Identities at and past the 200-character bound, and blank. */
const ODD_NAMES = ['x'.repeat(201), 'y'.repeat(200), ` ${'z'.repeat(200)} `, 'q'.repeat(260), '   '] as const;
const LONG_MESSAGE = 'm'.repeat(MESSAGE_LIMIT + 1);
const SCHEMA = {
  type: 'object',
  properties: { table: { type: 'string', minLength: 1 }, days: { type: 'integer', minimum: 7 } },
  required: ['table', 'days'],
  additionalProperties: false,
} as const;
const SCHEMA_ARGS = { table: 'events', days: 7 };
const EDITS: Edit[] = [{ days: 30 }, { days: 7 }, { days: 3 }, { days: 'ten' }, { table: 'users' }, { table: '' }, { extra: true }, {}];

const connArb = fc.constantFrom<0 | 1>(0, 1);
const byArb = fc.oneof({ weight: 14, arbitrary: fc.constantFrom(...NAMES) }, { weight: 1, arbitrary: fc.constantFrom(...ODD_NAMES) });
const messageArb = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom<string | undefined>(undefined, 'ok', '', 'ship it') },
  { weight: 1, arbitrary: fc.constant(LONG_MESSAGE) },
);
const wsArb = fc.oneof(
  { weight: 10, arbitrary: fc.constant<Ws>('owner') },
  { weight: 2, arbitrary: fc.constant<Ws>('other') },
  { weight: 1, arbitrary: fc.constant<Ws>('long') },
);
const viaArb = fc.oneof(
  { weight: 5, arbitrary: fc.constant<Via>('client') },
  { weight: 4, arbitrary: fc.constant<Via>('signal') },
  { weight: 1, arbitrary: fc.constant<Via>('rawUpdate') },
);
/** The library client cannot be built for a 201-character workspace: such an operation goes as a raw Signal. */
const fixVia = <T extends { via: Via; ws: Ws }>(o: T): T => (o.ws === 'long' && o.via === 'client' ? { ...o, via: 'signal' } : o);

const decideArb: fc.Arbitrary<DecideOp> = fc
  .record({
    t: fc.constant('decide' as const),
    via: viaArb,
    ws: wsArb,
    decision: fc.constantFrom<'approved' | 'denied'>('approved', 'approved', 'approved', 'denied'),
    by: byArb,
    message: messageArb,
    edit: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fc.constantFrom(...EDITS) }),
    conn: connArb,
  })
  .map((o) => fixVia(strip(o)));
const resumeArb: fc.Arbitrary<ResumeOp> = fc
  .record({
    t: fc.constant('resume' as const),
    via: viaArb,
    ws: wsArb,
    message: messageArb,
    by: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: byArb }),
    conn: connArb,
  })
  .map((o) => fixVia(strip(o)));
const garbledArb: fc.Arbitrary<GarbledOp> = fc.record({
  t: fc.constant('garbled' as const),
  signal: fc.constantFrom<'approve' | 'deny'>('approve', 'deny'),
  payload: fc.constantFrom<GarbledOp['payload']>('badJson', 'unknownEncoding', 'truncatedJson'),
  conn: connArb,
});
const againArb: fc.Arbitrary<AgainOp> = fc.constant({ t: 'again' as const });
const waitArb: fc.Arbitrary<WaitOp> = fc.record({ t: fc.constant('wait' as const), ms: fc.constantFrom(50, 150, 400) });

const stepsArb = (op: fc.Arbitrary<Op>) => {
  const any = fc.oneof(
    { withCrossShrink: true },
    { weight: 8, arbitrary: op as fc.Arbitrary<GenOp> },
    { weight: 1, arbitrary: garbledArb },
    { weight: 2, arbitrary: againArb },
  );
  return fc.array(
    fc.oneof(
      { withCrossShrink: true },
      { weight: 6, arbitrary: any.map((o) => [o]) },
      { weight: 2, arbitrary: fc.array(any, { minLength: 2, maxLength: 4 }) },
      { weight: 1, arbitrary: waitArb.map((o) => [o]) },
    ),
    { minLength: 1, maxLength: 8 },
  );
};

const approvalArb: fc.Arbitrary<ApprovalItem> = fc
  .record({
    kind: fc.constant('approval' as const),
    requiredApprovals: fc.integer({ min: 1, max: 3 }),
    fourEyes: fc.boolean(),
    requestedBy: fc.constantFrom<string | undefined>(undefined, 'bob', 'Bob', ' bob '),
    schema: fc.boolean(),
    plainArgs: fc.constantFrom<Edit | undefined>(undefined, { n: 1 }),
    steps: stepsArb(decideArb),
  })
  .map(({ plainArgs, ...o }) =>
    strip({
      ...o,
      // four-eyes needs a requester (the client refuses it without one)
      requestedBy: o.fourEyes ? (o.requestedBy ?? 'bob') : o.requestedBy,
      args: o.schema ? SCHEMA_ARGS : plainArgs,
    }),
  );
const pauseArb: fc.Arbitrary<PauseItem> = fc.record({ kind: fc.constant('pause' as const), steps: stepsArb(resumeArb) });
const scenarioArb = fc.array(fc.oneof({ weight: 3, arbitrary: approvalArb }, { weight: 2, arbitrary: pauseArb }), {
  minLength: 1,
  maxLength: 6,
});

/** Drops keys whose value is undefined, so that generated values print (and serialise) as sent. */
function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Resolves `again` into a copy of the item's previous operation (dropped when there is none). */
function concreteSteps(steps: GenOp[][]): Op[][] {
  let last: Op | undefined;
  const out: Op[][] = [];
  for (const step of steps) {
    const ops: Op[] = [];
    for (const o of step) {
      if (o.t === 'again') {
        if (last) ops.push(last);
      } else if (o.t === 'wait') ops.push(o);
      else ops.push((last = o));
    }
    if (ops.length) out.push(ops);
  }
  return out;
}

// ───────────────────────────── the model ─────────────────────────────

/** Why a message is refused, in the order `checkDecision` / `checkResume` look. */
type Kind =
  | 'undecodable'
  | 'wsLong'
  | 'byLong'
  | 'byBlank'
  | 'msgLong'
  | 'notOwner'
  | 'decided'
  | 'notFound'
  | 'fourEyes'
  | 'already'
  | 'editDeny'
  | 'schema';

const KIND_TEXT: Record<Kind, RegExp> = {
  undecodable: /could not be read/,
  wsLong: /workspaceId is \d+ characters; the limit is 200/,
  byLong: /(decidedBy|resumedBy) is \d+ characters; the limit is 200/,
  byBlank: /(decidedBy|resumedBy) is required/,
  msgLong: /message is \d+ characters; the limit is 16000/,
  notOwner: /does not own/,
  decided: /is already decided: /,
  notFound: new RegExp(`^${TASK_NOT_FOUND}$`),
  fourEyes: /four-eyes rule/,
  already: /has already approved/,
  editDeny: /editedArgs go with an approval/,
  schema: /do not match the tool's schema/,
};

interface Refusal {
  kind: Kind;
  /** For `decided`: the exact tail the reason must carry (`already decided: approved by alice`). */
  text?: string;
}

/** What the model allows an operation to produce. */
type Outcome =
  | { t: 'ok'; resp?: { status: string; approvals: number; required: number } }
  | ({ t: 'refused' } & Refusal)
  | { t: 'input' }
  | { t: 'gone' };

interface ApprovalModel {
  status: 'pending' | 'approved' | 'denied';
  /** Who approved so far, as stored. */
  approvals: string[];
  edited?: Edit;
  decidedBy?: string;
  message?: string;
  /** Refused Signals the workflow processed, in order. */
  rejected: Refusal[];
}
interface PauseModel {
  status: 'paused' | 'resumed';
  message?: string;
  resumedBy?: string;
  rejected: Refusal[];
}
type Model = ApprovalModel | PauseModel;

/** One identity however it is typed (`identity.ts`): `Bob`, ` bob ` and `ＢＯＢ` are one. */
const identity = (name: string): string => name.normalize('NFKC').trim().toLowerCase();
/** How a name is kept: "names are stored as given, trimmed" (`identity.ts`). */
const stored = (name: string): string => name.trim();

const wsOf = (ws: Ws): string => (ws === 'owner' ? OWNER : ws === 'other' ? OTHER : LONG_WS);

/** The model's schema check of the merged arguments (`SCHEMA`); an item without a schema takes any edit. */
function schemaAllows(item: ApprovalItem, merged: Edit): boolean {
  if (!item.schema) return true;
  const keysOk = Object.keys(merged).every((k) => k === 'table' || k === 'days');
  const { table, days } = merged as { table?: unknown; days?: unknown };
  return keysOk && typeof table === 'string' && table.length >= 1 && typeof days === 'number' && Number.isInteger(days) && days >= 7;
}

const sameJson = (a: unknown, b: unknown): boolean => {
  const canon = (v: unknown): unknown =>
    typeof v === 'object' && v !== null
      ? Object.fromEntries(
          Object.entries(v)
            .sort(([x], [y]) => (x < y ? -1 : 1))
            .map(([k, x]) => [k, canon(x)]),
        )
      : v;
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
};

/** The payload an approval operation puts on the wire (the library client's is the same, with its own workspace). */
function decisionPayload(op: DecideOp) {
  return {
    workspaceId: wsOf(op.ws),
    decidedBy: op.by,
    ...(op.message !== undefined && { message: op.message }),
    ...(op.edit !== undefined && { editedArgs: op.edit }),
  };
}

/** `checkDecision` (strict) over the model. */
function decisionRefusal(item: ApprovalItem, s: ApprovalModel, op: DecideOp): Refusal | undefined {
  const by = op.by.trim();
  if (wsOf(op.ws).length > LIMIT) return { kind: 'wsLong' };
  if (by === '') return { kind: 'byBlank' };
  if (by.length > LIMIT) return { kind: 'byLong' };
  if (op.message !== undefined && op.message.length > MESSAGE_LIMIT) return { kind: 'msgLong' };
  if (wsOf(op.ws) !== OWNER) return { kind: 'notOwner' };
  if (s.status !== 'pending') return { kind: 'decided', text: `already decided: ${s.status} by ${s.decidedBy}` };
  if (item.fourEyes && item.requestedBy !== undefined && identity(op.by) === identity(item.requestedBy)) return { kind: 'fourEyes' };
  if (op.decision === 'approved' && s.approvals.some((a) => identity(a) === identity(op.by))) return { kind: 'already' };
  if (op.edit !== undefined) {
    if (op.decision !== 'approved') return { kind: 'editDeny' };
    if (!schemaAllows(item, { ...(s.edited ?? item.args), ...op.edit })) return { kind: 'schema' };
  }
  return undefined;
}

/** `ApprovalMachine.apply` over the model. */
function applyDecision(item: ApprovalItem, s: ApprovalModel, op: DecideOp): ApprovalModel {
  const n: ApprovalModel = { ...s, approvals: [...s.approvals] };
  if (op.edit !== undefined) {
    const current = s.edited ?? item.args ?? {};
    const next = { ...current, ...op.edit };
    // an edit that changes the arguments restarts the count
    if (!sameJson(next, current)) n.approvals = [];
    n.edited = next;
  }
  const finish = (status: 'approved' | 'denied') => {
    n.status = status;
    n.decidedBy = stored(op.by);
    if (op.message) n.message = op.message;
  };
  if (op.decision === 'denied') finish('denied');
  else {
    n.approvals.push(stored(op.by));
    if (n.approvals.length >= item.requiredApprovals) finish('approved');
  }
  return n;
}

/** `checkResume` (strict) over the model. */
function resumeRefusal(s: PauseModel, op: ResumeOp, wire: { message?: string; resumedBy?: string }): Refusal | undefined {
  if (wsOf(op.ws).length > LIMIT) return { kind: 'wsLong' };
  if (wire.resumedBy !== undefined) {
    const by = wire.resumedBy.trim();
    if (by === '') return { kind: 'byBlank' };
    if (by.length > LIMIT) return { kind: 'byLong' };
  }
  if (wire.message !== undefined && wire.message.length > MESSAGE_LIMIT) return { kind: 'msgLong' };
  if (wsOf(op.ws) !== OWNER) return { kind: 'notOwner' };
  if (s.status !== 'paused') return { kind: 'notFound' };
  return undefined;
}

/** What a resume operation puts on the wire: the library client drops an empty message and an absent resumedBy. */
function resumeWire(op: ResumeOp): { message?: string; resumedBy?: string } {
  if (op.via === 'client') return strip({ message: op.message || undefined, resumedBy: op.by || undefined });
  return strip({ message: op.message, resumedBy: op.by });
}

const ended = (s: Model): boolean => s.status !== 'pending' && s.status !== 'paused';

interface Branch {
  outcome: Outcome;
  next: Model;
}

/**
 * Every way `op` may go from `s`: a refusal, an acceptance, or (once the item has ended, so its workflow may have closed)
 * the answer a closed workflow gives.
 */
function step(item: Item, s: Model, op: Op): Branch[] {
  if (op.t === 'wait') return [{ outcome: { t: 'ok' }, next: s }];
  const refusedSignal = (r: Refusal): Branch => ({ outcome: { t: 'refused', ...r }, next: { ...s, rejected: [...s.rejected, r] } });
  if (op.t === 'garbled') {
    const b = [refusedSignal({ kind: 'undecodable' })];
    return ended(s) ? [...b, { outcome: { t: 'gone' }, next: s }] : b;
  }
  if (item.kind === 'approval' && op.t === 'decide') {
    const a = s as ApprovalModel;
    if (op.via === 'client') {
      const by = op.by.trim();
      if (by === '' || by.length > LIMIT) return [{ outcome: { t: 'input' }, next: s }];
    }
    const why = decisionRefusal(item, a, op);
    let branches: Branch[];
    if (why === undefined) {
      const next = applyDecision(item, a, op);
      branches = [
        { outcome: { t: 'ok', resp: { status: next.status, approvals: next.approvals.length, required: item.requiredApprovals } }, next },
      ];
    } else branches = [op.via === 'signal' ? refusedSignal(why) : { outcome: { t: 'refused', ...why }, next: s }];
    if (ended(s)) {
      // closed: a Signal or raw Update finds nothing; the library client says who owns it or how it was decided
      if (op.via !== 'client') branches.push({ outcome: { t: 'gone' }, next: s });
      else {
        const closed: Refusal =
          wsOf(op.ws) !== OWNER ? { kind: 'notOwner' } : { kind: 'decided', text: `already decided: ${a.status} by ${a.decidedBy}` };
        branches.push({ outcome: { t: 'refused', ...closed }, next: s });
      }
    }
    return branches;
  }
  if (item.kind === 'pause' && op.t === 'resume') {
    const p = s as PauseModel;
    if (op.via === 'client') {
      if (op.message !== undefined && op.message.length > MESSAGE_LIMIT) return [{ outcome: { t: 'input' }, next: s }];
      if (op.by !== undefined && (op.by.trim() === '' || op.by.trim().length > LIMIT)) return [{ outcome: { t: 'input' }, next: s }];
    }
    const wire = resumeWire(op);
    const why = resumeRefusal(p, op, wire);
    let branches: Branch[];
    if (why === undefined) {
      const next: PauseModel = {
        ...p,
        status: 'resumed',
        resumedBy: stored(wire.resumedBy ?? wsOf(op.ws)),
        ...(wire.message && { message: wire.message }),
      };
      branches = [{ outcome: { t: 'ok' }, next }];
    } else branches = [op.via === 'signal' ? refusedSignal(why) : { outcome: { t: 'refused', ...why }, next: s }];
    if (ended(s)) {
      // closed: the library client answers "not found or already resumed" whoever asks
      branches.push({ outcome: op.via === 'client' ? { t: 'refused', kind: 'notFound' } : { t: 'gone' }, next: s });
    }
    return branches;
  }
  throw new Error(`operation ${op.t} does not apply to a ${item.kind}`);
}

/** What a caller observed. */
type Observed =
  | { t: 'ok'; value: unknown }
  | { t: 'refused'; text: string }
  | { t: 'delivered' }
  | { t: 'input'; text: string }
  | { t: 'gone' }
  | { t: 'error'; text: string };

function matchesRefusal(r: Refusal, text: string): boolean {
  return KIND_TEXT[r.kind].test(text) && (r.text === undefined || text.includes(r.text));
}

/** Whether what the caller observed is what `outcome` would show it. */
function agrees(op: Op, outcome: Outcome, seen: Observed): boolean {
  if (op.t === 'wait') return true;
  const signal = op.t === 'garbled' || op.via === 'signal';
  if (signal) {
    if (seen.t === 'delivered') return outcome.t === 'ok' || outcome.t === 'refused';
    return seen.t === 'gone' && outcome.t === 'gone';
  }
  switch (seen.t) {
    case 'ok': {
      if (outcome.t !== 'ok') return false;
      if (!outcome.resp) return true;
      const v = seen.value as { status?: unknown; approvals?: unknown; required?: unknown };
      return v.status === outcome.resp.status && v.approvals === outcome.resp.approvals && v.required === outcome.resp.required;
    }
    case 'refused':
      return outcome.t === 'refused' && matchesRefusal(outcome, seen.text);
    case 'input':
      return outcome.t === 'input';
    case 'gone':
      return outcome.t === 'gone';
    default:
      return false;
  }
}

function* orders(n: number): Generator<number[]> {
  if (n <= 1) {
    yield n === 1 ? [0] : [];
    return;
  }
  for (const rest of orders(n - 1)) {
    for (let i = 0; i <= rest.length; i++) yield [...rest.slice(0, i), n - 1, ...rest.slice(i)];
  }
}

/** The states the item may be in after `ops` ran concurrently (in some order) from one of `states` and showed `seen`. */
function advance(item: Item, states: Model[], ops: Op[], seen: Observed[]): Model[] {
  const out = new Map<string, Model>();
  for (const start of states) {
    for (const order of orders(ops.length)) {
      let frontier: Model[] = [start];
      for (const i of order) {
        const next: Model[] = [];
        for (const s of frontier) for (const b of step(item, s, ops[i]!)) if (agrees(ops[i]!, b.outcome, seen[i]!)) next.push(b.next);
        frontier = next;
        if (!frontier.length) break;
      }
      for (const s of frontier) out.set(JSON.stringify(s), s);
    }
  }
  return [...out.values()];
}

/** The caller's result, the `state` query and the audit lines a final model state stands for (`cancelled`: we cancelled it). */
function expectedEnd(item: Item, id: string, s: Model) {
  if (item.kind === 'approval') {
    const a = s as ApprovalModel;
    const result =
      a.status === 'approved'
        ? strip({
            approved: true,
            approval_id: id,
            outcome: 'granted',
            decided_by: a.decidedBy,
            message: a.message,
            edited_args: a.edited,
            approvers: a.approvals,
          })
        : a.status === 'denied'
          ? strip({ approved: false, approval_id: id, outcome: 'denied', decided_by: a.decidedBy, message: a.message })
          : { approved: false, approval_id: id, outcome: 'cancelled', error: 'Approval request was cancelled' };
    const outcomeLine = a.status === 'approved' ? 'granted' : a.status === 'denied' ? 'denied' : 'cancelled';
    return {
      result,
      state: strip({ status: a.status === 'pending' ? 'cancelled' : a.status, approvals: a.approvals, editedArgs: a.edited }),
      rejected: a.rejected,
      audit: { action: 'approve', outcome: outcomeLine, actor: a.decidedBy ?? null },
    };
  }
  const p = s as PauseModel;
  return {
    result:
      p.status === 'resumed'
        ? strip({ resumed: true, task_id: id, message: p.message })
        : { resumed: false, task_id: id, error: 'Pause was cancelled before a resume' },
    state: strip({ status: p.status === 'paused' ? 'cancelled' : p.status, resumedBy: p.resumedBy, message: p.message }),
    rejected: p.rejected,
    audit:
      p.status === 'resumed'
        ? { action: 'resume', outcome: 'resumed', actor: p.resumedBy }
        : { action: 'pause', outcome: 'cancelled', actor: null },
  };
}

// ───────────────────────────── running it ─────────────────────────────

const figures = {
  runs: 0,
  items: 0,
  operations: 0,
  mismatches: 0,
  lost: 0,
  concurrentBatches: 0,
  accepted: 0,
  gone: 0,
  cancelled: 0,
  unhandledCommandRaces: 0,
  refusalsLogged: 0,
};

interface Env {
  h: Harness;
  clients: [Client, Client];
  hitl: (ws: string, conn: 0 | 1) => HitlClient;
}

function text(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e && parts.length < 4; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    parts.push(
      `${(e as Error).name ?? 'Error'}${code !== undefined ? `(code ${String(code)})` : ''}: ${(e as Error).message ?? String(e)}`,
    );
  }
  return parts.join(' <- ');
}

async function observeSignal(send: () => Promise<unknown>): Promise<Observed> {
  try {
    await send();
    return { t: 'delivered' };
  } catch (err) {
    return isGone(err) ? { t: 'gone' } : { t: 'error', text: text(err) };
  }
}

/** An Update through the raw handle, retried like the library does (one update id) when a racing task failed. */
async function rawUpdate(handle: WorkflowHandle, name: string, arg: unknown): Promise<Observed> {
  const updateId = randomUUID();
  for (let attempt = 0; ; attempt++) {
    try {
      return { t: 'ok', value: await handle.executeUpdate(name, { args: [arg], updateId }) };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) return { t: 'refused', text: err.cause?.message ?? err.message };
      if (isGone(err)) return { t: 'gone' };
      if (!isTransient(err) || attempt >= 20) return { t: 'error', text: text(err) };
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const GARBLED: Record<GarbledOp['payload'], { encoding: string; data: string }> = {
  badJson: { encoding: 'json/plain', data: '{not json' },
  truncatedJson: { encoding: 'json/plain', data: '{"workspaceId":"ws-model","decidedBy":"al' },
  unknownEncoding: { encoding: 'x-hitl/unknown', data: '{"workspaceId":"ws-model"}' },
};

async function perform(env: Env, item: Item, workflowId: string, id: string, op: Op): Promise<Observed> {
  if (op.t === 'wait') {
    await new Promise((r) => setTimeout(r, op.ms));
    return { t: 'delivered' };
  }
  const client = env.clients[op.conn];
  const handle = client.workflow.getHandle(workflowId);
  if (op.t === 'garbled') {
    const { encoding, data } = GARBLED[op.payload];
    return observeSignal(() =>
      client.workflowService.signalWorkflowExecution({
        namespace: client.options.namespace,
        workflowExecution: { workflowId },
        signalName: item.kind === 'pause' ? 'resume' : op.signal,
        input: { payloads: [{ metadata: { encoding: Buffer.from(encoding) }, data: Buffer.from(data) }] },
        identity: 'model.test',
        requestId: randomUUID(),
      }),
    );
  }
  try {
    if (op.t === 'decide') {
      const payload = decisionPayload(op);
      if (op.via === 'signal') return await observeSignal(() => handle.signal(op.decision === 'approved' ? 'approve' : 'deny', payload));
      if (op.via === 'rawUpdate') return await rawUpdate(handle, 'decide', { ...payload, decision: op.decision });
      const r = await env.hitl(wsOf(op.ws), op.conn).decide(id, {
        decision: op.decision,
        decidedBy: op.by,
        ...(op.message !== undefined && { message: op.message }),
        ...(op.edit !== undefined && { editedArgs: op.edit }),
      });
      return r.success ? { t: 'ok', value: r } : { t: 'refused', text: r.error };
    }
    const wire = resumeWire(op);
    if (op.via === 'signal') return await observeSignal(() => handle.signal('resume', { workspaceId: wsOf(op.ws), ...wire }));
    if (op.via === 'rawUpdate') return await rawUpdate(handle, 'resume', { workspaceId: wsOf(op.ws), ...wire });
    const r = await env.hitl(wsOf(op.ws), op.conn).resumeTask(id, op.message ?? '', op.by !== undefined ? { resumedBy: op.by } : {});
    return r.success ? { t: 'ok', value: r } : { t: 'refused', text: r.error };
  } catch (err) {
    return err instanceof InputError ? { t: 'input', text: err.message } : { t: 'error', text: text(err) };
  }
}

const TIMED_OUT = Symbol('timed out');
async function within<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<typeof TIMED_OUT>((r) => (timer = setTimeout(() => r(TIMED_OUT), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

const short = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'string' && x.length > 120 ? `${x.slice(0, 70)}…(${x.length} chars)…${x.slice(-40)}` : x,
  );

interface ItemRun {
  id: string;
  item: Item;
  problems: string[];
  lost: number;
  operations: number;
}

/** Runs one item's steps and checks it: every answer, the end, the final state, the history. */
async function runItem(env: Env, item: Item): Promise<ItemRun> {
  const { h } = env;
  const owner = env.hitl(OWNER, 0);
  const id = uid(item.kind === 'pause' ? 'mp' : 'ma');
  const workflowId = item.kind === 'pause' ? pauseWorkflowId(id) : approvalWorkflowId(id);
  const run: ItemRun = { id, item, problems: [], lost: 0, operations: 0 };
  const waiting: Promise<unknown> =
    item.kind === 'pause'
      ? owner.pauseTask(id, 'model', { timeout: '10m' })
      : owner.requestApproval({
          action: 'model_action',
          reason: 'model',
          approvalId: id,
          timeout: '10m',
          requiredApprovals: item.requiredApprovals,
          fourEyes: item.fourEyes,
          ...(item.requestedBy !== undefined && { requestedBy: item.requestedBy }),
          ...(item.args && { args: item.args }),
          ...(item.schema && { argsSchema: SCHEMA as unknown as Record<string, unknown> }),
        });
  waiting.catch(() => undefined);
  await (item.kind === 'pause' ? waitPaused(h.client, id, 25) : waitPending(h.client, id, 25));

  let states: Model[] = [item.kind === 'pause' ? { status: 'paused', rejected: [] } : { status: 'pending', approvals: [], rejected: [] }];
  const accepted: Array<{ op: Op; seen: Observed }> = [];
  const steps = concreteSteps(item.steps);
  for (const [k, ops] of steps.entries()) {
    const seen = await Promise.all(ops.map((op) => perform(env, item, workflowId, id, op)));
    run.operations += ops.filter((op) => op.t !== 'wait').length;
    if (ops.length > 1) figures.concurrentBatches++;
    seen.forEach((s, i) => s.t === 'ok' && accepted.push({ op: ops[i]!, seen: s }));
    figures.gone += seen.filter((s) => s.t === 'gone').length;
    const next = advance(item, states, ops, seen);
    if (!next.length) {
      run.problems.push(
        `step ${k + 1}/${steps.length}${ops.length > 1 ? ' (concurrent)' : ''}: no model state explains what was observed\n` +
          ops.map((op, i) => `      ${short(op)}\n        → observed ${short(seen[i])}`).join('\n') +
          `\n      model states before: ${short(states)}`,
      );
      break;
    }
    states = next;
  }

  // The end: an item the model says ended must close; one that may still be pending is cancelled.
  const handle = h.client.workflow.getHandle(workflowId);
  const allEnded = states.every(ended);
  const anyEnded = states.some(ended);
  let result = await within(waiting, allEnded ? END_GRACE_MS : anyEnded ? 1_500 : 0);
  if (result === TIMED_OUT) {
    if (allEnded && !run.problems.length) {
      run.lost++;
      run.problems.push(`lost: the model says it ended (${short(states)}) but the workflow is still running ${END_GRACE_MS} ms later`);
    }
    await handle.cancel().catch(() => undefined);
    figures.cancelled++;
    result = await within(waiting, END_GRACE_MS);
  }
  if (result === TIMED_OUT) {
    run.problems.push('the caller still waits after a cancel');
    await handle.terminate('model.test: wedged').catch(() => undefined);
  }

  figures.accepted += accepted.length;
  // Every decision the library said it took must be in the end it reached.
  const final = result as { approved?: boolean; outcome?: string; decided_by?: string; resumed?: boolean } | typeof TIMED_OUT;
  for (const { op, seen } of accepted) {
    const v = (seen as { value: { status?: string } }).value;
    const took =
      item.kind === 'pause'
        ? final !== TIMED_OUT && final.resumed === true
        : v.status === 'pending' ||
          (final !== TIMED_OUT &&
            final.outcome === (v.status === 'approved' ? 'granted' : 'denied') &&
            identity(final.decided_by ?? '') === identity(op.t === 'decide' ? op.by : ''));
    if (!took) {
      run.lost++;
      run.problems.push(`lost decision: ${short(op)} was answered ${short(v)} but the caller got ${short(final)}`);
    }
  }

  // The closed workflow's history, state and audit lines.
  const history = await handle.fetchHistory().catch((err: unknown) => ({ failed: text(err), events: [] as never[] }));
  if ('failed' in history) run.problems.push(`history unreadable: ${history.failed}`);
  for (const e of history.events ?? []) {
    if (Number(e.eventType) !== 9 && e.eventType !== ('EVENT_TYPE_WORKFLOW_TASK_FAILED' as unknown)) continue;
    const attrs = e.workflowTaskFailedEventAttributes;
    if (Number(attrs?.cause) === 1) {
      figures.unhandledCommandRaces++;
      continue;
    }
    run.problems.push(`workflow task failed (event ${String(e.eventId)}, cause ${String(attrs?.cause)}): ${attrs?.failure?.message ?? ''}`);
  }
  if (run.problems.length) return run;

  const state = await handle
    .query<ApprovalState | PauseState>('state')
    .then((s) => s)
    .catch((err: unknown) => text(err));
  if (typeof state === 'string') {
    run.problems.push(`state query failed: ${state}`);
    return run;
  }
  const lines = (await readAudit(h.auditLogPath)).filter((l) => l.trace_id === id);
  const seenEnd = {
    result: result === TIMED_OUT ? undefined : { ...(result as Record<string, unknown>), decided_at: undefined },
    state:
      item.kind === 'approval'
        ? strip({
            status: state.status,
            approvals: (state as ApprovalState).approvals.map((v) => v.by),
            editedArgs: (state as ApprovalState).editedArgs,
          })
        : strip({ status: state.status, resumedBy: (state as PauseState).resumedBy, message: (state as PauseState).message }),
    rejected: state.rejected.map((r) => `${r.via}: ${r.reason}`),
    audit: lines.filter((l) => l.outcome !== 'rejected' && l.outcome !== 'requested' && l.outcome !== 'paused'),
    refusalLines:
      new Set(lines.filter((l) => l.outcome === 'rejected').map((l) => l.event_id)).size +
      lines.reduce((n, l) => n + (typeof l.refused_not_audited === 'number' ? l.refused_not_audited : 0), 0),
  };
  const explains = (s: Model): boolean => {
    const want = expectedEnd(item, id, s);
    const [line] = seenEnd.audit;
    return (
      sameJson(strip(seenEnd.result ?? {}), want.result) &&
      sameJson(seenEnd.state, want.state) &&
      seenEnd.rejected.length === want.rejected.length &&
      seenEnd.rejected.every((r, i) => r.startsWith('signal: ') && matchesRefusal(want.rejected[i]!, r.slice(8))) &&
      seenEnd.audit.length === 1 &&
      line!.action === want.audit.action &&
      line!.outcome === want.audit.outcome &&
      line!.actor === want.audit.actor &&
      seenEnd.refusalLines === want.rejected.length
    );
  };
  if (!states.some(explains)) {
    run.problems.push(
      `no model state explains the end\n      observed ${short(seenEnd)}\n      model allows ${short(states.map((s) => expectedEnd(item, id, s)))}`,
    );
    if (states.every(ended) && seenEnd.state.status === 'cancelled') run.lost++;
  }
  return run;
}

/** Runs one scenario: its items at the same time, each on a workflow of its own. */
async function runScenario(env: Env, items: Item[]): Promise<ItemRun[]> {
  const runs = await Promise.all(items.map((item) => runItem(env, item)));
  figures.runs++;
  for (const r of runs) {
    figures.items++;
    figures.operations += r.operations;
    figures.mismatches += r.problems.length ? r.problems.length - r.lost : 0;
    figures.lost += r.lost;
  }
  return runs;
}

/** Refused Updates are logged by the worker one by one (`decision refused`): thousands here. Counted, not printed. */
function quietRefusalLogs(): void {
  const logger = Runtime.instance().logger;
  const log = logger.log.bind(logger);
  logger.log = (level, message, meta) => {
    if (level === 'WARN' && /^(decision|resume) refused$/.test(message)) figures.refusalsLogged++;
    else log(level, message, meta);
  };
}

test(
  'model: random operations on pauses and approvals agree with the model; no lost decision, no failed task',
  { timeout: TIME_LIMIT_MS + SHRINK_MS + 120_000 },
  () =>
    withWorker(async (h) => {
      quietRefusalLogs();
      const extra = await Connection.connect({ address });
      try {
        const clients: [Client, Client] = [h.client, new Client({ connection: extra })];
        const cache = new Map<string, HitlClient>();
        const env: Env = {
          h,
          clients,
          hitl: (ws, conn) => {
            const key = `${conn}/${ws}`;
            let c = cache.get(key);
            if (!c) cache.set(key, (c = h.hitl(ws, conn === 0 ? {} : { client: clients[1] })));
            return c;
          },
        };
        const started = Date.now();
        // Past the time limit the remaining runs pass without running; once a run failed, shrinking gets SHRINK_MS more.
        let failedAt: number | undefined;
        let skipped = 0;
        const failures: string[] = [];
        const details = await fc.check(
          fc.asyncProperty(scenarioArb, async (items) => {
            if (failedAt === undefined ? Date.now() - started > TIME_LIMIT_MS : Date.now() - failedAt > SHRINK_MS) {
              skipped++;
              return true;
            }
            const runs = await runScenario(env, items);
            const bad = runs.filter((r) => r.problems.length);
            if (!bad.length) return true;
            failedAt ??= Date.now();
            const report = bad
              .map(
                (r) =>
                  `  ${r.item.kind} ${r.id} ${short({ ...r.item, steps: concreteSteps(r.item.steps) })}\n    ${r.problems.join('\n    ')}`,
              )
              .join('\n');
            failures.push(report);
            throw new Error(`model mismatch:\n${report}`);
          }),
          { seed: SEED, numRuns: NUM_RUNS, ...(REPLAY_PATH && { path: REPLAY_PATH }) },
        );
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        const f = figures;
        console.log(
          `[model] runs=${f.runs}, items=${f.items}, operations=${f.operations}, mismatches=${f.mismatches}, lost=${f.lost}` +
            ` (seed ${SEED}, ${seconds} s, ${skipped} runs skipped past the time limit; ${f.concurrentBatches} concurrent batches,` +
            ` ${f.accepted} Updates accepted, ${f.gone} operations found the workflow closed, ${f.cancelled} items cancelled,` +
            ` ${f.unhandledCommandRaces} UNHANDLED_COMMAND races ridden, ${f.refusalsLogged} refusal warnings muted)`,
        );
        if (details.failed) {
          console.log(`[model] first failing run:\n${failures[0] ?? ''}`);
          console.log(`[model] smallest failing run:\n${failures.at(-1) ?? ''}`);
          console.log(`[model] ${fc.defaultReportMessage(details) ?? ''}`);
          console.log(`[model] replay it: HITL_MODEL_SEED=${SEED} HITL_MODEL_PATH='${details.counterexamplePath ?? ''}'`);
        }
        assert.ok(f.runs > 0, 'no scenario ran');
        assert.deepEqual(
          { mismatches: f.mismatches, lost: f.lost, failed: details.failed },
          { mismatches: 0, lost: 0, failed: false },
          `model mismatches (seed ${SEED}); see [model] lines above`,
        );
      } finally {
        await extra.close();
      }
    }),
);
