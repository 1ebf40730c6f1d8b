import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ConfigError } from '../common/errors.js';
import { processEnv, type Env } from './env.js';
import { ConfigYaml, type ChannelYaml } from './schema.js';

export { ENV_VARS, type Env } from './env.js';

/** A notification channel as every role sees it: what it is, never its secrets (those are the worker's). */
export type ChannelConfig =
  | {
      type: 'dashboard';
      name?: string;
      /** Set when approvals are mirrored to the agent platform (`platform_url`, else env PLATFORM_URL). */
      platformUrl?: string;
    }
  | {
      type: 'slack';
      name?: string;
      /** `bot` with a bot token and a channel, `webhook` with a webhook URL, `off` with neither (skipped). */
      mode: 'bot' | 'webhook' | 'off';
      channel?: string;
      /** @default 'https://slack.com/api' */
      apiUrl: string;
    }
  | {
      type: 'email';
      name?: string;
      smtpHost?: string;
      smtpPort: number;
      from?: string;
      to: string[];
      username?: string;
      /** @default 'temporal-hitl' */
      subjectPrefix: string;
      caPath?: string;
    };

/** The secrets of one channel, held by the worker only. */
export interface ChannelSecrets {
  /** Slack incoming webhook URL. */
  webhookUrl?: string;
  /** Slack signing secret. */
  signingSecret?: string;
  /** SMTP password: SMTP_PASSWORD, else the file's. */
  password?: string;
  /** Slack bot token: SLACK_BOT_TOKEN, else the file's. */
  botToken?: string;
  /** Platform bearer token: PLATFORM_TOKEN, else the file's. */
  platformToken?: string;
}

/** A key that signs links; the first of a list signs, every one verifies (rotation by key id). */
export interface SigningKey {
  id: string;
  secret: string;
}

/** Settings of temporal-hitl as an agent's process (the client role) needs them: policy and where Temporal is. */
export interface HitlConfig {
  /** Which channels notify; their secrets stay with the worker. @default [{ type: 'dashboard' }] */
  channels: ChannelConfig[];
  /** Seconds before an unanswered pause or approval times out. @default 300 */
  defaultTimeout: number;
  /** Roles that skip the approval gate. @default [] */
  bypassRoles: string[];
  /** Refuse a decision by the requester of the approval. @default false */
  fourEyes: boolean;
  /** Distinct approvals needed to grant. @default 1 */
  requiredApprovals: number;
  /** Seconds after a request to notify its channels again while undecided. @default none */
  remindAfter?: number;
  /** Seconds after a request to notify `escalateTo` while undecided. @default none */
  escalateAfter?: number;
  /** Channel names that get escalations only. @default [] */
  escalateTo: string[];
  /** Notify the channels of pauses too. @default false */
  notifyPauses: boolean;
  /** Named groups of deciders (`hitl.groups`), for `approvers: ['group:ops']`. @default {} */
  groups: Record<string, string[]>;
  temporal: {
    /** @default 'localhost:7233' (env TEMPORAL_ADDRESS) */
    address: string;
    /** @default 'default' (env TEMPORAL_NAMESPACE) */
    namespace: string;
    /** @default 'hitl' */
    taskQueue: string;
    /** TLS to the frontend: `true`, or files for a private CA and mTLS. @default no TLS (TLS when an API key is set) */
    tls?: boolean | { serverName?: string; caPath?: string; certPath?: string; keyPath?: string };
    /** An API key, e.g. Temporal Cloud's (env TEMPORAL_API_KEY, else `temporal.api_key`). */
    apiKey?: string;
  };
  /** The agent platform's base URL. @default 'http://localhost:8080' (env PLATFORM_URL) */
  platformUrl: string;
  /** This process's workspace (env WORKSPACE_ID). */
  workspaceId?: string;
  /** This process's roles, for `bypassRoles` (env WORKSPACE_ROLES). @default [] */
  roles?: string[];
}

/** What the worker needs on top: the channels' secrets, the audit file, the link-signing keys. */
export interface WorkerConfig extends HitlConfig {
  /** By channel name (its `name`, else its type). */
  channelSecrets: Record<string, ChannelSecrets>;
  /** Audit log file; without one, audit lines go to the worker log. (env AUDIT_LOG_PATH, else `worker.audit_log_path`) */
  auditLogPath?: string;
  /** The gateway's public base URL, the base of links. @default `http://127.0.0.1:${gateway.port}` (env HITL_PUBLIC_URL) */
  publicUrl: string;
  /** (env HITL_LINK_SIGNING_KEYS) */
  linkSigningKeys: SigningKey[];
}

