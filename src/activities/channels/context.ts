/** What every channel sender gets: the worker's link settings, its timeouts, the activity's cancellation and logger. */
import type { Logger } from '@temporalio/common';
import type { NotifyInput, NotifySubject } from '../../common/notify.js';
import type { SigningKey } from '../../config/index.js';
import { linkUrl } from '../../links/index.js';
import type { DecisionLinks } from './render.js';

export interface SendContext {
  /** The gateway's public base URL. */
  publicUrl: string;
  linkSigningKeys: readonly SigningKey[];
  /** Per HTTP request or SMTP conversation. */
  timeoutMs: number;
  signal: AbortSignal;
  log: Logger;
  /** Logs, once per worker, that messages go out without decision links. */
  warnNoLinks: () => void;
}

/** What a sender returns; `notify` adds channel, kind and time. */
export type SendResult = { status: 'sent'; ref?: NotifyInput['ref'] } | { status: 'skipped'; error: string };

export const skipped = (error: string): SendResult => ({ status: 'skipped', error });

/** The subject's id: the approval id, or the task id of a pause. */
export const subjectId = (subject: NotifySubject): string => (subject.kind === 'approval' ? subject.approvalId : subject.taskId);

/** The gateway's inbox, where a human decides when a message carries no links. */
export const inboxUrl = (ctx: Pick<SendContext, 'publicUrl'>): string => `${ctx.publicUrl.replace(/\/+$/, '')}/inbox`;

/**
 * Signed links for one recipient (`email:<address>`, `slack:<channel name>`), valid until the subject's deadline;
 * undefined when no signing key is configured (the message then points at the inbox).
 */
export function decisionLinks(ctx: SendContext, subject: NotifySubject, recipient: string): DecisionLinks | undefined {
  if (ctx.linkSigningKeys.length === 0) {
    ctx.warnNoLinks();
    return undefined;
  }
  const expiresAt = Date.parse(subject.deadline);
  const base = { workspaceId: subject.owner, recipient, expiresAt: Number.isNaN(expiresAt) ? Date.now() : expiresAt };
  if (subject.kind === 'pause')
    return { resume: linkUrl(ctx.publicUrl, { ...base, action: 'resume', id: subject.taskId }, ctx.linkSigningKeys) };
  return {
    approve: linkUrl(ctx.publicUrl, { ...base, action: 'approve', id: subject.approvalId }, ctx.linkSigningKeys),
    deny: linkUrl(ctx.publicUrl, { ...base, action: 'deny', id: subject.approvalId }, ctx.linkSigningKeys),
  };
}
