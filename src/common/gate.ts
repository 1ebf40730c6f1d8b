import type { ApprovalResult } from './approval.js';

/** What a gated call returns instead of running, as in the reference. */
export interface GateRefusal {
  success: false;
  error: string;
  approval_id?: string;
}

/** The reference's answer for a call that was not approved (denied, timed out, cancelled). */
export const notApproved = (action: string, result: ApprovalResult): GateRefusal => ({
  success: false,
  error: `Action '${action}' not approved: ${result.message ?? result.error ?? 'denied'}`,
  approval_id: result.approval_id,
});

/** The reference's answer when the approval machinery itself failed: the function never ran. */
export const gateError = (why: string): GateRefusal => ({ success: false, error: `Approval gate error: ${why}` });

/** `text` cut to `limit` characters, an ellipsis marking the cut. */
export const clip = (text: string, limit: number): string => (text.length > limit ? `${text.slice(0, limit - 1)}…` : text);
