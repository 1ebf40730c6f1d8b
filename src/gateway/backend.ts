/** What the gateway reads from and sends to Temporal: one HitlClient per workspace, and approval/pause views. */
import type { Client } from '@temporalio/client';
import { HitlClient, type HitlClientOptions } from '../client/hitl-client.js';
import { listRows, ownerOf, queries, toApprovalRow, type ApprovalRow } from '../client/visibility.js';
import { approvalStateQuery, type ApprovalInput, type ApprovalState } from '../common/approval.js';
import { approvalWorkflowId, pauseWorkflowId } from '../common/constants.js';
import { pauseStateQuery, type PauseState } from '../common/pause.js';
import type { GatewayConfig } from '../config/index.js';

/** An approval as a human deciding it sees it. */
export interface ApprovalView {
  id: string;
  workspace: string;
  action: string;
  reason: string;
  args: Record<string, unknown>;
  argsSchema?: Record<string, unknown>;
  requestedBy?: string;
  taskId?: string;
  status: ApprovalState['status'];
  createdAt: string;
  deadline: string;
  approvals: number;
  required: number;
  decidedBy?: string;
  decidedAt?: string;
  message?: string;
}

export interface PauseView {
  taskId: string;
  reason: string;
  pausedAt: string;
  deadline: string;
  status: PauseState['status'];
  resumedBy?: string;
}

export class Backend {
  private readonly clients = new Map<string, HitlClient>();
  private readonly schemas = new Map<string, Record<string, unknown> | null>();

  constructor(
    readonly client: Client,
    readonly config: GatewayConfig,
    private readonly clientOptions: Partial<HitlClientOptions> = {},
  ) {}

  /** The HitlClient of a workspace (cheap; kept). */
  hitl(workspaceId: string): HitlClient {
    let hitl = this.clients.get(workspaceId);
    if (!hitl) {
      hitl = new HitlClient({ client: this.client, config: this.config, ...this.clientOptions, workspaceId });
      if (this.clients.size > 1000) this.clients.clear();
      this.clients.set(workspaceId, hitl);
    }
    return hitl;
  }

  /** An approval of `workspace`, or undefined when there is none (another workspace's answers as none). */
  async approval(workspace: string, id: string): Promise<ApprovalView | undefined> {
    const handle = this.client.workflow.getHandle(approvalWorkflowId(id));
    const state = await handle.query(approvalStateQuery).catch(() => undefined);
    if (!state || state.owner !== workspace) return undefined;
    const argsSchema = state.argsSchema ?? (await this.argsSchema(id));
    return {
      id,
      workspace,
      action: state.action,
      reason: state.reason,
      args: state.editedArgs ?? state.args ?? {},
      ...(argsSchema && { argsSchema }),
      ...(state.requestedBy && { requestedBy: state.requestedBy }),
      ...(state.taskId && { taskId: state.taskId }),
      status: state.status,
      createdAt: state.createdAt,
      deadline: state.deadline,
      approvals: state.approvals.length,
      required: state.requiredApprovals,
      ...(state.decidedBy && { decidedBy: state.decidedBy }),
      ...(state.decidedAt && { decidedAt: state.decidedAt }),
      ...(state.message && { message: state.message }),
    };
  }

  /** A paused task of `workspace`, or undefined. */
  async pause(workspace: string, taskId: string): Promise<PauseView | undefined> {
    const state = await this.client.workflow
      .getHandle(pauseWorkflowId(taskId))
      .query(pauseStateQuery)
      .catch(() => undefined);
    if (!state || state.owner !== workspace) return undefined;
    return {
      taskId,
      reason: state.reason,
      pausedAt: state.pausedAt,
      deadline: state.deadline,
      status: state.status,
      ...(state.resumedBy && { resumedBy: state.resumedBy }),
    };
  }

  /** What the inbox shows: pending approvals and paused tasks in detail, and the latest decided approvals. */
  async inbox(workspace: string): Promise<{ pending: ApprovalView[]; paused: PauseView[]; recent: ApprovalRow[] }> {
    const hitl = this.hitl(workspace);
    const [rows, paused] = await Promise.all([hitl.listApprovals({ limit: 50 }), hitl.listPausedTasks()]);
    const pendingIds = rows.filter((r) => r.status === 'pending').map((r) => r.id);
    const [pending, pauses] = await Promise.all([
      Promise.all(pendingIds.map((id) => this.approval(workspace, id))),
      Promise.all(paused.paused_tasks.slice(0, 50).map((t) => this.pause(workspace, t))),
    ]);
    return {
      pending: pending.filter((a): a is ApprovalView => a?.status === 'pending'),
      paused: pauses.filter((p): p is PauseView => p?.status === 'paused'),
      recent: rows.filter((r) => r.status !== 'pending').slice(0, 10),
    };
  }

  /** Pending approvals of every workspace (`GET /approvals/pending`). */
  async pendingEverywhere(limit = 200): Promise<(ApprovalRow & { workspace_id: string })[]> {
    return listRows(
      this.client,
      queries.pendingApprovalsEverywhere(),
      (wf) => ({ ...toApprovalRow(wf), workspace_id: ownerOf(wf) ?? '' }),
      limit,
    );
  }

  /** The tool's JSON Schema of a run whose state does not carry it (started before it did): from its input, kept. */
  private async argsSchema(id: string): Promise<Record<string, unknown> | undefined> {
    if (!this.schemas.has(id)) {
      const history = await this.client.workflow
        .getHandle(approvalWorkflowId(id))
        .fetchHistory()
        .catch(() => undefined);
      const payload = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      if (!payload) return undefined;
      const input = this.client.options.loadedDataConverter.payloadConverter.fromPayload<ApprovalInput>(payload);
      if (this.schemas.size > 2000) this.schemas.clear();
      this.schemas.set(id, input?.argsSchema ?? null);
    }
    return this.schemas.get(id) ?? undefined;
  }
}
