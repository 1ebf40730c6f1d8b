#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { NativeConnection } from '@temporalio/worker';
import { HitlError } from '../common/errors.js';
import { createHitlWorker } from '../worker.js';
import { commonOptions, connectHitl, resolveConfig } from './connect.js';
import { runDev } from './dev.js';

const USAGE = `temporal-hitl — human-in-the-loop pauses and approvals on Temporal

Usage:
  temporal-hitl dev [--demo] [--port N] [--ui-port N] [--db FILE]   Temporal dev server + worker (+ demo agent;
                                                                    --answer-after S: the demo human's delay)
  temporal-hitl worker                                              run a worker for the hitl task queue
  temporal-hitl list                                                paused tasks of the workspace
  temporal-hitl resume <task_id> [--message TEXT] [--by NAME]       resume a paused task

Options for every command:
  -c, --config FILE     config.yaml (default ./config.yaml; missing → defaults)
      --address HOST:PORT, --namespace NS, --task-queue Q   override temporal: in config / TEMPORAL_ADDRESS
  -w, --workspace ID    your workspace (default WORKSPACE_ID)
`;

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  dev: (argv) => {
    const { values } = parseArgs({
      args: argv,
      options: { ...commonOptions, demo: { type: 'boolean' }, port: { type: 'string' }, 'ui-port': { type: 'string' }, db: { type: 'string' }, 'answer-after': { type: 'string' } },
    });
    return runDev(values);
  },

  async worker(argv) {
    const { values } = parseArgs({ args: argv, options: commonOptions });
    const config = await resolveConfig(values);
    const connection = await NativeConnection.connect({ address: config.temporal.address });
    const worker = await createHitlWorker({ connection, config });
    console.error(`temporal-hitl worker on ${config.temporal.address}, namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue}`);
    await worker.run();
    await connection.close();
    return 0;
  },

  async list(argv) {
    const { values } = parseArgs({ args: argv, options: commonOptions });
    const { hitl, close } = await connectHitl(values);
    try {
      console.log(JSON.stringify(await hitl.listPausedTasks(), null, 2));
      return 0;
    } finally {
      await close();
    }
  },

  async resume(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...commonOptions, message: { type: 'string', short: 'm' }, by: { type: 'string' } },
    });
    const [taskId] = positionals;
    if (!taskId) throw new HitlError('resume needs a task id: temporal-hitl resume <task_id> [--message TEXT]');
    const { hitl, close } = await connectHitl(values);
    try {
      const result = await hitl.resumeTask(taskId, values.message ?? '', values.by ? { resumedBy: values.by } : {});
      console.log(JSON.stringify(result, null, 2));
      return result.success ? 0 : 1;
    } finally {
      await close();
    }
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? commands[name] : undefined;
  if (!command || rest.includes('--help') || rest.includes('-h')) {
    console.log(USAGE);
    return command || name === undefined || name === 'help' || name === '--help' ? 0 : 2;
  }
  try {
    return await command(rest);
  } catch (err) {
    // Our own errors and argument errors already say what to fix; anything else keeps its stack for a bug report.
    const known = err instanceof HitlError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    console.error(`temporal-hitl ${name}: ${known ? (err as Error).message : (err as Error).stack}`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
