/**
 * Hostile and racy inputs against a real dev server, each a finding of the reliability review reproduced before its fix
 * (the counts it logs as `[hostile] …` were 16–21 of 24 lost decisions, 3 of 3 wedged waits, … before the fix).
 * The workflows are reached through their wire names (signal/update/query names), as a non-TypeScript client would.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ConfigError, InputError, parseConfig } from '../src/index.js';
import { approvalWorkflowId, pauseWorkflowId } from '../src/workflow.js';
import { closeConnections, uid, waitPaused, waitPending, withWorker } from './helpers.js';

after(closeConnections);

const pauseId = pauseWorkflowId;
const approvalWfId = approvalWorkflowId;

const TIMED_OUT = Symbol('timed out');
/** `p`'s value, or TIMED_OUT after `ms`; `p` keeps running (its rejection is swallowed). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  p.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<typeof TIMED_OUT>((r) => (timer = setTimeout(() => r(TIMED_OUT), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Settles `p` into a small record: value, or the error's class, gRPC code and message chain. */
async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown; text: string }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    const parts: string[] = [];
    for (let e: unknown = error; e && parts.length < 4; e = (e as { cause?: unknown }).cause) {
      const code = (e as { code?: unknown }).code;
      parts.push(
        `${(e as Error).name ?? 'Error'}${code !== undefined ? `(code ${String(code)})` : ''}: ${(e as Error).message ?? String(e)}`,
      );
    }
    return { ok: false, error, text: parts.join(' <- ') };
  }
}

/** Best effort: ends a workflow a test left stuck so the worker can shut down quickly. */
async function terminate(client: Client, workflowId: string): Promise<void> {
  await client.workflow
    .getHandle(workflowId)
    .terminate('hostile.test cleanup')
    .catch(() => undefined);
}

/** Runs `fn(i)` for i in [0, n) with at most `width` at a time. */
async function inBatches<T>(n: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += width) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, k) => fn(i + k)))));
  }
  return out;
}

function report(name: string, failed: number, tries: number, samples: string[]): void {
  console.log(
    `[hostile] ${name}: ${failed} of ${tries} tries failed${samples.length ? `\n  e.g. ${samples.slice(0, 3).join('\n  e.g. ')}` : ''}`,
  );
}

/** A client answer as a settled value: a refusal (`success: false`) becomes an error carrying its text. */
function throwUnlessSuccess<T extends { success: boolean; error?: string }>(r: T): T {
  if (!r.success) throw new Error(r.error);
  return r;
}

/** A payload that claims to be JSON and is not: what a buggy (or hostile) non-TS client can send. */
async function signalRaw(client: Client, workflowId: string, signalName: string, data: string): Promise<void> {
  await client.workflowService.signalWorkflowExecution({
    namespace: client.options.namespace,
    workflowExecution: { workflowId },
    signalName,
    input: { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(data) }] },
    identity: 'hostile.test',
    requestId: randomUUID(),
  });
}

