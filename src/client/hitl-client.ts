import type { Client } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { InputError } from '../common/errors.js';
import { checkId, checkTimeout } from '../common/input.js';
import type { PauseResult } from '../common/pause.js';
import { parseConfig, rolesOf, type HitlConfig } from '../config/index.js';
import { processEnv } from '../config/env.js';
import type { ClientContext } from './context.js';
import type { ApprovalResult } from '../common/approval.js';
import {
  createApproval,
  decide,
  listApprovals,
  requestApproval,
  waitForApproval,
  type CreatedApproval,
  type DecideOptions,
  type DecideResult,
  type ListApprovalsOptions,
  type RequestApprovalOptions,
} from './approvals.js';
import type { ApprovalRow } from './visibility.js';
import { listPausedTasks, pauseTask, resumeTask, type PausedTasks, type ResumeResult } from './pauses.js';

/** Where the caller's roles come from (e.g. the platform's `WORKSPACE_ROLES`); used for `bypassRoles`. */
export type RolesProvider = () => string[] | Promise<string[]>;

export interface HitlClientOptions {
  /** A connected `@temporalio/client` Client. */
  client: Client;
  /** The caller's workspace; it owns what it pauses and may only resume its own. @default config.workspaceId (env WORKSPACE_ID) */
  workspaceId?: string;
  /** @default config.temporal.taskQueue, i.e. 'hitl' */
  taskQueue?: string;
  /** @default parseConfig({}) — the reference's defaults plus env overrides */
  config?: HitlConfig;
  /** @default config.roles (env WORKSPACE_ROLES, comma-separated) */
  roles?: RolesProvider;
  /**
   * How long a waiting `pauseTask` / `requestApproval` rides out Temporal being unreachable or busy (backoff, 0.2–5 s)
   * before it throws. A wait's overall bound is its own timeout plus this. @default '10m'
   */
  outageTolerance?: Duration;
  /**
   * How a waiting caller hears the answer: `'update'` from the task that accepts the decision (fastest), `'result'`
   * from the run's close. Use `'result'` with the time-skipping test server, which skips time only while a caller
   * awaits a workflow result. @default 'update'
   */
  answerBy?: 'update' | 'result';
  /**
   * How many of this client's callers wait by Update at once; the rest wait for the run's result (a task later). Each
   * Update waiter costs the server more than a result long-poll: with 1,000 at once the idle dev server used 0.9 core
   * against 0.04. @default 50
   */
  maxUpdateWaiters?: number;
  /** How long `resumeTask` / `decide` wait for a worker to answer before saying none did (a crashed worker's task times out after 10 s). @default '30s' */
  decisionTimeout?: Duration;
}

/**
 * Pauses, resumes and approvals for one workspace, backed by Temporal workflows.
 * @example
 * const hitl = new HitlClient({ client: new Client({ connection }), workspaceId: 'ws-1' });
 * const { resumed, message } = await hitl.pauseTask('task-42', 'Need a human to pick a plan');
 */
export class HitlClient {
  readonly client: Client;
  readonly workspaceId: string;
  readonly taskQueue: string;
  readonly config: HitlConfig;
  readonly roles: RolesProvider;
  private readonly ctx: ClientContext;

  constructor(options: HitlClientOptions) {
    if (!options?.client) throw new InputError('client', 'required: pass a @temporalio/client Client');
    this.config = options.config ?? parseConfig({});
    const workspaceId = options.workspaceId ?? this.config.workspaceId ?? processEnv().WORKSPACE_ID;
    if (!workspaceId) throw new InputError('workspaceId', 'required: pass workspaceId or set WORKSPACE_ID');
    this.workspaceId = checkId('workspaceId', workspaceId);
    this.client = options.client;
    this.taskQueue = options.taskQueue ?? this.config.temporal.taskQueue;
    const roles = this.config.roles ?? rolesOf();
    this.roles = options.roles ?? (() => roles);
    this.ctx = {
      client: this.client,
      workspaceId: this.workspaceId,
      taskQueue: this.taskQueue,
      config: this.config,
      outageToleranceMs: checkTimeout('outageTolerance', options.outageTolerance ?? '10m'),
      decisionTimeoutMs: checkTimeout('decisionTimeout', options.decisionTimeout ?? '30s'),
      answerByUpdate: (options.answerBy ?? 'update') === 'update',
      updateWaiters: { now: 0, max: checkCount('maxUpdateWaiters', options.maxUpdateWaiters ?? 50) },
      answered: new Map(),
    };
  }

  /**
   * Pauses `taskId` until `resumeTask` or the timeout; a second call on a paused task id waits on the same pause.
   * @example await hitl.pauseTask('task-42', 'Waiting for the budget owner', { timeout: '1h' })
   */
  pauseTask(taskId: string, reason = '', options: { timeout?: Duration } = {}): Promise<PauseResult> {
    return pauseTask(this.ctx, taskId, reason, options);
  }

  /**
   * Resumes a paused task of this workspace; the message reaches the paused caller.
   * @example await hitl.resumeTask('task-42', 'Go with plan B')
   */
  resumeTask(taskId: string, message = '', options: { resumedBy?: string } = {}): Promise<ResumeResult> {
    return resumeTask(this.ctx, taskId, message, options.resumedBy);
  }

  /**
   * Task ids of this workspace that are paused now (Temporal visibility, eventually consistent).
   * @example const { paused_tasks, count } = await hitl.listPausedTasks()
   */
  listPausedTasks(): Promise<PausedTasks> {
    return listPausedTasks(this.ctx);
  }

  /**
   * Asks a human and waits for the decision (or the timeout). The approval id exists before anything is sent;
   * with `idempotencyKey`, a retrying caller re-attaches to the same approval instead of asking twice.
   * @example const { approved, message } = await hitl.requestApproval({ action: 'refund', reason: 'Refund $420 to ACME' })
   */
  requestApproval(options: RequestApprovalOptions): Promise<ApprovalResult> {
    return requestApproval(this.ctx, options);
  }

  /**
   * Starts an approval (or joins the one with the same id or idempotency key) and answers at once, without waiting.
   * @example const { approval_id } = await hitl.createApproval({ action: 'refund', reason: 'Refund $420' })
   */
  createApproval(options: RequestApprovalOptions): Promise<CreatedApproval> {
    return createApproval(this.ctx, options);
  }

  /**
   * Waits for the decision on an approval of this workspace; the same result as `requestApproval`.
   * @example const { approved } = await hitl.waitForApproval(approval_id)
   */
  waitForApproval(approvalId: string): Promise<ApprovalResult> {
    return waitForApproval(this.ctx, approvalId);
  }

  /**
   * Decides an approval of this workspace; the first valid decision wins, later ones are told "already decided".
   * @example await hitl.decide(approvalId, { decision: 'denied', decidedBy: 'alice', message: 'Use the staging table' })
   */
  decide(approvalId: string, options: DecideOptions): Promise<DecideResult> {
    return decide(this.ctx, approvalId, options);
  }

  /**
   * This workspace's approvals, newest first, `limit` (50) a page, in the platform's row shape; the next page with
   * `before: rows.at(-1).created_at`.
   * @example const pending = await hitl.listApprovals({ status: 'pending' })
   */
  listApprovals(options: ListApprovalsOptions = {}): Promise<ApprovalRow[]> {
    return listApprovals(this.ctx, options);
  }
}

function checkCount(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new InputError(
      field,
      `must be a whole number ≥ 0 (0: every caller waits for the run's result), got ${String(value).slice(0, 40)}`,
    );
  }
  return value;
}
