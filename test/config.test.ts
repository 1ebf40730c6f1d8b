import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  ConfigError,
  connectionOptions,
  ENV_VARS,
  loadConfig,
  loadWorkerConfig,
  parseConfig,
  parseGatewayConfig,
  parseWorkerConfig,
} from '../src/index.js';

const noEnv = {};
const run = promisify(execFile);

describe('config (reference: HITLConfig defaults and loading)', () => {
  test('defaults when the hitl block is absent', () => {
    const config = parseConfig({ model: 'something-else' }, noEnv);
    assert.deepEqual(config.channels, [{ type: 'dashboard' }]);
    assert.equal(config.defaultTimeout, 300);
    assert.deepEqual(config.bypassRoles, []);
    assert.deepEqual(config.temporal, { address: 'localhost:7233', namespace: 'default', taskQueue: 'hitl' });
    assert.deepEqual(parseConfig(null, noEnv), config);
    assert.deepEqual(parseConfig({ hitl: null }, noEnv), config);
  });

  test('a full example, snake_case in YAML, camelCase out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hitl-config-'));
    const path = join(dir, 'config.yaml');
    await writeFile(
      path,
      `hitl:
  channels:
    - type: dashboard
    - type: slack
      webhook_url: https://hooks.slack.test/services/T/B/X
    - type: email
      smtp_host: smtp.example.com
      smtp_port: 2525
      from: alerts@example.com
      to: ops@example.com
      username: alerts@example.com
  default_timeout: 60
  bypass_roles: [admin]
  four_eyes: true
  required_approvals: 2
temporal:
  address: temporal:7233
  namespace: agents
  task_queue: approvals
`,
    );
    const env = { SMTP_PASSWORD: 's3cret', WORKSPACE_ID: 'ws-9', PLATFORM_URL: 'https://hitl.example.com/' };
    const config = await loadConfig(path, env);
    // The client role (an agent's process) sees which channels exist, never their secrets.
    assert.deepEqual(config.channels, [
      // PLATFORM_URL set: the dashboard channel mirrors approvals to the platform.
      { type: 'dashboard', platformUrl: 'https://hitl.example.com' },
      { type: 'slack', mode: 'webhook', apiUrl: 'https://slack.com/api' },
      {
        type: 'email',
        smtpHost: 'smtp.example.com',
        smtpPort: 2525,
        from: 'alerts@example.com',
        to: ['ops@example.com'],
        username: 'alerts@example.com',
        subjectPrefix: 'temporal-hitl',
      },
    ]);
    assert.ok(!JSON.stringify(config).includes('s3cret') && !JSON.stringify(config).includes('hooks.slack.test'));
    // The worker role holds them, by channel name.
    const worker = await loadWorkerConfig(path, env);
    assert.deepEqual(worker.channelSecrets, {
      dashboard: {},
      slack: { webhookUrl: 'https://hooks.slack.test/services/T/B/X' },
      email: { password: 's3cret' },
    });
    assert.deepEqual(worker.channels, config.channels);
    assert.equal(config.defaultTimeout, 60);
    assert.deepEqual(config.bypassRoles, ['admin']);
    assert.equal(config.fourEyes, true);
    assert.equal(config.requiredApprovals, 2);
    assert.deepEqual(config.temporal, { address: 'temporal:7233', namespace: 'agents', taskQueue: 'approvals' });
    assert.equal(config.platformUrl, 'https://hitl.example.com');
    assert.equal(config.workspaceId, 'ws-9');
  });

  test('env overrides TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE', () => {
    const config = parseConfig({ temporal: { address: 'a:1' } }, { TEMPORAL_ADDRESS: 'b:2', TEMPORAL_NAMESPACE: 'ns' });
    assert.deepEqual(config.temporal, { address: 'b:2', namespace: 'ns', taskQueue: 'hitl' });
  });

  test('a missing file gives the defaults', async () => {
    assert.equal((await loadConfig('/nonexistent/config.yaml', noEnv)).defaultTimeout, 300);
  });

  const malformed: [string, unknown, string][] = [
    ['default_timeout not a number', { hitl: { default_timeout: 'soon' } }, 'hitl.default_timeout'],
    ['default_timeout negative', { hitl: { default_timeout: -5 } }, 'hitl.default_timeout'],
    ['bypass_roles not a list', { hitl: { bypass_roles: 'admin' } }, 'hitl.bypass_roles'],
    ['channels not a list', { hitl: { channels: 'slack' } }, 'hitl.channels'],
    ['channel of unknown type', { hitl: { channels: [{ type: 'pager' }] } }, 'hitl.channels.0.type'],
    ['slack URL not a URL', { hitl: { channels: [{ type: 'slack', webhook_url: 'not a url' }] } }, 'hitl.channels.0.webhook_url'],
    ['smtp_port out of range', { hitl: { channels: [{ type: 'email', smtp_port: 70000 }] } }, 'hitl.channels.0.smtp_port'],
    ['misspelt key', { hitl: { default_timout: 30 } }, 'hitl.default_timout'],
    ['hitl not a mapping', { hitl: 5 }, 'hitl'],
    ['required_approvals zero', { hitl: { required_approvals: 0 } }, 'hitl.required_approvals'],
    ['task_queue empty', { temporal: { task_queue: '' } }, 'temporal.task_queue'],
  ];
  for (const [name, document, key] of malformed) {
    test(`malformed: ${name} → ConfigError naming ${key}`, () => {
      assert.throws(
        () => parseConfig(document, noEnv),
        (err: unknown) => err instanceof ConfigError && err.key === key && err.message.includes(key),
      );
    });
  }

  test('an error never echoes a secret value', () => {
    assert.throws(
      () => parseConfig({ hitl: { channels: [{ type: 'email', password: 12345678 }] } }, noEnv),
      (err: unknown) => err instanceof ConfigError && err.key === 'hitl.channels.0.password' && !err.message.includes('12345678'),
    );
    assert.throws(
      () => parseConfig({ hitl: { channels: [{ type: 'slack', webhook_url: 'hooks.slack.test/T0/SECRET' }] } }, noEnv),
      (err: unknown) => err instanceof ConfigError && !err.message.includes('SECRET'),
    );
  });

  test('no secret in an error, wherever the mistake is', async () => {
    const leaks: unknown[] = [
      { hitl: { channels: { type: 'email', password: 'hunter2' } } },
      { hitl: { channels: ['https://hooks.slack.test/services/T0/B0/hunter2'] } },
      { hitl: { channels: [{ type: 'slack', webhook_url: ['https://hooks.slack.test/hunter2'] }] } },
      { hitl: { channels: [{ type: 'email', to: 5, password: 'hunter2', smtp_host: 'x' }] } },
    ];
    for (const document of leaks) {
      assert.throws(
        () => parseConfig(document, noEnv),
        (err: unknown) => err instanceof ConfigError && !err.message.includes('hunter2'),
      );
    }
    const dir = await mkdtemp(join(tmpdir(), 'hitl-config-'));
    await writeFile(join(dir, 'leak.yaml'), 'hitl:\n  channels:\n    - type: email\n      password: hunter2: oops\n');
    await assert.rejects(loadConfig(join(dir, 'leak.yaml'), noEnv), (err: unknown) => {
      return (
        err instanceof ConfigError &&
        /not valid YAML/.test(err.message) &&
        !String(err.stack).includes('hunter2') &&
        err.cause === undefined
      );
    });
  });

  test('bad YAML and a bad PLATFORM_URL are ConfigErrors too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hitl-config-'));
    await writeFile(join(dir, 'bad.yaml'), 'hitl: [unclosed');
    await assert.rejects(loadConfig(join(dir, 'bad.yaml'), noEnv), ConfigError);
    assert.throws(
      () => parseConfig({}, { PLATFORM_URL: 'nope' }),
      (e: unknown) => e instanceof ConfigError && e.key === 'PLATFORM_URL',
    );
  });

  test('config by role: worker and gateway blocks, their env overrides, and errors that name the key', () => {
    const document = {
      hitl: {
        channels: [
          { type: 'email', name: 'ops-email', password: 'from-file' },
          { type: 'email', name: 'sec-email' },
        ],
      },
      worker: { audit_log_path: '/var/log/hitl.log' },
      gateway: { host: '0.0.0.0', port: 9000, public_url: 'https://hitl.example.com/' },
    };
    const worker = parseWorkerConfig(document, { HITL_LINK_SIGNING_KEYS: `k2:${'b'.repeat(32)},k1:${'a'.repeat(40)}` });
    assert.equal(worker.auditLogPath, '/var/log/hitl.log');
    assert.equal(worker.publicUrl, 'https://hitl.example.com');
    assert.deepEqual(worker.channelSecrets, { 'ops-email': { password: 'from-file' }, 'sec-email': {} });
    assert.deepEqual(
      worker.linkSigningKeys.map((k) => k.id),
      ['k2', 'k1'],
    );
    assert.equal(parseWorkerConfig(document, { AUDIT_LOG_PATH: '/tmp/a.log' }).auditLogPath, '/tmp/a.log');
    const gateway = parseGatewayConfig(document, { HITL_PUBLIC_URL: 'https://inbox.example.com' });
    assert.deepEqual(gateway.gateway, { host: '0.0.0.0', port: 9000, publicUrl: 'https://inbox.example.com' });
    assert.equal('channelSecrets' in gateway, false);
    assert.equal(JSON.stringify(parseConfig(document, {})).includes('from-file'), false);

    const bad: [unknown, Record<string, string>, string][] = [
      [{ worker: { audit_log: 'x' } }, {}, 'worker.audit_log'],
      [{ gateway: { port: 'high' } }, {}, 'gateway.port'],
      [{ gateway: { public_url: 'not a url' } }, {}, 'gateway.public_url'],
      [{ hitl: { channels: [{ type: 'email' }, { type: 'email' }] } }, {}, 'hitl.channels'],
      [{ hitl: { channels: [{ type: 'slack', name: 'has space' }] } }, {}, 'hitl.channels.0.name'],
      [{}, { HITL_LINK_SIGNING_KEYS: 'k1:short-secret' }, 'HITL_LINK_SIGNING_KEYS'],
    ];
    for (const [doc, env, key] of bad) {
      assert.throws(
        () => parseWorkerConfig(doc, env),
        (e: unknown) => e instanceof ConfigError && e.key === key && !e.message.includes('short-secret'),
        key,
      );
    }
  });

  test('every environment variable the code reads is in ENV_VARS and in the README', async () => {
    const readme = await readFile('README.md', 'utf8');
    for (const name of Object.keys(ENV_VARS)) assert.ok(readme.includes(`\`${name}\``), `README lists ${name}`);
    const { stdout } = await run('git', ['grep', '-ohE', 'env\\.[A-Z_]{3,}|env\\(\\)\\.[A-Z_]{3,}', '--', 'src']);
    const read = new Set(
      stdout
        .split('\n')
        .filter(Boolean)
        .map((m) => m.replace(/^.*\./, '')),
    );
    for (const name of read) assert.ok(name in ENV_VARS, `${name} is read by src but missing from ENV_VARS`);
  });

  test('TLS and API keys: files read for the connection, mTLS needs both halves, the key never echoed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hitl-tls-'));
    for (const name of ['ca.pem', 'cert.pem', 'key.pem']) await writeFile(join(dir, name), `-----${name}-----`);
    const config = parseConfig(
      {
        temporal: {
          tls: {
            server_name: 'temporal.internal',
            ca_path: join(dir, 'ca.pem'),
            cert_path: join(dir, 'cert.pem'),
            key_path: join(dir, 'key.pem'),
          },
        },
      },
      {},
    );
    const options = await connectionOptions(config);
    assert.equal(options.address, 'localhost:7233');
    const tls = options.tls as {
      serverNameOverride: string;
      serverRootCACertificate: Uint8Array;
      clientCertPair: { crt: Uint8Array; key: Uint8Array };
    };
    assert.equal(tls.serverNameOverride, 'temporal.internal');
    assert.equal(Buffer.from(tls.clientCertPair.key).toString(), '-----key.pem-----');
    assert.equal(Buffer.from(tls.serverRootCACertificate).toString(), '-----ca.pem-----');
    // An API key (env first) turns TLS on; plain defaults have neither.
    assert.deepEqual(await connectionOptions(parseConfig({ temporal: { api_key: 'from-file' } }, { TEMPORAL_API_KEY: 'from-env' })), {
      address: 'localhost:7233',
      tls: true,
      apiKey: 'from-env',
    });
    assert.deepEqual(await connectionOptions(parseConfig({}, {})), { address: 'localhost:7233' });
    assert.throws(
      () => parseConfig({ temporal: { tls: { cert_path: 'c.pem' } } }, {}),
      (e: unknown) => e instanceof ConfigError && e.key === 'temporal.tls',
    );
    assert.throws(
      () => parseConfig({ temporal: { api_key: 12345678 } }, {}),
      (e: unknown) => e instanceof ConfigError && e.key === 'temporal.api_key' && !e.message.includes('12345678'),
    );
    await assert.rejects(
      connectionOptions(parseConfig({ temporal: { tls: { ca_path: join(dir, 'missing.pem') } } }, {})),
      (e: unknown) => e instanceof ConfigError && e.key === 'temporal.tls.ca_path',
    );
  });
});
