import { continueAsNew, setCurrentDetails, setHandler, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
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
import { auditTrail, checkedTimeout, ending, isStrictRun, refusal, timeoutOf, waitFor } from './lifecycle.js';

/** One approval: notifies, waits for the first valid decision (or a quorum), the timeout or a cancel. */
export async function approvalWorkflow(input: ApprovalInput): Promise<ApprovalResult> {
  const strict = isStrictRun();
  const timeoutMs = strict ? checkedTimeout(input.timeout) : timeoutOf(input.timeout);
  const m = new ApprovalMachine(input, Date.now(), timeoutMs);
  const audit = auditTrail(
    {
      owner: input.owner,
      resource: input.action,
      traceId: input.approvalId,
      extra: { approval_id: input.approvalId, reason: input.reason },
    },
    strict,
  );
  audit.unaudited = input.continued?.unaudited ?? 0;

  setHandler(approvalStateQuery, () => m.state);
  // Strict runs store names as given, trimmed (checkDecision has checked that they are strings).
  const named = <T extends { decidedBy: string }>(d: T): T => (strict ? { ...d, decidedBy: d.decidedBy.trim() } : d);
  setHandler(decideUpdate, (d) => m.apply(named(d), Date.now()), {
    validator: (d) => {
      const why = checkDecision(m.state, input.argsSchema, d, strict);
      if (why !== undefined) throw refusal(FailureType.decisionRejected, 'decision', { approvalId: input.approvalId }, d, why);
    },
  });
  const bySignal = (decision: DecisionInput['decision']) => async (d: Omit<DecisionInput, 'decision'>) => {
    const full = strict && (typeof d !== 'object' || d === null || Array.isArray(d)) ? d : { ...d, decision };
    const why = checkDecision(m.state, input.argsSchema, full, strict);
    if (why === undefined) return void m.apply(named(full as DecisionInput), Date.now());
    m.reject(full as Partial<DecisionInput>, why, 'signal', Date.now());
    const by = (d as Partial<DecisionInput> | null)?.decidedBy;
    const ws = (d as Partial<DecisionInput> | null)?.workspaceId;
    await audit.refused('approve', typeof by === 'string' ? by.slice(0, strict ? 200 : undefined) : null, {
      caller_workspace: strict ? (typeof ws === 'string' ? ws.slice(0, 200) : '') : (ws ?? ''),
      decision,
      error: why,
    });
  };
  setHandler(approveSignal, bySignal('approved'));
  setHandler(denySignal, bySignal('denied'));

  if (!input.continued) {
    setCurrentDetails(`Waiting until ${m.state.deadline} for a decision on: ${input.action}`);
    await audit.fact('approve', 'requested', input.requestedBy ?? null, {
      channels: input.channels,
      ...(input.args && { args: input.args }),
    });
  }
  const ended = await waitFor(() => m.done, strict ? m.remainingMs(Date.now()) : timeoutMs, strict);
  if (ended === 'continue') {
    await ending(() => audit.settled());
    return continueAsNew<typeof approvalWorkflow>({ ...input, continued: { state: m.state, unaudited: audit.unaudited } });
  }
  if (ended === 'timeout') m.expire(Date.now());
  if (ended === 'cancelled') m.cancel(Date.now());

  return ending(async () => {
    const s = m.state;
    upsertSearchAttributes([{ key: HitlStatus, value: s.status }]);
    upsertMemo({ decided_by: s.decidedBy ?? null, decided_at: s.decidedAt ?? null, approved: m.result().approved });
    setCurrentDetails(`${s.status}${s.decidedBy ? ` by ${s.decidedBy}` : ''} at ${s.decidedAt}`);
    await audit.outcome('approve', m.outcome, s.decidedBy ?? null, {
      ...(s.message && { message: s.message }),
      ...(s.approvals.length > 0 && { approvers: s.approvals.map((v) => v.by) }),
      ...(s.editedArgs && { original_args: input.args ?? {}, edited_args: s.editedArgs }),
      ...(m.outcome === 'timeout' && { timeout_seconds: timeoutMs / 1000, on_timeout: input.onTimeout ?? 'deny' }),
      ...(audit.unaudited > 0 && { refused_not_audited: audit.unaudited }),
    });
    await audit.settled();
    return m.result();
  });
}
