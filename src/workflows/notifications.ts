/**
 * Putting the question in front of a human: one `notify` activity per channel and message, reminders and escalation on
 * durable timers, the outcome sent where a message can be updated, and decisions made on the agent platform read back.
 * Nothing here can block, delay past a bound, or fail a decision: every failure becomes a delivery status.
 */
import { CancellationScope, isCancellation, log, patched, proxyActivities, sleep } from '@temporalio/workflow';
import type { HitlActivities } from '../activities/index.js';
import { isoAt } from '../common/constants.js';
import { durationMs } from '../common/duration.js';
import {
  dedupeKey,
  type Delivery,
  type MessageKind,
  type NotifyOutcome,
  type NotifyPlan,
  type NotifyProgress,
  type NotifySubject,
  type PlatformDecision,
} from '../common/notify.js';

/** Runs with a notification plan issue these commands; runs recorded before them replay without. */
export const NOTIFY_PATCH = 'hitl-3-notify';

/** Retry policy of a request, reminder or escalation: 4 attempts within about 40 s; a 4xx or a config error fails at once. */
const send = proxyActivities<HitlActivities>({
  startToCloseTimeout: '15s',
  retry: {
    maximumAttempts: 4,
    initialInterval: '1s',
    backoffCoefficient: 3,
    maximumInterval: '10s',
    nonRetryableErrorTypes: ['ChannelRejected'],
  },
});
/** The outcome update: 2 quick attempts. */
const sendOutcome = proxyActivities<HitlActivities>({
  startToCloseTimeout: '5s',
  retry: { maximumAttempts: 2, initialInterval: '500ms', nonRetryableErrorTypes: ['ChannelRejected'] },
});
/** The longest a decided run waits for its outcome updates before it returns anyway. */
const OUTCOME_WAIT_MS = 2_000;
/** Reminders per approval at most. */
const MAX_REMINDERS = 10;

interface Notified {
  deliveries?: Delivery[];
  notified?: NotifyProgress;
}

/** Whether this run notifies: it has a plan, and it is not replaying a history recorded before notifications. */
export const notifies = (plan: NotifyPlan | undefined): plan is NotifyPlan => plan !== undefined && patched(NOTIFY_PATCH);

export class Notifier {
  /** Timers and platform watchers: cancelled at the end. */
  private readonly background = new CancellationScope();

  constructor(
    private readonly plan: NotifyPlan,
    private readonly id: string,
    private readonly subject: () => NotifySubject,
    private readonly state: Notified,
    private readonly window: { createdMs: number; deadlineMs: number },
    private readonly onFailure: (d: Delivery) => Promise<void>,
    private readonly onPlatformDecision?: (d: PlatformDecision) => void,
  ) {}

  /** Sends what has not been sent yet (a continued run has sent the request), arms reminders and escalation. */
  start(): void {
    this.state.deliveries ??= [];
    this.state.notified ??= { reminders: 0, escalated: false };
    for (const channel of this.plan.channels) {
      const sent = this.last(channel, 'request');
      if (!sent) void this.deliver(channel, 'request').then((d) => this.watchIfMirrored(d));
      else this.watchIfMirrored(sent);
    }
    this.inBackground(() => this.timers());
  }

  /** Stops the timers and watchers and updates the messages that can be updated; returns within `OUTCOME_WAIT_MS`. */
  async finish(outcome: NotifyOutcome): Promise<void> {
    this.background.cancel();
    const updatable = (this.state.deliveries ?? []).filter(
      (d) => d.kind === 'request' && d.status === 'sent' && (d.ref?.slackTs !== undefined || d.ref?.platformApprovalId !== undefined),
    );
    if (updatable.length === 0) return;
    const all = Promise.all(updatable.map((d) => this.deliver(d.channel, 'outcome', 0, outcome)));
    await Promise.race([all, sleep(OUTCOME_WAIT_MS)]);
  }

