import { setCurrentDetails, setHandler, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
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
import { FailureType } from '../common/constants.js';
import { HitlStatus } from '../common/search-attributes.js';
import { ApprovalMachine } from './approval-machine.js';
import { auditTrail, ending, refusal, timeoutOf, waitFor } from './lifecycle.js';

/** One approval: notifies, waits for the first valid decision (or a quorum), the timeout or a cancel. */
export async function approvalWorkflow(input: ApprovalInput): Promise<ApprovalResult> {
  const timeoutMs = timeoutOf(input.timeout);
  const m = new ApprovalMachine(input, Date.now(), timeoutMs);
  const audit = auditTrail({
    owner: input.owner,
    resource: input.action,
    traceId: input.approvalId,
    extra: { approval_id: input.approvalId, reason: input.reason },
  });

  setHandler(approvalStateQuery, () => m.state);
  setHandler(decideUpdate, (d) => m.apply(d, Date.now()), {
    validator: (d) => {
      const why = checkDecision(m.state, input.argsSchema, d);
      if (why !== undefined) throw refusal(FailureType.decisionRejected, 'decision', { approvalId: input.approvalId }, d, why);
    },
  });
  const bySignal = (decision: DecisionInput['decision']) => async (d: Omit<DecisionInput, 'decision'>) => {
    const full = { ...d, decision };
    const why = checkDecision(m.state, input.argsSchema, full);
    if (why === undefined) return void m.apply(full, Date.now());
    m.reject(full, why, 'signal', Date.now());
    await audit('approve', 'rejected', typeof d?.decidedBy === 'string' ? d.decidedBy : null, {
      caller_workspace: d?.workspaceId ?? '',
      decision,
      error: why,
    });
  };
  setHandler(approveSignal, bySignal('approved'));
  setHandler(denySignal, bySignal('denied'));

  setCurrentDetails(`Waiting until ${m.state.deadline} for a decision on: ${input.action}`);
  await audit('approve', 'requested', input.requestedBy ?? null, { channels: input.channels, ...(input.args && { args: input.args }) });
  const ended = await waitFor(() => m.done, timeoutMs);
  if (ended === 'timeout') m.expire(Date.now());
  if (ended === 'cancelled') m.cancel(Date.now());

  return ending(async () => {
    const s = m.state;
    upsertSearchAttributes([{ key: HitlStatus, value: s.status }]);
    upsertMemo({ decided_by: s.decidedBy ?? null, decided_at: s.decidedAt ?? null, approved: m.result().approved });
    setCurrentDetails(`${s.status}${s.decidedBy ? ` by ${s.decidedBy}` : ''} at ${s.decidedAt}`);
    await audit('approve', m.outcome, s.decidedBy ?? null, {
      ...(s.message && { message: s.message }),
      ...(s.approvals.length > 0 && { approvers: s.approvals.map((v) => v.by) }),
      ...(s.editedArgs && { original_args: input.args ?? {}, edited_args: s.editedArgs }),
      ...(m.outcome === 'timeout' && { timeout_seconds: timeoutMs / 1000, on_timeout: input.onTimeout ?? 'deny' }),
    });
    return m.result();
  });
}
