/**
 * What the workflows ask the channel activities to send, and what comes back. Sandbox-safe: types and pure helpers
 * only. Channel names only: the worker holds every URL, token and password.
 */

/** Which message: the first request, a reminder, an escalation, or the outcome (a Slack bot message updated in place, the platform told). */
export type MessageKind = 'request' | 'reminder' | 'escalation' | 'outcome';

/** What the message is about, as the human reads it. */
export type NotifySubject =
  | {
      kind: 'approval';
      approvalId: string;
      action: string;
      reason: string;
      owner: string;
      requestedBy?: string;
      taskId?: string;
      args?: Record<string, unknown>;
      createdAt: string;
      deadline: string;
      requiredApprovals: number;
    }
  | { kind: 'pause'; taskId: string; reason: string; owner: string; createdAt: string; deadline: string };

/** How it ended, for `outcome` messages. */
export interface NotifyOutcome {
  /** approved | denied | timeout | cancelled | resumed */
  status: string;
  decidedBy?: string;
  decidedAt?: string;
  message?: string;
}

/** Where an earlier message of the same channel went, so that later ones thread under it or replace it. */
export interface DeliveryRef {
  /** Slack bot mode: the channel id and message ts of the request. */
  slackChannel?: string;
  slackTs?: string;
  /** Platform mirror: the platform's approval id. */
  platformApprovalId?: string;
}

/** Input of the `notify` activity: one channel, one message. */
export interface NotifyInput {
  /** The channel's name in the worker's config (its `name`, else its type). */
  channel: string;
  kind: MessageKind;
  subject: NotifySubject;
  outcome?: NotifyOutcome;
  /** From the request's delivery, for reminders and outcomes. */
  ref?: DeliveryRef;
  /** approval or task id + channel + kind (+ a counter for repeated reminders): a retry never sends twice. */
  dedupeKey: string;
}

export type DeliveryStatus = 'sent' | 'skipped' | 'failed';

/** One channel's last delivery of one message kind, as the `state` query and the audit log show it. */
export interface Delivery {
  channel: string;
  kind: MessageKind;
  status: DeliveryStatus;
  at: string;
  /** Why it failed or was skipped, without any secret. */
  error?: string;
  ref?: DeliveryRef;
}

/** Input of `watchPlatform`: wait for a decision made on the platform's own dashboard. */
export interface WatchPlatformInput {
  channel: string;
  workspaceId: string;
  platformApprovalId: string;
  approvalId: string;
}

/** A decision read back from the platform. */
export interface PlatformDecision {
  decision: 'approved' | 'denied';
  decidedBy: string;
  message?: string;
}

/** Notification settings of one approval or pause; channel names refer to the worker's `hitl.channels`. */
export interface NotifyPlan {
  /** Channels that get the request (and reminders). */
  channels: string[];
  /** Re-notify `channels` this long after the request, while undecided. */
  remindAfter?: string;
  /** Notify `escalateTo` this long after the request, while undecided. */
  escalateAfter?: string;
  escalateTo?: string[];
}

/** How far one approval's or pause's notifications got; kept in its state, so a continued run carries on from there. */
export interface NotifyProgress {
  reminders: number;
  escalated: boolean;
}

/** The dedupe key of one message: a retry of the activity never sends it twice. */
export const dedupeKey = (id: string, channel: string, kind: MessageKind, n = 0): string =>
  `${id}:${channel}:${kind}${n > 0 ? `:${n}` : ''}`;