  private async timers(): Promise<void> {
    const progress = this.state.notified!;
    const { createdMs, deadlineMs } = this.window;
    const remindMs = this.plan.remindAfter !== undefined ? durationMs(this.plan.remindAfter) : undefined;
    const escalateMs = this.plan.escalateAfter !== undefined ? durationMs(this.plan.escalateAfter) : undefined;
    const waits: Promise<void>[] = [];
    if (remindMs && remindMs > 0 && this.plan.channels.length > 0) {
      waits.push(
        (async () => {
          while (progress.reminders < MAX_REMINDERS) {
            const at = createdMs + (progress.reminders + 1) * remindMs;
            if (at >= deadlineMs) return;
            await sleep(Math.max(at - Date.now(), 1));
            const n = ++progress.reminders;
            for (const channel of this.plan.channels) void this.deliver(channel, 'reminder', n);
          }
        })(),
      );
    }
    const escalateTo = this.plan.escalateTo ?? [];
    if (escalateMs && escalateMs > 0 && escalateTo.length > 0 && !progress.escalated && createdMs + escalateMs < deadlineMs) {
      waits.push(
        (async () => {
          await sleep(Math.max(createdMs + escalateMs - Date.now(), 1));
          progress.escalated = true;
          for (const channel of escalateTo) void this.deliver(channel, 'escalation');
        })(),
      );
    }
    await Promise.all(waits);
  }

  /** A dashboard channel that mirrored the approval to the platform: read a decision made there back into the run. */
  private watchIfMirrored(d: Delivery): void {
    const platformApprovalId = d.ref?.platformApprovalId;
    const onDecision = this.onPlatformDecision;
    const subject = this.subject();
    if (!platformApprovalId || !onDecision || subject.kind !== 'approval' || d.status !== 'sent') return;
    const remaining = this.window.deadlineMs - Date.now();
    if (remaining <= 0) return;
    const { watchPlatform } = proxyActivities<HitlActivities>({
      scheduleToCloseTimeout: remaining,
      heartbeatTimeout: '30s',
      retry: { initialInterval: '1s', maximumInterval: '30s' },
    });
    this.inBackground(async () => {
      try {
        onDecision(await watchPlatform({ channel: d.channel, workspaceId: subject.owner, platformApprovalId, approvalId: this.id }));
      } catch (err) {
        if (isCancellation(err)) throw err;
        log.warn('platform watch ended without a decision', { channel: d.channel, error: errorText(err) });
      }
    });
  }

  private async deliver(channel: string, kind: MessageKind, n = 0, outcome?: NotifyOutcome): Promise<Delivery> {
    const ref = kind === 'request' ? undefined : this.last(channel, 'request')?.ref;
    let delivery: Delivery;
    try {
      const got = await (kind === 'outcome' ? sendOutcome : send).notify({
        channel,
        kind,
        subject: this.subject(),
        dedupeKey: dedupeKey(this.id, channel, kind, n),
        ...(outcome && { outcome }),
        ...(ref && { ref }),
      });
      delivery = {
        channel,
        kind,
        status: got?.status === 'skipped' ? 'skipped' : 'sent',
        at: isoAt(Date.now()),
        ...(got?.error && { error: String(got.error).slice(0, 300) }),
        ...(got?.ref && { ref: got.ref }),
      };
    } catch (err) {
      delivery = { channel, kind, status: 'failed', at: isoAt(Date.now()), error: errorText(err) };
      if (!isCancellation(err)) await this.onFailure(delivery);
    }
    this.keep(delivery);
    return delivery;
  }

  private last(channel: string, kind: MessageKind): Delivery | undefined {
    return this.state.deliveries?.find((d) => d.channel === channel && d.kind === kind);
  }

  private keep(d: Delivery): void {
    const list = (this.state.deliveries ??= []);
    const at = list.findIndex((x) => x.channel === d.channel && x.kind === d.kind);
    // The request's ref is what reminders and outcomes thread under: a failed outcome never erases it.
    if (at >= 0) list[at] = d;
    else list.push(d);
  }

  private inBackground(fn: () => Promise<void>): void {
    this.background.run(fn).catch((err: unknown) => {
      if (!isCancellation(err)) log.warn('notification timer failed', { error: errorText(err) });
    });
  }
}

/** The innermost message of an activity failure, short, for the state and the audit line. */
function errorText(err: unknown): string {
  let e = err as { message?: unknown; cause?: unknown } | undefined;
  while (e?.cause && typeof e.cause === 'object') e = e.cause as typeof e;
  return String(e?.message ?? err).slice(0, 300);
}

/** The notification window of a state: when it was asked, and its deadline. */
export const windowOf = (createdAt: string, deadline: string) => ({ createdMs: Date.parse(createdAt), deadlineMs: Date.parse(deadline) });
