import type { Duration } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { LIMITS, TASK_NOT_FOUND } from './constants.js';
import { messageProblem } from './identity.js';
import type { Delivery, NotifyPlan, NotifyProgress } from './notify.js';

/** Input of `pauseWorkflow`. */
export interface PauseInput {
  taskId: string;
  reason: string;
  /** Workspace that paused the task; only it may resume. */
  owner: string;
  /** How long to wait for a resume, e.g. `'300s'`. */
  timeout: Duration;
  /** Who is notified (a signed resume link), and when again. @default nobody */
  notify?: NotifyPlan;
  /** Set by the workflow itself when it continues as new: the state so far (the deadline stays the first run's). */
  continued?: { state: PauseState; unaudited: number };
}

/** The reference's `pause_task` result. */
export type PauseResult = { resumed: true; task_id: string; message?: string } | { resumed: false; task_id: string; error: string };

/** Who waits: only the owner's workspace may read the answer. */
export interface WaitInput {
  workspaceId: string;
}

/** What a `wait` Update answers. */
export type WaitAnswer<R> = { done: true; result: R } | { done: false };

/** A resume request, by Update or by Signal. */
export interface ResumeInput {
  /** Workspace of the caller; must be the task's owner. */
  workspaceId: string;
  message?: string;
  /** Who resumed (user or service name), for the audit line. */
  resumedBy?: string;
}

export interface ResumeAccepted {
  success: true;
  task_id: string;
}

export const PauseStatus = { paused: 'paused', resumed: 'resumed', timeout: 'timeout', cancelled: 'cancelled' } as const;
export type PauseStatus = (typeof PauseStatus)[keyof typeof PauseStatus];

export interface RejectedAttempt {
  /** ISO time of the attempt (workflow time). */
  at: string;
  workspaceId: string;
  reason: string;
  via: 'signal' | 'update';
}

/** What the `state` query returns. */
export interface PauseState {
  taskId: string;
  owner: string;
  reason: string;
  status: PauseStatus;
  pausedAt: string;
  /** When the pause times out, ISO. */
  deadline: string;
  endedAt?: string;
  message?: string;
  resumedBy?: string;
  /** Resumes that were refused, newest last (capped). */
  rejected: RejectedAttempt[];
  /** Each channel's last delivery of each message kind (runs with notifications). */
  deliveries?: Delivery[];
  /** Reminders sent and whether it escalated (runs with notifications). */
  notified?: NotifyProgress;
}

/** Fire-and-forget resume for webhooks and other services; an invalid one is recorded and ignored. */
export const resumeSignal = defineSignal<[ResumeInput]>('resume');
/** Resume with an answer: rejected by the validator, workflow untouched, when not allowed. */
export const resumeUpdate = defineUpdate<ResumeAccepted, [ResumeInput]>('resume');
/**
 * A waiting caller's answer, from the task that accepts the resume (runs started by this version). `done: false` when
 * the run continues as new or has too many waiters: the caller then waits for the run's result instead.
 */
export const waitForResumeUpdate = defineUpdate<WaitAnswer<PauseResult>, [WaitInput]>('wait');
export const pauseStateQuery = defineQuery<PauseState>('state');

/**
 * Why `input` may not resume the pause in `state`, or `undefined` when it may.
 * The one check behind both the Update validator and the Signal handler.
 * Replay-sensitive: it runs inside running workflows, so a change to what it accepts goes behind `patched()`: `strict`
 * (runs started by this version) adds decodable input and a bounded, typed `resumedBy`.
 */
export function checkResume(state: Pick<PauseState, 'taskId' | 'owner' | 'status'>, input: unknown, strict = false): string | undefined {
  if (strict) {
    const why = messageProblem(input, 'resume', { resumedBy: false });
    if (why !== undefined) return why;
  }
  if (typeof input !== 'object' || input === null) return 'resume input must be an object { workspaceId, message? }';
  const { workspaceId, message, resumedBy } = input as Partial<Record<keyof ResumeInput, unknown>>;
  if (typeof workspaceId !== 'string' || workspaceId.trim() === '') {
    return 'workspaceId is required: an empty workspace may not resume a task (set WORKSPACE_ID or pass workspaceId)';
  }
  if (message !== undefined && typeof message !== 'string') return 'message must be a string';
  if (typeof message === 'string' && message.length > LIMITS.messageLength) {
    return `message is ${message.length} characters; the limit is ${LIMITS.messageLength}`;
  }
  if (resumedBy !== undefined && typeof resumedBy !== 'string') return 'resumedBy must be a string';
  if (workspaceId !== state.owner) {
    return `workspace '${workspaceId}' does not own task '${state.taskId}': only the workspace that paused a task may resume it`;
  }
  if (state.status !== PauseStatus.paused) return TASK_NOT_FOUND;
  return undefined;
}
