#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { NativeConnection } from '@temporalio/worker';
import { z } from 'zod';
import { HitlError } from '../common/errors.js';
import { processEnv } from '../config/env.js';
import { connectionOptions, loadWorkerConfig } from '../config/index.js';
import { createHitlWorker } from '../worker/index.js';
import { checkNamespace, commonOptions, connect, connectHitl, resolveConfig, unreachable } from './connect.js';
import { runDev } from './dev.js';

const USAGE = `temporal-hitl — human-in-the-loop pauses and approvals on Temporal

Usage:
  temporal-hitl dev [--demo] [--port N] [--ui-port N] [--db FILE]   Temporal dev server + worker (+ demo agent;
                                                                    --answer-after S: the demo human's delay)
  temporal-hitl worker                                              run a worker for the hitl task queue
  temporal-hitl gateway [--port N] [--host H]                       the HTTP gateway: API, links, Slack, inbox
  temporal-hitl gateway --hash-token [TOKEN]                        a new token (or TOKEN) and its sha256 for config
  temporal-hitl list [--approvals [--status S]]                     paused tasks (or approvals) of the workspace
  temporal-hitl resume <task_id> [--message TEXT] [--by NAME]       resume a paused task
  temporal-hitl approve <approval_id> [--by NAME] [--message TEXT] [--edit JSON]
  temporal-hitl deny <approval_id> [--by NAME] [--message TEXT]

Options for every command:
  -c, --config FILE     config.yaml (default ./config.yaml, which may be missing: the defaults; a file named here must exist)
      --address HOST:PORT, --namespace NS, --task-queue Q   override temporal: in config / TEMPORAL_ADDRESS
  -w, --workspace ID    your workspace (default WORKSPACE_ID)
`;

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  dev: (argv) => {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...commonOptions,
        demo: { type: 'boolean' },
        port: { type: 'string' },
        'ui-port': { type: 'string' },
        db: { type: 'string' },
        'answer-after': { type: 'string' },
        'gateway-port': { type: 'string' },
      },
    });
    return runDev(values);
  },

  async worker(argv) {
    const { values } = parseArgs({ args: argv, options: commonOptions });
    const config = await resolveConfig(values, loadWorkerConfig);
    const check = await connect(config);
    try {
      await checkNamespace(check, config);
    } finally {
      await check.close();
    }
    const connection = await NativeConnection.connect(await connectionOptions(config)).catch((err: unknown) => {
      throw unreachable(config, err);
    });
    const worker = await createHitlWorker({ connection, config });
    console.error(
      `temporal-hitl worker on ${config.temporal.address}, namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue}`,
    );
    await worker.run();
    await connection.close();
    return 0;
  },

  gateway: async (argv) => (await import('./gateway.js')).runGateway(argv), // Hono loads only for this command

  async list(argv) {
    const { values } = parseArgs({ args: argv, options: { ...commonOptions, approvals: { type: 'boolean' }, status: { type: 'string' } } });
    const status = values.status === undefined ? undefined : StatusArg.parse(values.status);
    const { hitl, close } = await connectHitl(values);
    try {
      const listing = values.approvals || status ? await hitl.listApprovals(status ? { status } : {}) : await hitl.listPausedTasks();
      console.log(JSON.stringify(listing, null, 2));
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

const StatusArg = z.enum(['pending', 'approved', 'denied', 'timeout', 'cancelled'], {
  error: '--status must be one of pending, approved, denied, timeout, cancelled',
});
const EditArg = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: `--edit must be JSON, e.g. '{"rows": 10}', got ${text}` });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string(), z.unknown(), { error: '--edit must be a JSON object of argument names to values' }));

function decideCommand(decision: 'approved' | 'denied'): Command {
  return async (argv) => {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...commonOptions,
        by: { type: 'string' },
        message: { type: 'string', short: 'm' },
        ...(decision === 'approved' && { edit: { type: 'string' } }),
      },
    });
    const [approvalId] = positionals;
    const verb = decision === 'approved' ? 'approve' : 'deny';
    if (!approvalId) throw new HitlError(`${verb} needs an approval id: temporal-hitl ${verb} <approval_id> [--by NAME] [--message TEXT]`);
    const edit = (values as { edit?: string }).edit;
    const editedArgs = edit === undefined ? undefined : EditArg.parse(edit);
    const decidedBy = values.by ?? processEnv().USER ?? 'cli';
    const { hitl, close } = await connectHitl(values);
    try {
      const result = await hitl.decide(approvalId, {
        decision,
        decidedBy,
        ...(values.message && { message: values.message }),
        ...(editedArgs && { editedArgs }),
      });
      console.log(JSON.stringify(result, null, 2));
      return result.success ? 0 : 1;
    } finally {
      await close();
    }
  };
}

commands.approve = decideCommand('approved');
commands.deny = decideCommand('denied');

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
    if (err instanceof z.ZodError) {
      console.error(`temporal-hitl ${name}: ${err.issues.map((i) => i.message).join('; ')}`);
      return 2;
    }
    const known = err instanceof HitlError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    console.error(`temporal-hitl ${name}: ${known ? (err as Error).message : (err as Error).stack}`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
