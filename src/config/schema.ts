import { z } from 'zod';
import { DEFAULT_TASK_QUEUE, DEFAULT_TIMEOUT_SECONDS, LIMITS } from '../common/constants.js';

const nonEmpty = z.string().trim().min(1, 'must be a non-empty string');
const channelName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/i, 'must be a short name of letters, digits, - and _, e.g. ops-email')
  .optional();

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const DashboardChannel = z.strictObject({
  type: z.literal('dashboard'),
  name: channelName,
  /** Mirror approvals to this agent platform (its `POST /workspaces/:id/approvals`); env PLATFORM_URL also turns it on. */
  platform_url: httpUrl.optional(),
  /** Bearer token for the platform; prefer the PLATFORM_TOKEN environment variable. */
  platform_token: nonEmpty.optional(),
});
const SlackChannel = z.strictObject({
  type: z.literal('slack'),
  name: channelName,
  /** Without one the channel is skipped, as in the reference. */
  webhook_url: httpUrl.optional(),
  /** Bot mode (`chat.postMessage`, messages updated in place); prefer the SLACK_BOT_TOKEN environment variable. */
  bot_token: nonEmpty.optional(),
  /** Bot mode: the channel id to post in, e.g. C0123456789. */
  channel: nonEmpty.optional(),
  /** Slack API base URL (tests point it at a local receiver). @default https://slack.com/api */
  api_url: httpUrl.optional(),
  /** Verifies Slack's interactivity requests at the gateway; prefer the SLACK_SIGNING_SECRET environment variable. */
  signing_secret: nonEmpty.optional(),
});
const EmailChannel = z.strictObject({
  type: z.literal('email'),
  name: channelName,
  smtp_host: nonEmpty.optional(),
  smtp_port: z.number().int().min(1).max(65535).default(587),
  from: nonEmpty.optional(),
  to: z.union([nonEmpty, z.array(nonEmpty).min(1)]).optional(),
  username: nonEmpty.optional(),
  /** Prefer the SMTP_PASSWORD environment variable. */
  password: nonEmpty.optional(),
  /** Subject prefix: `[<prefix>] Approval required: <action>`. @default temporal-hitl */
  subject_prefix: nonEmpty.default('temporal-hitl'),
  /** A PEM file of CAs to trust for the server's certificate, besides the system's (a private SMTP relay). */
  ca_path: nonEmpty.optional(),
});

const seconds = z
  .number({ error: 'must be a number of seconds, e.g. 600' })
  .positive('must be a positive number of seconds, e.g. 600')
  .max(LIMITS.maxTimeoutMs / 1000, 'may be at most 315360000 seconds (3650 days)');

export const ChannelYaml = z.discriminatedUnion('type', [DashboardChannel, SlackChannel, EmailChannel], {
  error: 'each channel needs type: dashboard, slack or email',
});
export type ChannelYaml = z.infer<typeof ChannelYaml>;

export const HitlYaml = z
  .strictObject(
    {
      channels: z
        .array(ChannelYaml)
        .default([{ type: 'dashboard' }])
        .refine((list) => new Set(list.map((c) => c.name ?? c.type)).size === list.length, {
          error: 'two channels share a name: give each channel of the same type its own name',
        }),
      default_timeout: z
        .number({ error: 'must be a number of seconds, e.g. 300' })
        .positive('must be a positive number of seconds, e.g. 300')
        .max(LIMITS.maxTimeoutMs / 1000, 'may be at most 315360000 seconds (3650 days)')
        .default(DEFAULT_TIMEOUT_SECONDS),
      bypass_roles: z.array(nonEmpty, { error: 'must be a list of role names, e.g. [admin]' }).default([]),
      four_eyes: z.boolean().default(false),
      required_approvals: z.number().int().min(1).max(20).default(1),
      /** Seconds after the request to notify the same channels again while undecided. */
      remind_after: seconds.optional(),
      /** Seconds after the request to notify `escalate_to` while undecided. */
      escalate_after: seconds.optional(),
      /** Channel names (from `channels`) that get only escalations. */
      escalate_to: z.array(nonEmpty, { error: 'must be a list of channel names, e.g. [ops-email]' }).default([]),
      /** Notify the channels of pauses too (a signed resume link). */
      notify_pauses: z.boolean().default(false),
      /** Named groups of deciders, for an approval's `approvers: ['group:ops']`. */
      groups: z
        .record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/i, 'group names are letters, digits, - and _'), z.array(nonEmpty).min(1))
        .default({}),
    },
    {
      error:
        'must be a mapping with keys channels, default_timeout, bypass_roles, four_eyes, required_approvals, remind_after, escalate_after, escalate_to, notify_pauses, groups',
    },
  )
  .refine((h) => h.escalate_to.every((n) => h.channels.some((c) => (c.name ?? c.type) === n)), {
    error: 'names a channel that is not in hitl.channels: add it there (by name) or remove it',
    path: ['escalate_to'],
  })
  .refine((h) => h.escalate_after !== undefined || h.escalate_to.length === 0, {
    error: 'escalate_to needs escalate_after (seconds), e.g. escalate_after: 3600',
    path: ['escalate_after'],
  });