/** A bearer token the gateway accepts, stored as its SHA-256 (hex). */
export interface GatewayToken {
  /** Who the token is: the decider recorded for its decisions. */
  name: string;
  /** The one workspace it sees and decides. */
  workspace: string;
  sha256: string;
}

/** What the gateway needs on top: where to listen, its public URL, the link-signing keys, who may call it. */
export interface GatewayConfig extends HitlConfig {
  gateway: { host: string; port: number; publicUrl: string };
  linkSigningKeys: SigningKey[];
  /** Workspace bearer tokens (`gateway.tokens`). @default [] */
  tokens: GatewayToken[];
  /** Tokens for the cross-workspace pending list (`gateway.admin_tokens`). @default [] */
  adminTokens: Omit<GatewayToken, 'workspace'>[];
  /** Slack user id → decider name (`gateway.slack_users`); others decide as `slack:<user id>`. @default {} */
  slackUsers: Record<string, string>;
  /** Signing secrets of the Slack apps whose buttons the gateway accepts (env SLACK_SIGNING_SECRET, else each slack channel's `signing_secret`). */
  slackSigningSecrets: string[];
}

/** A channel's name in config, workflow input and the worker's secrets: its `name`, else its type. */
export const channelName = (c: { type: string; name?: string }): string => c.name ?? c.type;

/**
 * Validates a parsed `config.yaml` document and applies env overrides: the client role's view, without secrets.
 * @throws ConfigError naming the key, e.g. `hitl.default_timeout`.
 * @example parseConfig({ hitl: { default_timeout: 60, bypass_roles: ['admin'] } })
 */
export function parseConfig(document: unknown, env: Env = processEnv()): HitlConfig {
  const { hitl, temporal } = validate(document);
  const publicChannel = publicChannelOf(env);
  const platformUrl = env.PLATFORM_URL || 'http://localhost:8080';
  if (!URL.canParse(platformUrl))
    throw new ConfigError('PLATFORM_URL', `must be a URL such as http://localhost:8080, got ${JSON.stringify(platformUrl)}`);
  return {
    channels: hitl.channels.map(publicChannel),
    defaultTimeout: hitl.default_timeout,
    bypassRoles: hitl.bypass_roles,
    fourEyes: hitl.four_eyes,
    requiredApprovals: hitl.required_approvals,
    ...(hitl.remind_after !== undefined && { remindAfter: hitl.remind_after }),
    ...(hitl.escalate_after !== undefined && { escalateAfter: hitl.escalate_after }),
    escalateTo: hitl.escalate_to,
    notifyPauses: hitl.notify_pauses,
    groups: hitl.groups,
    temporal: {
      address: env.TEMPORAL_ADDRESS || temporal.address,
      namespace: env.TEMPORAL_NAMESPACE || temporal.namespace,
      taskQueue: temporal.task_queue,
      ...(temporal.tls !== undefined && { tls: tlsOf(temporal.tls) }),
      ...((env.TEMPORAL_API_KEY || temporal.api_key) && { apiKey: env.TEMPORAL_API_KEY || temporal.api_key }),
    },
    platformUrl: platformUrl.replace(/\/+$/, ''),
    ...(env.WORKSPACE_ID ? { workspaceId: env.WORKSPACE_ID } : {}),
    roles: rolesOf(env),
  };
}

/** The worker role's view of a `config.yaml` document: the client's, plus channel secrets, audit path and signing keys. */
export function parseWorkerConfig(document: unknown, env: Env = processEnv()): WorkerConfig {
  const yaml = validate(document);
  const channelSecrets: Record<string, ChannelSecrets> = {};
  for (const c of yaml.hitl.channels) {
    const secrets: ChannelSecrets =
      c.type === 'slack'
        ? {
            webhookUrl: c.webhook_url,
            botToken: env.SLACK_BOT_TOKEN || c.bot_token,
            signingSecret: env.SLACK_SIGNING_SECRET || c.signing_secret,
          }
        : c.type === 'email'
          ? { password: env.SMTP_PASSWORD || c.password }
          : { platformToken: env.PLATFORM_TOKEN || c.platform_token };
    channelSecrets[channelName(c)] = Object.fromEntries(Object.entries(secrets).filter(([, v]) => v !== undefined));
  }
  const auditLogPath = env.AUDIT_LOG_PATH || yaml.worker.audit_log_path;
  return {
    ...parseConfig(document, env),
    channelSecrets,
    ...(auditLogPath && { auditLogPath }),
    publicUrl: publicUrl(yaml, env),
    linkSigningKeys: signingKeys(env),
  };
}

