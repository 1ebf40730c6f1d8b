import { continueAsNew, patched, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { FailureType } from '../common/constants.js';
import {
  checkResume,
  pauseStateQuery,
  PauseStatus,
  resumeSignal,
  resumeUpdate,
  type PauseInput,
  type PauseResult,
  type ResumeInput,
  waitForResumeUpdate,
} from '../common/pause.js';
import { HitlStatus } from '../common/search-attributes.js';
import { answerWaiters, auditTrail, checkedTimeout, ending, isStrictRun, refusal, timeoutOf, waitFor } from './lifecycle.js';
import { Notifier, notifies, windowOf } from './notifications.js';
import { PauseMachine } from './pause-machine.js';

/** One paused task: waits for a valid `resume` or its timeout, whichever comes first. */
export async function pauseWorkflow(input: PauseInput): Promise<PauseResult> {
  const strict = isStrictRun();
  // Runs from here on answer waiting callers by Update as soon as the decision is committed; their start line is not
  // awaited, so nothing on the way to the wait depends on when a local activity resolves.
  const early = strict && patched('hitl-4-answer-early');
  const timeoutMs = strict ? checkedTimeout(input.timeout) : timeoutOf(input.timeout);
  const m = new PauseMachine(input, Date.now(), timeoutMs);
  const audit = auditTrail({ owner: input.owner, resource: input.taskId, traceId: input.taskId }, strict);
  audit.unaudited = input.continued?.unaudited ?? 0;

  setHandler(pauseStateQuery, () => m.state);
  let continuing = false;
  if (early)
    answerWaiters(
      waitForResumeUpdate,
      input.owner,
      () => (m.done ? m.result() : undefined),
      () => continuing,
    );
  // Strict runs store names as given, trimmed (checkResume has checked that they are strings).
  const named = (req: ResumeInput): ResumeInput =>
    strict && req.resumedBy !== undefined ? { ...req, resumedBy: req.resumedBy.trim() } : req;
  setHandler(resumeUpdate, (req) => m.accept(named(req)), {
    validator: (req) => {
      const why = checkResume(m.state, req, strict);
      if (why !== undefined) throw refusal(FailureType.resumeRejected, 'resume', { taskId: input.taskId }, req, why);
    },
  });
  setHandler(resumeSignal, async (req) => {
    const why = checkResume(m.state, req, strict);
    if (why === undefined) return void m.accept(named(req));
    const workspaceId = m.reject(req, why, 'signal', Date.now());
    await audit.refused('resume', workspaceId || null, { caller_workspace: workspaceId, error: why });
  });

  if (!input.continued) {
    setCurrentDetails(`Paused until ${m.state.deadline}: ${input.reason || '(no reason given)'}`);
    const started = audit.fact('pause', 'paused', null, { reason: input.reason });
    if (!early) await started;
  }
  const notifier = notifies(input.notify)
    ? new Notifier(
        input.notify,
        input.taskId,
        () => ({
          kind: 'pause',
          taskId: input.taskId,
          reason: input.reason,
          owner: input.owner,
          createdAt: m.state.pausedAt,
          deadline: m.state.deadline,
        }),
        m.state,
        windowOf(m.state.pausedAt, m.state.deadline),
        (d) => audit.fact('notify', 'failed', null, { channel: d.channel, message_kind: d.kind, error: d.error }),
      )
    : undefined;
  notifier?.start();
  const ended = await waitFor(() => m.done, strict ? m.remainingMs(Date.now()) : timeoutMs, strict);
  if (ended === 'continue') {
    continuing = true;
    await ending(() => audit.settled());
    return continueAsNew<typeof pauseWorkflow>({ ...input, continued: { state: m.state, unaudited: audit.unaudited } });
  }
  if (ended === 'timeout') m.expire();
  if (ended === 'cancelled') m.cancel();

  return ending(async () => {
    const s = m.state;
    m.end(Date.now());
    upsertSearchAttributes([{ key: HitlStatus, value: s.status }]);
    setCurrentDetails(`${s.status}${s.resumedBy ? ` by ${s.resumedBy}` : ''} at ${s.endedAt}`);
    const unaudited = audit.unaudited > 0 ? { refused_not_audited: audit.unaudited } : {};
    const told = notifier?.finish({
      status: s.status,
      ...(s.resumedBy && { decidedBy: s.resumedBy }),
      ...(s.endedAt && { decidedAt: s.endedAt }),
      ...(s.message && { message: s.message }),
    });
    if (s.status === PauseStatus.resumed) {
      await audit.outcome(
        'resume',
        'resumed',
        s.resumedBy ?? null,
        s.message || audit.unaudited ? { ...(s.message && { message: s.message }), ...unaudited } : undefined,
      );
    } else {
      await audit.outcome(
        'pause',
        s.status,
        null,
        s.status === PauseStatus.timeout ? { timeout_seconds: m.timeoutSeconds, ...unaudited } : audit.unaudited ? unaudited : undefined,
      );
    }
    await told;
    await audit.settled();
    return m.result();
  });
}