const TlsYaml = z.union(
  [
    z.boolean(),
    z.strictObject({
      server_name: nonEmpty.optional(),
      ca_path: nonEmpty.optional(),
      cert_path: nonEmpty.optional(),
      key_path: nonEmpty.optional(),
    }),
  ],
  { error: 'must be true, false or a mapping with keys server_name, ca_path, cert_path, key_path' },
);

export const TemporalYaml = z.strictObject(
  {
    address: nonEmpty.default('localhost:7233'),
    namespace: nonEmpty.default('default'),
    task_queue: nonEmpty.default(DEFAULT_TASK_QUEUE),
    /** TLS to the frontend; mTLS with cert_path and key_path. */
    tls: TlsYaml.optional(),
    /** Prefer the TEMPORAL_API_KEY environment variable. */
    api_key: nonEmpty.optional(),
  },
  { error: 'must be a mapping with keys address, namespace, task_queue, tls, api_key' },
);

export const WorkerYaml = z.strictObject(
  {
    /** Env AUDIT_LOG_PATH wins. */
    audit_log_path: nonEmpty.optional(),
  },
  { error: 'must be a mapping with key audit_log_path' },
);

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/i, "must be the token's SHA-256 as 64 hex digits: temporal-hitl gateway --hash-token");
const tokenName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9@._-]{0,99}$/, 'must be a short name (letters, digits, @ . _ -): the decider it records');

export const GatewayYaml = z.strictObject(
  {
    host: nonEmpty.default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8787),
    /** Env HITL_PUBLIC_URL wins. */
    public_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    /** Bearer tokens, one workspace each, stored as SHA-256; the name is the decider the gateway records. */
    tokens: z
      .array(z.strictObject({ name: tokenName, workspace: nonEmpty, sha256: sha256Hex }), {
        error: 'must be a list of { name, workspace, sha256 }',
      })
      .default([]),
    /** Tokens for the cross-workspace pending list (`GET /approvals/pending`). */
    admin_tokens: z
      .array(z.strictObject({ name: tokenName, sha256: sha256Hex }), { error: 'must be a list of { name, sha256 }' })
      .default([]),
    /** Slack user id → decider name, for Slack buttons; an unmapped user decides as `slack:<user id>`. */
    slack_users: z.record(z.string().regex(/^[A-Z0-9]{2,30}$/, 'keys are Slack user ids, e.g. U0123ABC'), tokenName).default({}),
  },
  { error: 'must be a mapping with keys host, port, public_url, tokens, admin_tokens, slack_users' },
);

const orDefault = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? schema.parse({}));

/** The whole `config.yaml`: `hitl`, `temporal`, `worker` and `gateway` are ours; other top-level keys belong to the host platform. */
export const ConfigYaml = z.looseObject({
  hitl: orDefault(HitlYaml),
  temporal: orDefault(TemporalYaml),
  worker: orDefault(WorkerYaml),
  gateway: orDefault(GatewayYaml),
});
export type ConfigYaml = z.infer<typeof ConfigYaml>;