describe('(a) a valid decision racing refused Signals is never lost', () => {
  const TRIES = 24;
  /** When the three refused Signals leave, in ms after the valid Update: together, and spread over the decision's workflow task. */
  const STAGGER = [
    [0, 0, 0],
    [0, 5, 10],
    [5, 15, 30],
    [10, 30, 50],
  ];
  const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

  test('approval: `decide` Update + 3 `approve` Signals from another workspace', () =>
    withWorker(async ({ hitl, client, audit }) => {
      const ws = hitl('ws-a');
      const outcomes = await inBatches(TRIES, 4, async (i) => {
        const approvalId = uid('race-ap');
        const waiting = ws.requestApproval({ action: 'race', approvalId, timeout: '1m' });
        waiting.catch(() => undefined);
        await waitPending(client, approvalId);
        const handle = client.workflow.getHandle(approvalWfId(approvalId));
        const [update] = await Promise.all([
          // Through the library's client: a decision aborted by a racing task failure is retried under the same update id.
          settle(ws.decide(approvalId, { decision: 'approved', decidedBy: 'alice' }).then(throwUnlessSuccess)),
          ...STAGGER[i % STAGGER.length]!.map((ms, k) =>
            later(ms).then(() => handle.signal('approve', { workspaceId: 'ws-evil', decidedBy: `mallory-${k}` }).catch(() => undefined)),
          ),
        ]);
        const result = await within(waiting, 6_000);
        return { approvalId, update, result };
      });
      const failures: string[] = [];
      for (const { approvalId, update, result } of outcomes) {
        const granted = typeof result === 'object' && result.approved === true && result.decided_by === 'alice';
        const refusedAsDecided = !update.ok && /already decided/.test(update.text);
        if (update.ok && granted) continue;
        if (refusedAsDecided) continue;
        failures.push(
          `${approvalId}: update ${update.ok ? 'ok' : `failed: ${update.text}`}; caller ${result === TIMED_OUT ? 'still waiting after 6 s' : JSON.stringify(result)}`,
        );
        if (result === TIMED_OUT) await terminate(client, approvalWfId(approvalId));
      }
      // The audit log must not claim a grant that the caller never received, nor claim it twice.
      const lines = await audit();
      const auditLies: string[] = [];
      for (const { approvalId, result } of outcomes) {
        const grantedLines = lines.filter((l) => l.approval_id === approvalId && l.outcome === 'granted').length;
        const took = typeof result === 'object' && result.approved === true;
        if (grantedLines !== (took ? 1 : 0)) auditLies.push(`${approvalId}: ${grantedLines} 'granted' line(s), caller approved=${took}`);
      }
      report('(a) approval decide vs refused signals', failures.length, TRIES, failures);
      report('(a) approval audit lines that do not match the outcome', auditLies.length, TRIES, auditLies);
      assert.deepEqual(
        { lostDecisions: failures, auditLies },
        { lostDecisions: [], auditLies: [] },
        'every valid decide either takes effect (caller approved by alice) or is refused as "already decided"; the audit log matches',
      );
    }));

  test('pause: `resume` Update + 3 `resume` Signals from another workspace', () =>
    withWorker(async ({ hitl, client, audit }) => {
      const ws = hitl('ws-a');
      const outcomes = await inBatches(TRIES, 4, async (i) => {
        const taskId = uid('race-p');
        const paused = ws.pauseTask(taskId, 'race', { timeout: '1m' });
        paused.catch(() => undefined);
        await waitPaused(client, taskId);
        const handle = client.workflow.getHandle(pauseId(taskId));
        const [update] = await Promise.all([
          settle(ws.resumeTask(taskId, 'go').then(throwUnlessSuccess)),
          ...STAGGER[i % STAGGER.length]!.map((ms, k) =>
            later(ms).then(() => handle.signal('resume', { workspaceId: 'ws-evil', message: `evil-${k}` }).catch(() => undefined)),
          ),
        ]);
        const result = await within(paused, 6_000);
        return { taskId, update, result };
      });
      const failures: string[] = [];
      for (const { taskId, update, result } of outcomes) {
        const resumed = typeof result === 'object' && result.resumed === true && (result as { message?: string }).message === 'go';
        const refusedAsDone = !update.ok && /already resumed/.test(update.text);
        if ((update.ok && resumed) || refusedAsDone) continue;
        failures.push(
          `${taskId}: update ${update.ok ? 'ok' : `failed: ${update.text}`}; caller ${result === TIMED_OUT ? 'still waiting after 6 s' : JSON.stringify(result)}`,
        );
        if (result === TIMED_OUT) await terminate(client, pauseId(taskId));
      }
      const lines = await audit();
      const auditLies: string[] = [];
      for (const { taskId, result } of outcomes) {
        const resumedLines = lines.filter((l) => l.resource === taskId && l.outcome === 'resumed').length;
        const took = typeof result === 'object' && result.resumed === true;
        if (resumedLines !== (took ? 1 : 0)) {
          auditLies.push(
            `${taskId}: ${resumedLines} 'resumed' line(s), caller resumed=${took}: ${JSON.stringify(lines.filter((l) => l.resource === taskId))}`,
          );
        }
      }
      report('(a) pause resume-update vs refused signals', failures.length, TRIES, failures);
      report('(a) pause audit lines that do not match the outcome', auditLies.length, TRIES, auditLies);
      assert.deepEqual(
        { lostResumes: failures, auditLies },
        { lostResumes: [], auditLies: [] },
        'every valid resume either takes effect (caller resumed with its message) or is refused as "already resumed"; the audit log matches',
      );
    }));
});

