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
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import {
  approvalStateQuery,
  approveSignal,
  checkDecision,
  decideUpdate,
  denySignal,
  type ApprovalInput,
  type ApprovalResult,
  type DecisionInput,
} from '../common/approval.js';
import { HitlStatus } from '../common/search-attributes.js';
import { ApprovalMachine } from './approval-machine.js';
import { record } from './record.js';

/** One approval: notifies, waits for the first valid decision (or a quorum), the timeout or a cancel. */
export async function approvalWorkflow(input: ApprovalInput): Promise<ApprovalResult> {
  const timeoutMs = msToNumber(input.timeout);
  const m = new ApprovalMachine(input, Date.now(), timeoutMs);
  const audit = (outcome: string, actor: string | null, extra: Record<string, unknown> = {}) =>
    record({
      event_type: 'hitl',
      workspace_id: input.owner,
      actor,
      action: 'approve',
      resource: input.action,
      outcome,
      trace_id: input.approvalId,
      extra: { approval_id: input.approvalId, reason: input.reason, ...extra },
    });
  const refuse = (why: string, d: unknown) => {
    // A refused Update leaves no trace in history; the worker log keeps one (e.g. a cross-workspace attempt, #265).
    log.warn('decision refused', {
      approvalId: input.approvalId,
      callerWorkspace: (d as { workspaceId?: unknown })?.workspaceId,
      reason: why,
    });
    return ApplicationFailure.create({ type: 'DecisionRejected', message: why, nonRetryable: true });
  };

  setHandler(approvalStateQuery, () => m.state);
  setHandler(decideUpdate, (d) => m.apply(d, Date.now()), {
    validator: (d) => {
      const why = checkDecision(m.state, input.argsSchema, d);
      if (why !== undefined) throw refuse(why, d);
    },
  });
  const bySignal = (decision: DecisionInput['decision']) => async (d: Omit<DecisionInput, 'decision'>) => {
    const full = { ...d, decision };
    const why = checkDecision(m.state, input.argsSchema, full);
    if (why === undefined) return void m.apply(full, Date.now());
    m.reject(full, why, 'signal', Date.now());
    await audit('rejected', typeof d?.decidedBy === 'string' ? d.decidedBy : null, {
      caller_workspace: d?.workspaceId ?? '',
      decision,
      error: why,
    });
  };
  setHandler(approveSignal, bySignal('approved'));
  setHandler(denySignal, bySignal('denied'));

  setCurrentDetails(`Waiting until ${m.state.deadline} for a decision on: ${input.action}`);
  await audit('requested', input.requestedBy ?? null, { channels: input.channels, ...(input.args && { args: input.args }) });
  try {
    if (!(await condition(() => m.done, timeoutMs))) m.expire(Date.now());
  } catch (err) {
    if (!isCancellation(err)) throw err;
    if (!m.done) m.cancel(Date.now()); // a decision accepted before the cancel stands
  }

  return CancellationScope.nonCancellable(async () => {
    const s = m.state;
    upsertSearchAttributes([{ key: HitlStatus, value: s.status }]);
    upsertMemo({ decided_by: s.decidedBy ?? null, decided_at: s.decidedAt ?? null, approved: m.result().approved });
    setCurrentDetails(`${s.status}${s.decidedBy ? ` by ${s.decidedBy}` : ''} at ${s.decidedAt}`);
    await audit(m.outcome, s.decidedBy ?? null, {
      ...(s.message && { message: s.message }),
      ...(s.approvals.length > 0 && { approvers: s.approvals.map((v) => v.by) }),
      ...(s.editedArgs && { original_args: input.args ?? {}, edited_args: s.editedArgs }),
      ...(m.outcome === 'timeout' && { timeout_seconds: timeoutMs / 1000, on_timeout: input.onTimeout ?? 'deny' }),
    });
    await condition(allHandlersFinished);
    return m.result();
  });
}
