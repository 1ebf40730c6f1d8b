/**
 * The scale pass's worker, a process of its own so that its RSS is the worker's alone.
 * argv: <ours|raw> <address> <taskQueue> <bundlePath> <maxCachedWorkflows|-> <auditLogPath>
 */
import { NativeConnection, Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import { parseConfig } from '../src/config/index.js';
import { createHitlWorker } from '../src/worker/index.js';

Runtime.install({ logger: new DefaultLogger('WARN') });
const [kind, address, taskQueue, codePath, maxCached, auditLogPath] = process.argv.slice(2);
if (!kind || !address || !taskQueue || !codePath || !maxCached || !auditLogPath)
  throw new Error(`usage: scale-worker.ts <ours|raw> <address> <taskQueue> <bundle> <maxCached|-> <audit>`);

const connection = await NativeConnection.connect({ address });
const workerOptions = maxCached === '-' ? {} : { maxCachedWorkflows: Number(maxCached) };
const worker =
  kind === 'ours'
    ? await createHitlWorker({
        connection,
        taskQueue,
        config: parseConfig({}, {}),
        auditLogPath,
        workflowBundle: { codePath },
        workerOptions,
      })
    : await Worker.create({ connection, taskQueue, workflowBundle: { codePath }, ...workerOptions });
process.on('message', (m) => {
  if (m === 'stop') worker.shutdown();
});
process.on('disconnect', () => worker.getState() === 'RUNNING' && worker.shutdown());
const running = worker.run();
process.send?.('ready');
await running;
await connection.close();
process.disconnect?.();