describe('(b) an undecodable Signal payload does not wedge the workflow', () => {
  const TRIES = 3;

  test('pause: a `resume` Signal with non-JSON `json/plain` data, then a valid resume', () =>
    withWorker(async ({ hitl, client }) => {
      const failures: string[] = [];
      for (let i = 0; i < TRIES; i++) {
        const taskId = uid('garbled-p');
        const paused = hitl('ws-a').pauseTask(taskId, 'garbled', { timeout: '1m' });
        paused.catch(() => undefined);
        await waitPaused(client, taskId);
        await signalRaw(client, pauseId(taskId), 'resume', '{not json');
        const update = await within(
          settle(client.workflow.getHandle(pauseId(taskId)).executeUpdate('resume', { args: [{ workspaceId: 'ws-a', message: 'real' }] })),
          6_000,
        );
        const result = await within(paused, 4_000);
        const ok = update !== TIMED_OUT && update.ok && typeof result === 'object' && result.resumed === true;
        if (!ok) {
          failures.push(
            `${taskId}: update ${update === TIMED_OUT ? 'no answer in 6 s' : update.ok ? 'ok' : update.text}; caller ${result === TIMED_OUT ? 'still waiting' : JSON.stringify(result)}`,
          );
          await terminate(client, pauseId(taskId));
        }
      }
      report('(b) pause after a garbled resume signal', failures.length, TRIES, failures);
      assert.deepEqual(
        failures,
        [],
        'after a garbled Signal the pause stays answerable: a valid resume succeeds and the caller gets resumed:true',
      );
    }));

  test('approval: an `approve` Signal with non-JSON `json/plain` data, then a valid decide', () =>
    withWorker(async ({ hitl, client }) => {
      const failures: string[] = [];
      for (let i = 0; i < TRIES; i++) {
        const approvalId = uid('garbled-ap');
        const waiting = hitl('ws-a').requestApproval({ action: 'x', approvalId, timeout: '1m' });
        waiting.catch(() => undefined);
        await waitPending(client, approvalId);
        await signalRaw(client, approvalWfId(approvalId), 'approve', '{not json');
        const update = await within(
          settle(
            client.workflow
              .getHandle(approvalWfId(approvalId))
              .executeUpdate('decide', { args: [{ workspaceId: 'ws-a', decision: 'approved', decidedBy: 'alice' }] }),
          ),
          6_000,
        );
        const result = await within(waiting, 4_000);
        const ok = update !== TIMED_OUT && update.ok && typeof result === 'object' && result.approved === true;
        if (!ok) {
          failures.push(
            `${approvalId}: update ${update === TIMED_OUT ? 'no answer in 6 s' : update.ok ? 'ok' : update.text}; caller ${result === TIMED_OUT ? 'still waiting' : JSON.stringify(result)}`,
          );
          await terminate(client, approvalWfId(approvalId));
        }
      }
      report('(b) approval after a garbled approve signal', failures.length, TRIES, failures);
      assert.deepEqual(
        failures,
        [],
        'after a garbled Signal the approval stays answerable: a valid decide succeeds and the caller gets approved:true',
      );
    }));
});

describe('(c) absurd timeouts are refused at the call', () => {
  const absurd: Array<[string, string | number]> = [
    ["'300000y'", '300000y'],
    ['1e300', 1e300],
  ];
  const isTimeoutInputError = (e: unknown) => e instanceof InputError && e.field === 'timeout';

  test('pauseTask and requestApproval refuse them with an InputError naming `timeout`', () =>
    withWorker(async ({ hitl, client }) => {
      const failures: string[] = [];
      for (const [label, timeout] of absurd) {
        const taskId = uid('absurd-p');
        const p = await within(settle(hitl('ws-a').pauseTask(taskId, 'r', { timeout: timeout as '1s' })), 4_000);
        if (p === TIMED_OUT || p.ok || !isTimeoutInputError(p.error)) {
          failures.push(
            `pauseTask timeout ${label}: ${p === TIMED_OUT ? 'accepted; the call still waits after 4 s' : p.ok ? JSON.stringify(p.value) : p.text}`,
          );
          await terminate(client, pauseId(taskId));
        }
        const approvalId = uid('absurd-ap');
        const a = await within(settle(hitl('ws-a').requestApproval({ action: 'x', approvalId, timeout: timeout as '1s' })), 4_000);
        if (a === TIMED_OUT || a.ok || !isTimeoutInputError(a.error)) {
          failures.push(
            `requestApproval timeout ${label}: ${a === TIMED_OUT ? 'accepted; the call still waits after 4 s' : a.ok ? JSON.stringify(a.value) : a.text}`,
          );
          await terminate(client, approvalWfId(approvalId));
        }
      }
      report('(c) absurd call timeouts', failures.length, absurd.length * 2, failures);
      assert.deepEqual(failures, [], 'an absurd timeout is an InputError on `timeout`, nothing is started');
    }));

  test('parseConfig refuses hitl.default_timeout: 1e13 with a ConfigError', () => {
    const r = (() => {
      try {
        return parseConfig({ hitl: { default_timeout: 1e13 } }, {});
      } catch (e) {
        return e;
      }
    })();
    const ok = r instanceof ConfigError && r.key === 'hitl.default_timeout';
    report(
      '(c) parseConfig default_timeout 1e13',
      ok ? 0 : 1,
      1,
      ok ? [] : [`returned ${r instanceof Error ? r.message : JSON.stringify(r)}`],
    );
    assert.ok(
      ok,
      `default_timeout: 1e13 seconds must be a ConfigError on hitl.default_timeout, got ${r instanceof Error ? r.message : JSON.stringify(r)}`,
    );
  });
});