/** The gateway role's view: the client's, plus where to listen, its public URL, the link-signing keys and its callers. */
export function parseGatewayConfig(document: unknown, env: Env = processEnv()): GatewayConfig {
  const yaml = validate(document);
  const fileSecrets = yaml.hitl.channels.flatMap((c) => (c.type === 'slack' && c.signing_secret ? [c.signing_secret] : []));
  return {
    ...parseConfig(document, env),
    gateway: { host: yaml.gateway.host, port: yaml.gateway.port, publicUrl: publicUrl(yaml, env) },
    linkSigningKeys: signingKeys(env),
    tokens: yaml.gateway.tokens.map((t) => ({ ...t, sha256: t.sha256.toLowerCase() })),
    adminTokens: yaml.gateway.admin_tokens.map((t) => ({ ...t, sha256: t.sha256.toLowerCase() })),
    slackUsers: yaml.gateway.slack_users,
    slackSigningSecrets: env.SLACK_SIGNING_SECRET ? [env.SLACK_SIGNING_SECRET] : [...new Set(fileSecrets)],
  };
}

/**
 * Reads and validates `config.yaml` for an agent's process (the client role: no secrets); a missing file gives the defaults.
 * @default path './config.yaml'
 * @example const config = await loadConfig();
 */
export async function loadConfig(path = './config.yaml', env: Env = processEnv()): Promise<HitlConfig> {
  return parseConfig(await readDocument(path), env);
}

/** `loadConfig` for the worker: with the channels' secrets, the audit file and the link-signing keys. */
export async function loadWorkerConfig(path = './config.yaml', env: Env = processEnv()): Promise<WorkerConfig> {
  return parseWorkerConfig(await readDocument(path), env);
}

/** `loadConfig` for the gateway. */
export async function loadGatewayConfig(path = './config.yaml', env: Env = processEnv()): Promise<GatewayConfig> {
  return parseGatewayConfig(await readDocument(path), env);
}

/** The worker's view of a client-role config: secrets and paths from the environment only. */
export function workerConfigOf(config: HitlConfig | WorkerConfig, env: Env = processEnv()): WorkerConfig {
  if ('channelSecrets' in config) return config;
  const base = parseWorkerConfig({}, env);
  return {
    ...config,
    channelSecrets: {},
    publicUrl: base.publicUrl,
    linkSigningKeys: base.linkSigningKeys,
    ...(base.auditLogPath && { auditLogPath: base.auditLogPath }),
  };
}

