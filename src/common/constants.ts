/** Task queue the worker polls and the client starts workflows on, unless configured otherwise. */
export const DEFAULT_TASK_QUEUE = 'hitl';

/** Seconds an unanswered pause or approval waits, as in the reference's `default_timeout`. */
export const DEFAULT_TIMEOUT_SECONDS = 300;

export const PAUSE_ID_PREFIX = 'hitl-pause-';
export const APPROVAL_ID_PREFIX = 'hitl-approval-';

/**
 * Workflow id of the pause for `taskId`; one running pause per task id.
 * @example client.workflow.getHandle(pauseWorkflowId('task-7'))
 */
export const pauseWorkflowId = (taskId: string): string => `${PAUSE_ID_PREFIX}${taskId}`;

/**
 * Workflow id of the approval `approvalId`.
 * @example client.workflow.getHandle(approvalWorkflowId(approvalId))
 */
export const approvalWorkflowId = (approvalId: string): string => `${APPROVAL_ID_PREFIX}${approvalId}`;

/**
 * Upper bounds on what we carry in workflow history.
 * Replay-sensitive: running workflows check decisions against these; a change to a bound they enforce goes behind
 * `patched()`.
 */
export const LIMITS = {
  idLength: 200,
  /** `decidedBy`, `resumedBy`, `requestedBy`. */
  identityLength: 200,
  actionLength: 200,
  idempotencyKeyLength: 500,
  reasonLength: 4_000,
  messageLength: 16_000,
  /** Serialised tool arguments carried to the approver (and into history). */
  argsLength: 256_000,
  rejectedAttemptsKept: 50,
  /** Refused Signals of one run written to the audit log one by one; later ones are counted in the outcome line. */
  refusalsAudited: 20,
  /** Callers waiting on one run through a `wait` Update; more wait for the run's result (the server allows 10 Updates in flight, and decisions need room). */
  waitersByUpdate: 4,
  /** History size past which a run continues as new (well below the server's 50 MB limit). */
  continueAsNewBytes: 2_000_000,
  /** The longest wait a pause or approval may have: 3650 days. */
  maxTimeoutMs: 3650 * 86_400_000,
} as const;

/** The reference's answer for a resume that finds nothing paused. */
export const TASK_NOT_FOUND = 'Task not found or already resumed';

/** `ApplicationFailure` types our workflows raise; an Update refused by a validator carries one of these. */
export const FailureType = {
  /** A `decide` Update the approval refused: wrong workspace, already decided, four-eyes, a bad edit… */
  decisionRejected: 'DecisionRejected',
  /** A `resume` Update the pause refused: wrong workspace, already resumed… */
  resumeRejected: 'ResumeRejected',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Workflow time (epoch ms) as ISO text, for state and audit fields. */
export const isoAt = (ms: number): string => new Date(ms).toISOString();
