import { msToNumber } from '@temporalio/common/lib/time.js';
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
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
import { LIMITS } from '../common/constants.js';
import { HitlStatus } from '../common/search-attributes.js';
import { isoAt, record } from './record.js';

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
        if (why !== undefined) throw ApplicationFailure.create({ type: 'ResumeRejected', message: why, nonRetryable: true });
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

  const resumed = await condition(() => state.status !== PauseStatus.paused, timeoutMs);
  if (!resumed) state.status = PauseStatus.timeout;
  state.endedAt = isoAt(Date.now());
  upsertSearchAttributes([{ key: HitlStatus, value: state.status }]);
  setCurrentDetails(resumed ? `Resumed by ${state.resumedBy} at ${state.endedAt}` : `Timed out at ${state.endedAt}`);

  const seconds = (timeoutMs / 1000).toFixed(0);
  const result: PauseResult = resumed
    ? { resumed: true, task_id: input.taskId, ...(state.message && { message: state.message }) }
    : { resumed: false, task_id: input.taskId, error: `Timed out after ${seconds}s waiting for resume signal` };
  await record(
    resumed
      ? event('resume', 'resumed', state.resumedBy ?? null, state.message ? { message: state.message } : undefined)
      : event('pause', 'timeout', null, { timeout_seconds: Number(seconds) }),
  );
  await condition(allHandlersFinished);
  return result;
}
