import { z } from 'zod';
import { DEFAULT_TASK_QUEUE, DEFAULT_TIMEOUT_SECONDS } from '../common/constants.js';

const nonEmpty = z.string().trim().min(1, 'must be a non-empty string');

const DashboardChannel = z.strictObject({ type: z.literal('dashboard') });
const SlackChannel = z.strictObject({
  type: z.literal('slack'),
  /** Without one the channel is skipped, as in the reference. */
  webhook_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  signing_secret: nonEmpty.optional(),
});
const EmailChannel = z.strictObject({
  type: z.literal('email'),
  smtp_host: nonEmpty.optional(),
  smtp_port: z.number().int().min(1).max(65535).default(587),
  from: nonEmpty.optional(),
  to: z.union([nonEmpty, z.array(nonEmpty).min(1)]).optional(),
  username: nonEmpty.optional(),
  /** Prefer the SMTP_PASSWORD environment variable. */
  password: nonEmpty.optional(),
});

export const ChannelYaml = z.discriminatedUnion('type', [DashboardChannel, SlackChannel, EmailChannel], {
  error: 'each channel needs type: dashboard, slack or email',
});

export const HitlYaml = z.strictObject(
  {
    channels: z.array(ChannelYaml).default([{ type: 'dashboard' }]),
    default_timeout: z
      .number({ error: 'must be a number of seconds, e.g. 300' })
      .positive('must be a positive number of seconds, e.g. 300')
      .default(DEFAULT_TIMEOUT_SECONDS),
    bypass_roles: z.array(nonEmpty, { error: 'must be a list of role names, e.g. [admin]' }).default([]),
    four_eyes: z.boolean().default(false),
    required_approvals: z.number().int().min(1).max(20).default(1),
  },
  { error: 'must be a mapping with keys channels, default_timeout, bypass_roles, four_eyes, required_approvals' },
);

export const TemporalYaml = z.strictObject(
  {
    address: nonEmpty.default('localhost:7233'),
    namespace: nonEmpty.default('default'),
    task_queue: nonEmpty.default(DEFAULT_TASK_QUEUE),
  },
  { error: 'must be a mapping with keys address, namespace, task_queue' },
);

/** The whole `config.yaml`: only `hitl` and `temporal` are ours; other top-level keys belong to the host platform. */
export const ConfigYaml = z.looseObject({
  hitl: HitlYaml.nullish().transform((v) => v ?? HitlYaml.parse({})),
  temporal: TemporalYaml.nullish().transform((v) => v ?? TemporalYaml.parse({})),
});
export type ConfigYaml = z.infer<typeof ConfigYaml>;
