import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startDevServer } from '../dev/dev-server.js';
import { settled } from '../dev/harness.js';
import { loadGatewayConfig, loadWorkerConfig, type GatewayConfig } from '../config/index.js';
import { createHitlWorker } from '../worker/index.js';
import { resolveConfig, type CommonValues } from './connect.js';
import { hashToken, newToken } from '../gateway/auth.js';
import { runDemo } from './demo.js';

export interface DevValues extends CommonValues {
  demo?: boolean;
  port?: string;
  'ui-port'?: string;
  db?: string;
  'answer-after'?: string;
  'gateway-port'?: string;
}

/** The workspace the dev gateway's printed token belongs to (the demo's). */
export const DEV_WORKSPACE = 'demo-workspace';

/**
 * `temporal-hitl dev`: a Temporal dev server with the Web UI, a worker and the gateway (inbox, links, API);
 * `--demo` adds the demo agent and exits.
 */
export async function runDev(values: DevValues): Promise<number> {
  const loaded = await resolveConfig(values, loadWorkerConfig);
  const gatewayFile = await resolveConfig(values, loadGatewayConfig);
  if (values.demo) Runtime.install({ logger: new DefaultLogger('WARN') });
  const auditLogPath = loaded.auditLogPath ?? (values.demo ? join(await mkdtemp(join(tmpdir(), 'hitl-demo-')), 'audit.log') : undefined);
  const port = values.port ? Number(values.port) : await freePort(values.demo ? 0 : 7233);
  const uiPort = values['ui-port'] ? Number(values['ui-port']) : await freePort(values.demo ? 0 : 8233);
  const env = await startDevServer({ port, uiPort, ...(values.db && { dbFilename: values.db }) });
  const uiUrl = `http://localhost:${uiPort}`;
  // One signing key for the worker's links and the gateway that checks them: the configured ones, else a fresh one.
  const linkSigningKeys =
    loaded.linkSigningKeys.length > 0 ? loaded.linkSigningKeys : [{ id: 'dev', secret: randomBytes(32).toString('base64url') }];
  const token = newToken();
  const gatewayConfig: GatewayConfig = {
    ...gatewayFile,
    linkSigningKeys,
    tokens: [...gatewayFile.tokens, { name: 'dev-human', workspace: DEV_WORKSPACE, sha256: hashToken(token) }],
  };
  const { startGateway } = await import('../gateway/index.js');
  const gateway = await startGateway({
    client: env.client,
    config: gatewayConfig,
    port: values['gateway-port'] ? Number(values['gateway-port']) : await freePort(values.demo ? 0 : 8787),
    ...(values.demo && { log: () => undefined }),
  });
  const config = { ...loaded, linkSigningKeys, publicUrl: gateway.url };
  const worker = await createHitlWorker({ connection: env.nativeConnection, namespace: 'default', config, auditLogPath });
  const running = worker.run();
  console.log(
    [
      `Temporal dev server  ${env.address}`,
      `Temporal Web UI      ${uiUrl}`,
      `hitl worker          task queue '${config.temporal.taskQueue}'`,
      `hitl gateway         ${gateway.url}  (inbox: ${gateway.url}/inbox, token for ${DEV_WORKSPACE}: ${token})`,
    ].join('\n'),
  );
  try {
    if (values.demo) {
      await runDemo({
        client: env.client,
        config,
        address: env.address,
        uiUrl,
        gateway: { url: gateway.url, token },
        answerAfter: Number(values['answer-after'] ?? 8),
      });
      await settled(worker); // callers hear the answer before the outcome line is written: let the worker finish it
      if (auditLogPath) console.log(`\n— audit log (${auditLogPath}) —\n${await readFile(auditLogPath, 'utf8').catch(() => '')}`);
      return 0;
    }
    console.log('\nPress Ctrl-C to stop. Point agents at this server with TEMPORAL_ADDRESS=' + env.address);
    await running;
    return 0;
  } finally {
    await gateway.close();
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch(() => undefined);
    await env.teardown();
  }
}

/** `preferred` when it is free, else any free port. */
function freePort(preferred: number): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(freePort(0)));
    server.listen(preferred, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
