import { continueAsNew, patched, setCurrentDetails, setHandler, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import {
  approvalStateQuery,
  approveSignal,
  checkDecision,
  decideUpdate,
  denySignal,
  type ApprovalInput,
  type ApprovalResult,
  type DecisionInput,
  waitForDecisionUpdate,
} from '../common/approval.js';
import { FailureType } from '../common/constants.js';
import { HitlStatus } from '../common/search-attributes.js';
import { ApprovalMachine } from './approval-machine.js';
import { answerWaiters, auditTrail, checkedTimeout, ending, isStrictRun, refusal, timeoutOf, waitFor } from './lifecycle.js';
import { Notifier, notifies, windowOf } from './notifications.js';

/** One approval: notifies, waits for the first valid decision (or a quorum), the timeout or a cancel. */
export async function approvalWorkflow(input: ApprovalInput): Promise<ApprovalResult> {
  const strict = isStrictRun();
  // Runs from here on answer waiting callers by Update as soon as the decision is committed; their start line is not
  // awaited, so nothing on the way to the wait depends on when a local activity resolves.
  const early = strict && patched('hitl-4-answer-early');
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
  let continuing = false;
  if (early)
    answerWaiters(
      waitForDecisionUpdate,
      input.owner,
      () => (m.done ? m.result() : undefined),
      () => continuing,
    );
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
  // A decision made on the agent platform's dashboard, read back by the mirror's watcher: checked like any other.
  const fromPlatform = (p: { decision: DecisionInput['decision']; decidedBy: string; message?: string }) => {
    const d: DecisionInput = {
      workspaceId: input.owner,
      decision: p.decision,
      decidedBy: `platform:${String(p.decidedBy)}`.slice(0, 200),
      ...(typeof p.message === 'string' && { message: p.message }),
    };
    const why = checkDecision(m.state, input.argsSchema, d, strict);
    if (why === undefined) m.apply(named(d), Date.now());
    else m.reject(d, why, 'platform', Date.now());
  };

  if (!input.continued) {
    setCurrentDetails(`Waiting until ${m.state.deadline} for a decision on: ${input.action}`);
    const started = audit.fact('approve', 'requested', input.requestedBy ?? null, {
      channels: input.channels,
      ...(input.args && { args: input.args }),
    });
    if (!early) await started;
  }
  const notifier = notifies(input.notify)
    ? new Notifier(
        input.notify,
        input.approvalId,
        () => ({
          kind: 'approval',
          approvalId: input.approvalId,
          action: input.action,
          reason: input.reason,
          owner: input.owner,
          ...(input.requestedBy && { requestedBy: input.requestedBy }),
          ...(input.taskId && { taskId: input.taskId }),
          ...(m.state.args && { args: m.state.editedArgs ?? m.state.args }),
          createdAt: m.state.createdAt,
          deadline: m.state.deadline,
          requiredApprovals: m.state.requiredApprovals,
        }),
        m.state,
        windowOf(m.state.createdAt, m.state.deadline),
        (d) => audit.fact('notify', 'failed', null, { channel: d.channel, message_kind: d.kind, error: d.error }),
        fromPlatform,
      )
    : undefined;
  notifier?.start();
  const ended = await waitFor(() => m.done, strict ? m.remainingMs(Date.now()) : timeoutMs, strict);
  if (ended === 'continue') {
    continuing = true;
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
    await Promise.all([
      audit.outcome('approve', m.outcome, s.decidedBy ?? null, {
        ...(s.message && { message: s.message }),
        ...(s.approvals.length > 0 && { approvers: s.approvals.map((v) => v.by) }),
        ...(s.editedArgs && { original_args: input.args ?? {}, edited_args: s.editedArgs }),
        ...(m.outcome === 'timeout' && { timeout_seconds: timeoutMs / 1000, on_timeout: input.onTimeout ?? 'deny' }),
        ...(audit.unaudited > 0 && { refused_not_audited: audit.unaudited }),
      }),
      notifier?.finish({
        status: s.status,
        ...(s.decidedBy && { decidedBy: s.decidedBy }),
        ...(s.decidedAt && { decidedAt: s.decidedAt }),
        ...(s.message && { message: s.message }),
      }),
    ]);
    await audit.settled();
    return m.result();
  });
}
