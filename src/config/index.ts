import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../common/errors.js';
import { ConfigYaml } from './schema.js';

export type ChannelConfig =
  | { type: 'dashboard' }
  | { type: 'slack'; webhookUrl?: string; signingSecret?: string }
  | {
      type: 'email';
      smtpHost?: string;
      smtpPort: number;
      from?: string;
      to: string[];
      username?: string;
      /** From SMTP_PASSWORD when set, else from the file. Read only on the worker. */
      password?: string;
    };

/** Settings of temporal-hitl: the reference's `hitl:` block plus where Temporal is. */
export interface HitlConfig {
  /** @default [{ type: 'dashboard' }] */
  channels: ChannelConfig[];
  /** Seconds before an unanswered pause or approval times out. @default 300 */
  defaultTimeout: number;
  /** Roles that skip the approval gate. @default [] */
  bypassRoles: string[];
  /** Refuse a decision by the requester of the approval. @default false */
  fourEyes: boolean;
  /** Distinct approvals needed to grant. @default 1 */
  requiredApprovals: number;
  temporal: {
    /** @default 'localhost:7233' (env TEMPORAL_ADDRESS) */
    address: string;
    /** @default 'default' (env TEMPORAL_NAMESPACE) */
    namespace: string;
    /** @default 'hitl' */
    taskQueue: string;
  };
  /** Base URL of the links sent to humans. @default 'http://localhost:8080' (env PLATFORM_URL) */
  platformUrl: string;
  /** This process's workspace (env WORKSPACE_ID). */
  workspaceId?: string;
}

type Env = Record<string, string | undefined>;

/**
 * Validates a parsed `config.yaml` document and applies env overrides.
 * @throws ConfigError naming the key, e.g. `hitl.default_timeout`.
 * @example parseConfig({ hitl: { default_timeout: 60, bypass_roles: ['admin'] } })
 */
export function parseConfig(document: unknown, env: Env = process.env): HitlConfig {
  const parsed = ConfigYaml.safeParse(document ?? {}, { reportInput: true });
  if (!parsed.success) throw toConfigError(parsed.error);
  const { hitl, temporal } = parsed.data;
  const platformUrl = env.PLATFORM_URL || 'http://localhost:8080';
  if (!URL.canParse(platformUrl))
    throw new ConfigError('PLATFORM_URL', `must be a URL such as http://localhost:8080, got ${JSON.stringify(platformUrl)}`);
  return {
    channels: hitl.channels.map((c): ChannelConfig => {
      if (c.type === 'slack') return { type: 'slack', webhookUrl: c.webhook_url, signingSecret: c.signing_secret };
      if (c.type === 'email') {
        return {
          type: 'email',
          smtpHost: c.smtp_host,
          smtpPort: c.smtp_port,
          from: c.from,
          to: c.to === undefined ? [] : [c.to].flat(),
          username: c.username,
          password: env.SMTP_PASSWORD || c.password,
        };
      }
      return { type: 'dashboard' };
    }),
    defaultTimeout: hitl.default_timeout,
    bypassRoles: hitl.bypass_roles,
    fourEyes: hitl.four_eyes,
    requiredApprovals: hitl.required_approvals,
    temporal: {
      address: env.TEMPORAL_ADDRESS || temporal.address,
      namespace: env.TEMPORAL_NAMESPACE || temporal.namespace,
      taskQueue: temporal.task_queue,
    },
    platformUrl: platformUrl.replace(/\/+$/, ''),
    ...(env.WORKSPACE_ID ? { workspaceId: env.WORKSPACE_ID } : {}),
  };
}

/**
 * Reads and validates `config.yaml`; a missing file gives the defaults.
 * @default path './config.yaml'
 * @example const config = await loadConfig();
 */
export async function loadConfig(path = './config.yaml', env: Env = process.env): Promise<HitlConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return parseConfig({}, env);
    throw new ConfigError(path, `cannot read the file (${(err as Error).message})`, { cause: err });
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (err) {
    // Only the first line: the rest is a code frame that may quote a password from the file.
    throw new ConfigError(path, `not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseConfig(document, env);
}

function toConfigError(error: z.ZodError): ConfigError {
  const issue = error.issues[0]!;
  const at = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const key = [...at, issue.keys[0] ?? ''].join('.');
    return new ConfigError(key, 'unknown key: remove it or check its spelling');
  }
  const input = issue.code === 'invalid_union' && isRecord(issue.input) ? issue.input.type : issue.input;
  const got = describeValue(input, at);
  return new ConfigError(at.join('.') || '(document)', `${issue.message}${got ? `, got ${got}` : ''}`);
}

/** Keys whose values must never be echoed into an error message. */
const SECRET_KEYS = new Set(['password', 'webhook_url', 'signing_secret']);

/** What was found, without echoing anything that may hold a secret: no mappings, lists, or strings under channels. */
function describeValue(value: unknown, at: string[]): string {
  if (SECRET_KEYS.has(at[at.length - 1] ?? '')) return '';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (isRecord(value)) return 'a mapping';
  if (typeof value === 'string' && at.includes('channels') && at[at.length - 1] !== 'type') return 'a string';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
