import { msToNumber } from '@temporalio/common/lib/time.js';
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { AuditEvent } from '../common/audit-event.js';
import {
  checkResume,
  pauseStateQuery,
  PauseStatus,
  resumeSignal,
  resumeUpdate,
  type PauseInput,
  type PauseResult,
  type PauseState,
  type ResumeInput,
} from '../common/pause.js';
import { isoAt, LIMITS } from '../common/constants.js';
import { HitlStatus } from '../common/search-attributes.js';
import { record } from './record.js';

/** One paused task: waits for a valid `resume` or its timeout, whichever comes first. */
export async function pauseWorkflow(input: PauseInput): Promise<PauseResult> {
  const timeoutMs = msToNumber(input.timeout);
  const start = Date.now();
  const state: PauseState = {
    taskId: input.taskId,
    owner: input.owner,
    reason: input.reason,
    status: PauseStatus.paused,
    pausedAt: isoAt(start),
    deadline: isoAt(start + timeoutMs),
    rejected: [],
  };
  const event = (action: string, outcome: string, actor: string | null, extra?: Record<string, unknown>): AuditEvent => ({
    event_type: 'hitl',
    workspace_id: input.owner,
    actor,
    action,
    resource: input.taskId,
    outcome,
    trace_id: input.taskId,
    ...(extra && { extra }),
  });
  const accept = (req: ResumeInput): void => {
    state.status = PauseStatus.resumed;
    state.resumedBy = req.resumedBy ?? req.workspaceId;
    if (req.message) state.message = req.message;
  };

  setHandler(pauseStateQuery, () => state);
  setHandler(
    resumeUpdate,
    (req) => {
      accept(req);
      return { success: true, task_id: input.taskId };
    },
    {
      validator: (req) => {
        const why = checkResume(state, req);
        if (why === undefined) return;
        // A refused Update leaves no trace in history; the worker log keeps one (e.g. a cross-workspace attempt, #265).
        log.warn('resume refused', { taskId: input.taskId, callerWorkspace: (req as { workspaceId?: unknown })?.workspaceId, reason: why });
        throw ApplicationFailure.create({ type: 'ResumeRejected', message: why, nonRetryable: true });
      },
    },
  );
  setHandler(resumeSignal, async (req) => {
    const why = checkResume(state, req);
    if (why === undefined) return accept(req);
    const workspaceId = typeof req?.workspaceId === 'string' ? req.workspaceId : '';
    state.rejected.push({ at: isoAt(Date.now()), workspaceId, reason: why, via: 'signal' });
    if (state.rejected.length > LIMITS.rejectedAttemptsKept) state.rejected.shift();
    await record(event('resume', 'rejected', workspaceId || null, { caller_workspace: workspaceId, error: why }));
  });

  setCurrentDetails(`Paused until ${state.deadline}: ${input.reason || '(no reason given)'}`);
  await record(event('pause', 'paused', null, { reason: input.reason }));

  try {
    if (!(await condition(() => state.status !== PauseStatus.paused, timeoutMs))) state.status = PauseStatus.timeout;
  } catch (err) {
    if (!isCancellation(err)) throw err;
    if (state.status === PauseStatus.paused) state.status = PauseStatus.cancelled; // a resume accepted first stands
  }
  return CancellationScope.nonCancellable(async () => {
    state.endedAt = isoAt(Date.now());
    upsertSearchAttributes([{ key: HitlStatus, value: state.status }]);
    setCurrentDetails(`${state.status}${state.resumedBy ? ` by ${state.resumedBy}` : ''} at ${state.endedAt}`);
    const seconds = (timeoutMs / 1000).toFixed(0);
    await record(
      state.status === PauseStatus.resumed
        ? event('resume', 'resumed', state.resumedBy ?? null, state.message ? { message: state.message } : undefined)
        : event('pause', state.status, null, state.status === PauseStatus.timeout ? { timeout_seconds: Number(seconds) } : undefined),
    );
    await condition(allHandlersFinished);
    const { taskId } = input;
    if (state.status === PauseStatus.resumed) return { resumed: true, task_id: taskId, ...(state.message && { message: state.message }) };
    if (state.status === PauseStatus.cancelled) return { resumed: false, task_id: taskId, error: 'Pause was cancelled before a resume' };
    return { resumed: false, task_id: taskId, error: `Timed out after ${seconds}s waiting for resume signal` };
  });
}
