/**
 * The channel activities: `notify` sends one message to one channel, `watchPlatform` waits for a decision made on the
 * agent platform's dashboard. They read URLs, tokens, passwords and signing keys from the worker's config; the
 * workflow passes channel names only, and gets back a `Delivery` whose error text carries no secret.
 *
 * Idempotence: a message is keyed by `dedupeKey`. This process remembers the keys it sent lately (and joins an attempt
 * still in flight, e.g. one whose start-to-close timeout passed), so a retry does not send again. Delivery is
 * at-least-once nonetheless: a worker that crashes between sending and reporting, or a retry that lands on another
 * worker process, sends the message a second time.
 */
import { Context } from '@temporalio/activity';
import type { Delivery, NotifyInput, PlatformDecision, WatchPlatformInput } from '../../common/notify.js';
import { channelName, type ChannelConfig, type WorkerConfig } from '../../config/index.js';
import type { SendContext, SendResult } from './context.js';
import { sendEmail } from './email.js';
import { redact } from './errors.js';
import { sendPlatform, watchPlatform } from './platform.js';
import { sendSlack } from './slack.js';

/** What the channel activities need from the worker's config, plus knobs for tests. */
export type ChannelSettings = Pick<WorkerConfig, 'channels' | 'channelSecrets' | 'publicUrl' | 'linkSigningKeys'> & {
  /** Per HTTP request or SMTP step; a hanging server fails the attempt after this. @default 10_000 */
  timeoutMs?: number;
  /** How often `watchPlatform` polls the platform. @default 1_000 */
  pollIntervalMs?: number;
};

/** Messages this process remembers having sent. */
const RECENT = 10_000;

export function createChannelActivities(settings: ChannelSettings | undefined) {
  const timeoutMs = settings?.timeoutMs ?? 10_000;
  const inFlight = new Map<string, Promise<Delivery>>();
  const recipients = new Set<string>();
  let warnedNoLinks = false;

  const contextOf = (): SendContext => {
    const activity = Context.current();
    return {
      publicUrl: settings?.publicUrl ?? 'http://127.0.0.1:8080',
      linkSigningKeys: settings?.linkSigningKeys ?? [],
      timeoutMs,
      signal: activity.cancellationSignal,
      log: activity.log,
      warnNoLinks: () => {
        if (warnedNoLinks) return;
        warnedNoLinks = true;
        activity.log.warn(
          'hitl notify: no link-signing key (HITL_LINK_SIGNING_KEYS), so messages point to the inbox instead of carrying decision links',
        );
      },
    };
  };

  const find = (name: string): ChannelConfig | undefined => settings?.channels.find((c) => channelName(c) === name);
  const secretsOf = (name: string) => settings?.channelSecrets[name] ?? {};
  const allSecrets = (): string[] => [
    ...Object.values(settings?.channelSecrets ?? {}).flatMap((s) => Object.values(s).filter(isString)),
    ...(settings?.linkSigningKeys ?? []).map((k) => k.secret),
  ];

  async function send(ctx: SendContext, input: NotifyInput): Promise<SendResult> {
    const channel = find(input.channel);
    if (!channel)
      return { status: 'skipped', error: `no channel named ${JSON.stringify(input.channel.slice(0, 40))} in this worker's hitl.channels` };
    const secrets = secretsOf(input.channel);
    switch (channel.type) {
      case 'slack':
        return sendSlack(ctx, channel, input.channel, secrets, input);
      case 'email':
        return sendEmail(ctx, channel, input.channel, secrets, input, {
          has: (k) => recipients.has(k),
          add: (k) => remember(recipients, k),
        });
      case 'dashboard':
        return sendPlatform(ctx, channel, secrets, input);
    }
  }

  return {
    /** Sends one message to one channel. @throws ApplicationFailure `ChannelRejected` (not retried) or a retryable error. */
    async notify(input: NotifyInput): Promise<Delivery> {
      const earlier = inFlight.get(input.dedupeKey);
      if (earlier) {
        try {
          return await earlier;
        } catch {
          // that attempt failed (or was cancelled with its timeout): this one tries again
        }
      }
      const ctx = contextOf();
      const attempt = (async (): Promise<Delivery> => {
        try {
          const result = await send(ctx, input);
          const delivery: Delivery = { channel: input.channel, kind: input.kind, at: new Date().toISOString(), ...result };
          if (result.status === 'skipped')
            ctx.log.warn('hitl notify skipped', { channel: input.channel, kind: input.kind, reason: result.error });
          return delivery;
        } catch (err) {
          // Belt and braces: every sender builds its own messages, but none may carry a configured secret.
          if (err instanceof Error) err.message = redact(err.message, allSecrets());
          ctx.log.warn('hitl notify failed', {
            channel: input.channel,
            kind: input.kind,
            error: err instanceof Error ? err.message : 'failed',
          });
          throw err;
        }
      })();
      inFlight.set(input.dedupeKey, attempt);
      attempt.then(
        () => trim(inFlight),
        () => {
          if (inFlight.get(input.dedupeKey) === attempt) inFlight.delete(input.dedupeKey);
        },
      );
      return attempt;
    },

    /** Waits, heartbeating, for the platform's decision on its mirror of an approval; cancelled when the decision came another way. */
    async watchPlatform(input: WatchPlatformInput): Promise<PlatformDecision> {
      const channel = find(input.channel);
      return watchPlatform(contextOf(), channel?.type === 'dashboard' ? channel : undefined, secretsOf(input.channel), input, {
        pollIntervalMs: settings?.pollIntervalMs ?? 1_000,
      });
    },
  };
}

export type ChannelActivities = ReturnType<typeof createChannelActivities>;

const isString = (v: unknown): v is string => typeof v === 'string';

function remember(set: Set<string>, key: string): void {
  set.add(key);
  if (set.size > RECENT) set.delete(set.values().next().value!);
}

function trim(map: Map<string, unknown>): void {
  while (map.size > RECENT) map.delete(map.keys().next().value!);
}