async function readDocument(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(path, `cannot read the file (${(err as Error).message})`, { cause: err });
  }
  try {
    const { parse } = await import('yaml'); // only a process that reads a file pays for the YAML parser
    return parse(text);
  } catch (err) {
    // Only the first line: the rest is a code frame that may quote a password from the file.
    throw new ConfigError(path, `not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}

function validate(document: unknown): ConfigYaml {
  const parsed = ConfigYaml.safeParse(document ?? {}, { reportInput: true });
  if (!parsed.success) throw toConfigError(parsed.error);
  return parsed.data;
}

const publicChannelOf =
  (env: Env) =>
  (c: ChannelYaml): ChannelConfig => {
    const named = c.name ? { name: c.name } : {};
    if (c.type === 'slack') {
      const bot = Boolean((env.SLACK_BOT_TOKEN || c.bot_token) && c.channel);
      if ((env.SLACK_BOT_TOKEN || c.bot_token) && !c.channel && !c.webhook_url) {
        throw new ConfigError(`hitl.channels.${channelName(c)}.channel`, 'bot mode needs the channel id to post in, e.g. C0123456789');
      }
      return {
        type: 'slack',
        ...named,
        mode: bot ? 'bot' : c.webhook_url ? 'webhook' : 'off',
        ...(c.channel && { channel: c.channel }),
        apiUrl: (c.api_url ?? 'https://slack.com/api').replace(/\/+$/, ''),
      };
    }
    if (c.type === 'email') {
      return {
        type: 'email',
        ...named,
        smtpHost: c.smtp_host,
        smtpPort: c.smtp_port,
        from: c.from,
        to: c.to === undefined ? [] : [c.to].flat(),
        username: c.username,
        subjectPrefix: c.subject_prefix,
        ...(c.ca_path && { caPath: c.ca_path }),
      };
    }
    const platformUrl = c.platform_url ?? env.PLATFORM_URL;
    return { type: 'dashboard', ...named, ...(platformUrl && { platformUrl: platformUrl.replace(/\/+$/, '') }) };
  };

function publicUrl(yaml: ConfigYaml, env: Env): string {
  const url = env.HITL_PUBLIC_URL || yaml.gateway.public_url || `http://127.0.0.1:${yaml.gateway.port}`;
  if (!URL.canParse(url))
    throw new ConfigError('HITL_PUBLIC_URL', `must be a URL such as https://hitl.example.com, got ${JSON.stringify(url)}`);
  return url.replace(/\/+$/, '');
}

function signingKeys(env: Env): SigningKey[] {
  const raw = env.HITL_LINK_SIGNING_KEYS;
  if (!raw) return [];
  return raw.split(',').map((entry, i) => {
    const at = entry.indexOf(':');
    const id = at > 0 ? entry.slice(0, at).trim() : '';
    const secret = at > 0 ? entry.slice(at + 1).trim() : '';
    if (!/^[A-Za-z0-9_-]{1,20}$/.test(id) || secret.length < 32) {
      // Never echo the value: it is a secret.
      throw new ConfigError('HITL_LINK_SIGNING_KEYS', `entry ${i + 1} must be id:secret, a short id and a secret of 32 or more characters`);
    }
    return { id, secret };
  });
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
const SECRET_KEYS = new Set(['password', 'webhook_url', 'signing_secret', 'api_key', 'bot_token', 'platform_token', 'sha256']); // sha256: a raw token pasted by mistake

function tlsOf(
  tls: boolean | { server_name?: string; ca_path?: string; cert_path?: string; key_path?: string },
): NonNullable<HitlConfig['temporal']['tls']> {
  if (typeof tls === 'boolean') return tls;
  if ((tls.cert_path === undefined) !== (tls.key_path === undefined)) {
    throw new ConfigError('temporal.tls', 'cert_path and key_path go together (mTLS): set both or neither');
  }
  return {
    ...(tls.server_name && { serverName: tls.server_name }),
    ...(tls.ca_path && { caPath: tls.ca_path }),
    ...(tls.cert_path && { certPath: tls.cert_path }),
    ...(tls.key_path && { keyPath: tls.key_path }),
  };
}

/**
 * grpc-js waits up to 120 s between reconnects by default, so a client would not see a server that is back for that
 * long after an outage; `@temporalio/client` `Connection`s the library opens cap the wait at 5 s.
 * @example Connection.connect({ address, channelArgs: CLIENT_CHANNEL_ARGS })
 */
export const CLIENT_CHANNEL_ARGS = { 'grpc.initial_reconnect_backoff_ms': 500, 'grpc.max_reconnect_backoff_ms': 5_000 } as const;

/**
 * What `Connection.connect` and `NativeConnection.connect` take for `config.temporal`: address, TLS (with its files
 * read), API key. Every connection the library opens goes through this.
 * @example const connection = await Connection.connect(await connectionOptions(config));
 */
export async function connectionOptions(config: Pick<HitlConfig, 'temporal'>): Promise<{
  address: string;
  tls?:
    boolean | { serverNameOverride?: string; serverRootCACertificate?: Uint8Array; clientCertPair?: { crt: Uint8Array; key: Uint8Array } };
  apiKey?: string;
}> {
  const { address, tls, apiKey } = config.temporal;
  const read = async (key: string, path: string) =>
    readFile(path).catch((err: NodeJS.ErrnoException) => {
      throw new ConfigError(`temporal.tls.${key}`, `cannot read ${path} (${err.code ?? err.message})`);
    });
  let tlsOption: boolean | Record<string, unknown> | undefined =
    tls === undefined ? (apiKey ? true : undefined) : typeof tls === 'boolean' ? tls : {};
  if (typeof tls === 'object') {
    tlsOption = {
      ...(tls.serverName && { serverNameOverride: tls.serverName }),
      ...(tls.caPath && { serverRootCACertificate: await read('ca_path', tls.caPath) }),
      ...(tls.certPath &&
        tls.keyPath && { clientCertPair: { crt: await read('cert_path', tls.certPath), key: await read('key_path', tls.keyPath) } }),
    };
  }
  return { address, ...(tlsOption !== undefined && { tls: tlsOption }), ...(apiKey && { apiKey }) };
}

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

/** The caller's roles from WORKSPACE_ROLES (comma-separated). */
export function rolesOf(env: Env = processEnv()): string[] {
  return (env.WORKSPACE_ROLES ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
}