describe('(d) identity fields are checked', () => {
  const refusal = (e: unknown) => e instanceof WorkflowUpdateFailedError;

  test('decide with a 1.2 MB decidedBy is refused; the approval stays pending', () =>
    withWorker(async ({ hitl, client }) => {
      const approvalId = uid('big');
      const waiting = hitl('ws-a').requestApproval({ action: 'x', approvalId, timeout: '1m' });
      waiting.catch(() => undefined);
      await waitPending(client, approvalId);
      const handle = client.workflow.getHandle(approvalWfId(approvalId));
      const r = await settle(
        handle.executeUpdate('decide', { args: [{ workspaceId: 'ws-a', decision: 'approved', decidedBy: 'x'.repeat(1_200_000) }] }),
      );
      const ok = !r.ok && refusal(r.error) && /decidedBy/.test(r.text);
      report('(d) 1.2 MB decidedBy', ok ? 0 : 1, 1, ok ? [] : [r.ok ? `accepted: ${JSON.stringify(r.value)}` : r.text.slice(0, 300)]);
      await terminate(client, approvalWfId(approvalId));
      assert.ok(
        ok,
        `a 1.2 MB decidedBy must be refused by the validator naming decidedBy; got ${r.ok ? 'accepted' : r.text.slice(0, 200)}`,
      );
    }));

  test('decide with decidedBy: 42 (a number) is refused', () =>
    withWorker(async ({ hitl, client }) => {
      const approvalId = uid('num');
      const waiting = hitl('ws-a').requestApproval({ action: 'x', approvalId, timeout: '1m' });
      waiting.catch(() => undefined);
      await waitPending(client, approvalId);
      const handle = client.workflow.getHandle(approvalWfId(approvalId));
      const r = await settle(handle.executeUpdate('decide', { args: [{ workspaceId: 'ws-a', decision: 'approved', decidedBy: 42 }] }));
      const ok = !r.ok && refusal(r.error);
      report('(d) decidedBy 42', ok ? 0 : 1, 1, ok ? [] : [r.ok ? `accepted: ${JSON.stringify(r.value)}` : r.text]);
      await terminate(client, approvalWfId(approvalId));
      assert.ok(ok, 'decidedBy must be a string');
    }));

  test("four-eyes: requestedBy 42 cannot be decided by '42' (or is refused at the call)", () =>
    withWorker(async ({ hitl, client }) => {
      const ws = hitl('ws-a', { config: parseConfig({ hitl: { four_eyes: true } }, {}) });
      const approvalId = uid('fe42');
      const waiting = ws.requestApproval({ action: 'x', approvalId, requestedBy: 42 as unknown as string, timeout: '1m' });
      waiting.catch(() => undefined);
      const early = await within(settle(waiting), 1_500);
      let outcome: string;
      let ok: boolean;
      if (early !== TIMED_OUT && !early.ok) {
        ok = early.error instanceof InputError && early.error.field === 'requestedBy';
        outcome = `requestApproval threw ${early.text}`;
      } else {
        await waitPending(client, approvalId);
        const r = await settle(
          client.workflow
            .getHandle(approvalWfId(approvalId))
            .executeUpdate('decide', { args: [{ workspaceId: 'ws-a', decision: 'approved', decidedBy: '42' }] }),
        );
        ok = !r.ok && refusal(r.error) && /four-eyes/.test(r.text);
        outcome = r.ok ? `'42' approved their own request: ${JSON.stringify(r.value)}` : r.text;
      }
      report("(d) four-eyes requestedBy 42 vs '42'", ok ? 0 : 1, 1, ok ? [] : [outcome]);
      await terminate(client, approvalWfId(approvalId));
      assert.ok(ok, `requestedBy 42 must be refused at the call (InputError requestedBy) or '42' refused by four-eyes; ${outcome}`);
    }));

  test("four-eyes: 'bob' asked, 'Bob' may not decide", () =>
    withWorker(async ({ hitl, client }) => {
      const ws = hitl('ws-a', { config: parseConfig({ hitl: { four_eyes: true } }, {}) });
      const approvalId = uid('febob');
      const waiting = ws.requestApproval({ action: 'x', approvalId, requestedBy: 'bob', timeout: '1m' });
      waiting.catch(() => undefined);
      await waitPending(client, approvalId);
      const r = await settle(
        client.workflow
          .getHandle(approvalWfId(approvalId))
          .executeUpdate('decide', { args: [{ workspaceId: 'ws-a', decision: 'approved', decidedBy: 'Bob' }] }),
      );
      const ok = !r.ok && refusal(r.error) && /four-eyes/.test(r.text);
      report(
        "(d) four-eyes 'bob' vs 'Bob'",
        ok ? 0 : 1,
        1,
        ok ? [] : [r.ok ? `'Bob' approved bob's request: ${JSON.stringify(r.value)}` : r.text],
      );
      await terminate(client, approvalWfId(approvalId));
      assert.ok(ok, "under four-eyes 'Bob' is the requester 'bob' and must be refused");
    }));
});

