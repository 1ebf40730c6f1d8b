/**
 * Every environment variable temporal-hitl reads, and the only place that reads `process.env`: other modules take an
 * `Env` from here. The README's table lists the same names.
 */
export type Env = Record<string, string | undefined>;

/** What each variable sets, and which role reads it. */
export const ENV_VARS = {
  TEMPORAL_ADDRESS: 'Temporal frontend host:port, over `temporal.address` (every role)',
  TEMPORAL_NAMESPACE: 'Temporal namespace, over `temporal.namespace` (every role)',
  TEMPORAL_API_KEY: 'API key for the Temporal frontend (e.g. Temporal Cloud), over `temporal.api_key`; turns TLS on (every role)',
  WORKSPACE_ID: "the agent's workspace: it owns what it pauses and asks (client)",
  WORKSPACE_ROLES: "comma-separated roles of the agent's user, checked against `bypass_roles` (client)",
  PLATFORM_URL: "the agent platform's base URL (worker, gateway)",
  SMTP_PASSWORD: "SMTP password, over a channel's `password` (worker)",
  SLACK_BOT_TOKEN: "Slack bot token, over a slack channel's `bot_token` (worker)",
  SLACK_SIGNING_SECRET: "Slack app signing secret, over a slack channel's `signing_secret` (gateway)",
  PLATFORM_TOKEN: 'bearer token for the agent platform the dashboard channel mirrors to, over `platform_token` (worker)',
  AUDIT_LOG_PATH: 'file the audit lines are appended to, over `worker.audit_log_path` (worker)',
  HITL_PUBLIC_URL: "the gateway's public base URL, the base of every link sent to a human (worker, gateway)",
  HITL_LINK_SIGNING_KEYS: 'keys that sign links, `id:secret` comma-separated, newest first (worker, gateway)',
  USER: 'the default decider name of `temporal-hitl approve|deny` without --by (CLI)',
  TEMPORAL_CLI_PATH: 'a Temporal CLI to run the dev server with, instead of fetching one (dev tooling)',
  TEMPORAL_TEST_SERVER_PATH: 'a time-skipping test server binary (dev tooling)',
  TEMPORAL_HITL_CACHE: 'where fetched binaries are kept, default ~/.cache/temporal-hitl (dev tooling)',
  XDG_CACHE_HOME: 'the cache root when TEMPORAL_HITL_CACHE is unset (dev tooling)',
  PYTHON: 'the Python that runs pip to fetch the CLI, default python3 (dev tooling)',
  HITL_WORKFLOW_BUNDLE: 'a prebuilt workflow bundle for test and bench workers (dev tooling)',
} as const;

/** This process's environment. */
export const processEnv = (): Env => process.env;
