import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startDevServer } from '../dev/dev-server.js';
import { loadWorkerConfig } from '../config/index.js';
import { createHitlWorker } from '../worker/index.js';
import { resolveConfig, type CommonValues } from './connect.js';
import { runDemo } from './demo.js';

export interface DevValues extends CommonValues {
  demo?: boolean;
  port?: string;
  'ui-port'?: string;
  db?: string;
  'answer-after'?: string;
}

/** `temporal-hitl dev`: a Temporal dev server with the Web UI and a worker; `--demo` adds the demo agent and exits. */
export async function runDev(values: DevValues): Promise<number> {
  const config = await resolveConfig(values, loadWorkerConfig);
  if (values.demo) Runtime.install({ logger: new DefaultLogger('WARN') });
  const auditLogPath = config.auditLogPath ?? (values.demo ? join(await mkdtemp(join(tmpdir(), 'hitl-demo-')), 'audit.log') : undefined);
  const port = values.port ? Number(values.port) : await freePort(values.demo ? 0 : 7233);
  const uiPort = values['ui-port'] ? Number(values['ui-port']) : await freePort(values.demo ? 0 : 8233);
  const env = await startDevServer({ port, uiPort, ...(values.db && { dbFilename: values.db }) });
  const uiUrl = `http://localhost:${uiPort}`;
  const worker = await createHitlWorker({ connection: env.nativeConnection, namespace: 'default', config, auditLogPath });
  const running = worker.run();
  console.log(
    `Temporal dev server  ${env.address}\nTemporal Web UI      ${uiUrl}\nhitl worker          task queue '${config.temporal.taskQueue}'`,
  );
  try {
    if (values.demo) {
      await runDemo({ client: env.client, config, address: env.address, uiUrl, answerAfter: Number(values['answer-after'] ?? 8) });
      if (auditLogPath) console.log(`\n— audit log (${auditLogPath}) —\n${await readFile(auditLogPath, 'utf8').catch(() => '')}`);
      return 0;
    }
    console.log('\nPress Ctrl-C to stop. Point agents at this server with TEMPORAL_ADDRESS=' + env.address);
    await running;
    return 0;
  } finally {
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
