/**
 * The dashboard channel. Without a platform URL the dashboard is the gateway's inbox: nothing to send. With one, the
 * approval is mirrored to the agent platform's own API (`POST /workspaces/:id/approvals`), its outcome is written back
 * (`.../decide`) so the platform's row does not stay pending, and `watchPlatform` brings a decision made on the
 * platform's dashboard back to the workflow.
 */
import { heartbeat, sleep } from '@temporalio/activity';
import type { NotifyInput, PlatformDecision, WatchPlatformInput } from '../../common/notify.js';
import type { ChannelConfig, ChannelSecrets } from '../../config/index.js';
import { skipped, type SendContext, type SendResult } from './context.js';
import { ChannelUnavailable, excerpt, failStatus, rejected, retryableStatus } from './errors.js';
import { httpCall, jsonOf, type HttpAnswer } from './http.js';
import { outcomeLine } from './render.js';

type DashboardChannel = Extract<ChannelConfig, { type: 'dashboard' }>;

export async function sendPlatform(
  ctx: SendContext,
  channel: DashboardChannel,
  secrets: ChannelSecrets,
  input: NotifyInput,
): Promise<SendResult> {
  const { subject, kind } = input;
  if (!channel.platformUrl) return skipped('dashboard: no platform_url, the gateway inbox shows it');
  if (subject.kind === 'pause') return skipped('dashboard: pauses are not mirrored to the platform');
  if (kind === 'reminder' || kind === 'escalation') return skipped(`dashboard: the platform shows the pending approval, no ${kind} needed`);
  const base = `${channel.platformUrl}/workspaces/${encodeURIComponent(subject.owner)}/approvals`;
  const call = (label: string, url: string, body: unknown) =>
    httpCall({ label, method: 'POST', url, body, headers: authHeader(secrets), timeoutMs: ctx.timeoutMs, signal: ctx.signal });
  if (kind === 'request') {
    const answer = await call('platform approvals', base, {
      action: subject.action,
      reason: subject.reason,
      ...(subject.taskId && { task_id: subject.taskId }),
      context: { approval_id: subject.approvalId, ...(subject.args && { args: subject.args }), source: 'temporal-hitl' },
    });
    check('platform approvals', answer, secrets);
    const body = jsonOf(answer) as { approval_id?: unknown } | undefined;
    if (typeof body?.approval_id !== 'string' || body.approval_id === '') {
      throw rejected('platform approvals: the answer has no approval_id (is platform_url the agent platform?)');
    }
    return { status: 'sent', ref: { platformApprovalId: body.approval_id } };
  }
  const platformId = input.ref?.platformApprovalId;
  if (!platformId) return skipped('dashboard: the approval was not mirrored, so there is nothing to close');
  const status = input.outcome?.status;
  const decision = status === 'approved' ? 'approved' : 'denied';
  // The platform knows only approved and denied: a timeout or cancellation closes its row as denied, saying why.
  const decidedBy =
    status === 'approved' || status === 'denied'
      ? (input.outcome?.decidedBy ?? 'temporal-hitl')
      : `temporal-hitl (${outcomeLine(input.outcome)})`;
  const answer = await call('platform decide', `${base}/${encodeURIComponent(platformId)}/decide`, { decision, decided_by: decidedBy });
  // 404: "approval not found or already decided", e.g. decided on the platform itself; its row is closed either way.
  if (answer.status !== 404) check('platform decide', answer, secrets);
  return { status: 'sent', ref: { platformApprovalId: platformId } };
}

export interface WatchOptions {
  pollIntervalMs: number;
}

/** Polls the platform until its row of the approval is decided; heartbeats each poll; ends when cancelled. */
export async function watchPlatform(
  ctx: SendContext,
  channel: DashboardChannel | undefined,
  secrets: ChannelSecrets,
  input: WatchPlatformInput,
  options: WatchOptions,
): Promise<PlatformDecision> {
  if (!channel?.platformUrl) throw rejected(`watchPlatform: channel ${input.channel} is not a dashboard channel with a platform_url`);
  const url = `${channel.platformUrl}/workspaces/${encodeURIComponent(input.workspaceId)}/approvals`;
  for (let polls = 1; ; polls++) {
    const decision = await pollOnce(ctx, url, secrets, input.platformApprovalId);
    if (decision) return decision;
    heartbeat({ polls });
    await sleep(options.pollIntervalMs); // rejects with the cancellation when the workflow no longer needs the watch
  }
}

async function pollOnce(ctx: SendContext, url: string, secrets: ChannelSecrets, platformId: string): Promise<PlatformDecision | undefined> {
  let answer: HttpAnswer;
  try {
    answer = await httpCall({
      label: 'platform approvals',
      method: 'GET',
      url,
      headers: authHeader(secrets),
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
    });
  } catch (err) {
    if (!(err instanceof ChannelUnavailable)) throw err;
    ctx.log.warn('hitl watchPlatform: poll failed, trying again', { error: err.message });
    return undefined;
  }
  if (answer.status < 200 || answer.status >= 300) {
    if (!retryableStatus(answer.status)) check('platform approvals', answer, secrets);
    ctx.log.warn('hitl watchPlatform: poll failed, trying again', { status: answer.status });
    return undefined;
  }
  const body = jsonOf(answer);
  const rows = Array.isArray(body) ? body : (body as { approvals?: unknown } | undefined)?.approvals;
  if (!Array.isArray(rows)) throw rejected('platform approvals: the answer is not a list of approvals');
  const row = rows.find((r: { id?: unknown }) => r?.id === platformId) as { status?: unknown; decided_by?: unknown } | undefined;
  if (row?.status !== 'approved' && row?.status !== 'denied') return undefined;
  const decidedBy = typeof row.decided_by === 'string' && row.decided_by.trim() ? row.decided_by.trim() : 'platform';
  return { decision: row.status, decidedBy };
}

function authHeader(secrets: ChannelSecrets): Record<string, string> {
  return secrets.platformToken ? { authorization: `Bearer ${secrets.platformToken}` } : {};
}

function check(label: string, answer: HttpAnswer, secrets: ChannelSecrets): void {
  if (answer.status >= 200 && answer.status < 300) return;
  const body = jsonOf(answer) as { error?: unknown } | undefined;
  const detail = typeof body?.error === 'string' ? body.error : answer.text;
  failStatus(label, answer.status, excerpt(detail, [secrets.platformToken], 100));
}
