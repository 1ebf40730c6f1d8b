import {
  ApprovalStatus,
  type ApprovalInput,
  type ApprovalOutcome,
  type ApprovalResult,
  type ApprovalState,
  type DecisionAccepted,
  type DecisionInput,
  type RejectedDecision,
} from '../common/approval.js';
import { isoAt, LIMITS } from '../common/constants.js';
import { keepRefusal } from './lifecycle.js';

/** The decision state of one approval; plain and deterministic, driven by the workflow. */
export class ApprovalMachine {
  readonly state: ApprovalState;

  constructor(
    private readonly input: ApprovalInput,
    now: number,
    private readonly timeoutMs: number,
  ) {
    this.state = input.continued?.state ?? {
      approvalId: input.approvalId,
      action: input.action,
      reason: input.reason,
      owner: input.owner,
      ...(input.requestedBy !== undefined && { requestedBy: input.requestedBy }),
      ...(input.taskId !== undefined && { taskId: input.taskId }),
      ...(input.args !== undefined && { args: input.args }),
      ...(input.argsSchema !== undefined && { argsSchema: input.argsSchema }),
      status: ApprovalStatus.pending,
      createdAt: isoAt(now),
      deadline: isoAt(now + timeoutMs),
      requiredApprovals: input.requiredApprovals ?? 1,
      fourEyes: input.fourEyes ?? false,
      ...(input.approvers !== undefined && { approvers: input.approvers }),
      approvals: [],
      rejected: [],
    };
  }

  /** Milliseconds until the deadline (the first run's, across continue-as-new). */
  remainingMs(now: number): number {
    return Date.parse(this.state.deadline) - now;
  }

  get done(): boolean {
    return this.state.status !== ApprovalStatus.pending;
  }

  get outcome(): ApprovalOutcome {
    const { status } = this.state;
    return status === 'approved' ? 'granted' : status === 'pending' ? 'denied' : status;
  }

  /** Applies a decision that `checkDecision` accepted. */
  apply(d: DecisionInput, now: number): DecisionAccepted {
    const s = this.state;
    if (d.editedArgs) {
      const current = s.editedArgs ?? s.args ?? {};
      const next = { ...current, ...d.editedArgs };
      // Earlier approvers agreed to other arguments: their votes do not carry over to these.
      if (JSON.stringify(next) !== JSON.stringify(current)) s.approvals = [];
      s.editedArgs = next;
    }
    if (d.decision === 'denied') {
      this.finish(ApprovalStatus.denied, d, now);
    } else {
      s.approvals.push({ by: d.decidedBy, at: isoAt(now), ...(d.message && { message: d.message }) });
      if (s.approvals.length >= s.requiredApprovals) this.finish(ApprovalStatus.approved, d, now);
    }
    return { success: true, approval_id: s.approvalId, status: s.status, approvals: s.approvals.length, required: s.requiredApprovals };
  }

  reject(d: Partial<DecisionInput>, reason: string, via: RejectedDecision['via'], now: number): void {
    const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, LIMITS.identityLength) : '');
    keepRefusal(this.state.rejected, {
      at: isoAt(now),
      workspaceId: str(d.workspaceId),
      decidedBy: str(d.decidedBy),
      decision: str(d.decision),
      reason,
      via,
    });
  }

  expire(now: number): void {
    this.state.status = ApprovalStatus.timeout;
    this.state.decidedAt = isoAt(now);
  }

  cancel(now: number): void {
    this.state.status = ApprovalStatus.cancelled;
    this.state.decidedAt = isoAt(now);
  }

  result(): ApprovalResult {
    const s = this.state;
    const base = { approval_id: s.approvalId, outcome: this.outcome, ...(s.decidedAt && { decided_at: s.decidedAt }) };
    switch (s.status) {
      case 'approved':
        return {
          ...base,
          approved: true,
          ...(s.decidedBy && { decided_by: s.decidedBy }),
          ...(s.message && { message: s.message }),
          ...(s.editedArgs && { edited_args: s.editedArgs }),
          approvers: s.approvals.map((v) => v.by),
        };
      case 'timeout': {
        const seconds = (this.timeoutMs / 1000).toFixed(0);
        return this.input.onTimeout === 'approve'
          ? { ...base, approved: true, message: `Approved by the timeout policy after ${seconds}s without an answer` }
          : { ...base, approved: false, error: `Timed out after ${seconds}s waiting for approval` };
      }
      case 'cancelled':
        return { ...base, approved: false, error: 'Approval request was cancelled' };
      default:
        return { ...base, approved: false, ...(s.decidedBy && { decided_by: s.decidedBy }), ...(s.message && { message: s.message }) };
    }
  }

  private finish(status: ApprovalStatus, d: DecisionInput, now: number): void {
    this.state.status = status;
    this.state.decidedBy = d.decidedBy;
    this.state.decidedAt = isoAt(now);
    if (d.message) this.state.message = d.message;
  }
}