describe('(e) a joiner racing a resume gets the same answer', () => {
  const TRIES = 20;

  test('a second pauseTask sent while the resume is in flight (before anyone saw its answer) gets the same resumed answer', () =>
    withWorker(async ({ hitl, client }) => {
      const ws = hitl('ws-a');
      const failures: string[] = [];
      let eligible = 0;
      for (let i = 0; i < TRIES; i++) {
        const taskId = uid('join');
        let firstAnswered = false;
        const first = ws.pauseTask(taskId, 'first', { timeout: '1m' });
        first.then(
          () => (firstAnswered = true),
          () => undefined,
        );
        await waitPaused(client, taskId);
        let answered = false;
        const resume = settle(
          client.workflow.getHandle(pauseId(taskId)).executeUpdate('resume', { args: [{ workspaceId: 'ws-a', message: 'both' }] }),
        ).finally(() => (answered = true));
        // Land the join around the moment the resume takes effect (a resume round trip is ~20-100 ms here).
        await new Promise((r) => setTimeout(r, 10 + (i % 5) * 10));
        // Answered already (to the resumer, or to the first caller: this client has seen the answer): a pause from here
        // on is a new pause, rightly; not this test's race.
        if (answered || firstAnswered) {
          await resume;
          await first;
          continue;
        }
        eligible++;
        const second = ws.pauseTask(taskId, 'second', { timeout: '1m' });
        second.catch(() => undefined);
        const r = await resume;
        const a = await within(first, 5_000);
        const b = await within(second, 5_000);
        const expected = { resumed: true, task_id: taskId, message: 'both' };
        const same = (x: unknown) => x !== TIMED_OUT && JSON.stringify(x) === JSON.stringify(expected);
        if (!r.ok || !same(a) || !same(b)) {
          failures.push(
            `${taskId} (joined ${10 + (i % 5) * 10} ms after the resume was sent): resume ${r.ok ? 'ok' : r.text}; first ${a === TIMED_OUT ? 'waiting' : JSON.stringify(a)}; second ${b === TIMED_OUT ? 'still waiting after 5 s: it started a new pause' : JSON.stringify(b)}`,
          );
          await terminate(client, pauseId(taskId));
        }
      }
      report(
        '(e) joiner racing a resume (tries where the join was sent before any caller saw the answer)',
        failures.length,
        eligible,
        failures,
      );
      assert.ok(eligible > 0, 'no try sent the join while the resume was in flight; tune the delays');
      assert.deepEqual(failures, [], 'a caller that joins while the resume is in flight gets the same resumed answer, not a new pause');
    }));
});
