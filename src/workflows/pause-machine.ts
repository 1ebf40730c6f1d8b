import { isoAt, LIMITS } from '../common/constants.js';
import {
  PauseStatus,
  type PauseInput,
  type PauseResult,
  type PauseState,
  type RejectedAttempt,
  type ResumeInput,
} from '../common/pause.js';
import { keepRefusal } from './lifecycle.js';

/** The state of one paused task; plain and deterministic, driven by the workflow. */
export class PauseMachine {
  readonly state: PauseState;

  constructor(
    private readonly input: PauseInput,
    now: number,
    private readonly timeoutMs: number,
  ) {
    this.state = input.continued?.state ?? {
      taskId: input.taskId,
      owner: input.owner,
      reason: input.reason,
      status: PauseStatus.paused,
      pausedAt: isoAt(now),
      deadline: isoAt(now + timeoutMs),
      rejected: [],
    };
  }

  /** Milliseconds until the deadline (the first run's, across continue-as-new). */
  remainingMs(now: number): number {
    return Date.parse(this.state.deadline) - now;
  }

  get done(): boolean {
    return this.state.status !== PauseStatus.paused;
  }

  /** Applies a resume that `checkResume` accepted. */
  accept(req: ResumeInput): { success: true; task_id: string } {
    this.state.status = PauseStatus.resumed;
    this.state.resumedBy = req.resumedBy ?? req.workspaceId;
    if (req.message) this.state.message = req.message;
    return { success: true, task_id: this.input.taskId };
  }

  reject(req: unknown, reason: string, via: RejectedAttempt['via'], now: number): string {
    const ws = (req as { workspaceId?: unknown } | null | undefined)?.workspaceId;
    const workspaceId = typeof ws === 'string' ? ws.slice(0, LIMITS.idLength) : '';
    keepRefusal(this.state.rejected, { at: isoAt(now), workspaceId, reason, via });
    return workspaceId;
  }

  expire(): void {
    this.state.status = PauseStatus.timeout;
  }

  cancel(): void {
    this.state.status = PauseStatus.cancelled;
  }

  end(now: number): void {
    this.state.endedAt = isoAt(now);
  }

  get timeoutSeconds(): number {
    return Number((this.timeoutMs / 1000).toFixed(0));
  }

  result(): PauseResult {
    const { taskId } = this.input;
    const s = this.state;
    if (s.status === PauseStatus.resumed) return { resumed: true, task_id: taskId, ...(s.message && { message: s.message }) };
    if (s.status === PauseStatus.cancelled) return { resumed: false, task_id: taskId, error: 'Pause was cancelled before a resume' };
    return { resumed: false, task_id: taskId, error: `Timed out after ${this.timeoutSeconds}s waiting for resume signal` };
  }
}
