/**
 * The one way every route decides or resumes: as an authenticated principal (its name is the recorded decider), with
 * refusals mapped to the platform's answers. Another workspace's approval is answered as one that does not exist.
 */
import type { DecisionAccepted } from '../common/approval.js';
import { TASK_NOT_FOUND } from '../common/constants.js';
import type { Principal } from './auth.js';
import type { Backend } from './backend.js';

export const NOT_FOUND_APPROVAL = 'approval not found or already decided';
export const NOT_FOUND_TASK = 'task not found or already resumed';

export type Outcome<T> = { ok: true; value: T } | { ok: false; status: 403 | 404 | 422; error: string; detail: string };

export interface DecisionAsk {
  decision: 'approved' | 'denied';
  message?: string;
  editedArgs?: Record<string, unknown>;
}

export async function decideAs(
  backend: Backend,
  who: Principal,
  approvalId: string,
  ask: DecisionAsk,
): Promise<Outcome<DecisionAccepted & { decided_by: string }>> {
  const result = await backend.hitl(who.workspace).decide(approvalId, {
    decision: ask.decision,
    decidedBy: who.name,
    ...(ask.message && { message: ask.message }),
    ...(ask.editedArgs && { editedArgs: ask.editedArgs }),
  });
  if (result.success) return { ok: true, value: { ...result, decided_by: who.name } };
  const error = result.error;
  if (/does not own/.test(error)) {
    return {
      ok: false,
      status: 404,
      error: NOT_FOUND_APPROVAL,
      detail: `approval '${approvalId}' not found in workspace '${who.workspace}'`,
    };
  }
  if (/not found|already decided/.test(error)) return { ok: false, status: 404, error: NOT_FOUND_APPROVAL, detail: error };
  if (/^editedArgs/.test(error)) return { ok: false, status: 422, error: 'edited_args refused', detail: error };
  return { ok: false, status: 403, error: 'decision refused', detail: error };
}

export async function resumeAs(
  backend: Backend,
  who: Principal,
  taskId: string,
  message?: string,
): Promise<Outcome<{ success: true; task_id: string; resumed_by: string }>> {
  const result = await backend.hitl(who.workspace).resumeTask(taskId, message ?? '', { resumedBy: who.name });
  if (result.success) return { ok: true, value: { success: true, task_id: taskId, resumed_by: who.name } };
  if (/does not own/.test(result.error)) {
    return { ok: false, status: 404, error: NOT_FOUND_TASK, detail: `task '${taskId}' not found in workspace '${who.workspace}'` };
  }
  if (result.error === TASK_NOT_FOUND) return { ok: false, status: 404, error: NOT_FOUND_TASK, detail: result.error };
  return { ok: false, status: 403, error: 'resume refused', detail: result.error };
}
