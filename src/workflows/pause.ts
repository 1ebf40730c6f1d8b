import { setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { FailureType } from '../common/constants.js';
import {
  checkResume,
  pauseStateQuery,
  PauseStatus,
  resumeSignal,
  resumeUpdate,
  type PauseInput,
  type PauseResult,
} from '../common/pause.js';
import { HitlStatus } from '../common/search-attributes.js';
import { auditTrail, ending, refusal, timeoutOf, waitFor } from './lifecycle.js';
import { PauseMachine } from './pause-machine.js';

/** One paused task: waits for a valid `resume` or its timeout, whichever comes first. */
export async function pauseWorkflow(input: PauseInput): Promise<PauseResult> {
  const timeoutMs = timeoutOf(input.timeout);
  const m = new PauseMachine(input, Date.now(), timeoutMs);
  const audit = auditTrail({ owner: input.owner, resource: input.taskId, traceId: input.taskId });

  setHandler(pauseStateQuery, () => m.state);
  setHandler(resumeUpdate, (req) => m.accept(req), {
    validator: (req) => {
      const why = checkResume(m.state, req);
      if (why !== undefined) throw refusal(FailureType.resumeRejected, 'resume', { taskId: input.taskId }, req, why);
    },
  });
  setHandler(resumeSignal, async (req) => {
    const why = checkResume(m.state, req);
    if (why === undefined) return void m.accept(req);
    const workspaceId = m.reject(req, why, 'signal', Date.now());
    await audit('resume', 'rejected', workspaceId || null, { caller_workspace: workspaceId, error: why });
  });

  setCurrentDetails(`Paused until ${m.state.deadline}: ${input.reason || '(no reason given)'}`);
  await audit('pause', 'paused', null, { reason: input.reason });
  const ended = await waitFor(() => m.done, timeoutMs);
  if (ended === 'timeout') m.expire();
  if (ended === 'cancelled') m.cancel();

  return ending(async () => {
    const s = m.state;
    m.end(Date.now());
    upsertSearchAttributes([{ key: HitlStatus, value: s.status }]);
    setCurrentDetails(`${s.status}${s.resumedBy ? ` by ${s.resumedBy}` : ''} at ${s.endedAt}`);
    if (s.status === PauseStatus.resumed)
      await audit('resume', 'resumed', s.resumedBy ?? null, s.message ? { message: s.message } : undefined);
    else await audit('pause', s.status, null, s.status === PauseStatus.timeout ? { timeout_seconds: m.timeoutSeconds } : undefined);
    return m.result();
  });
}
