/** The bench's dev server: the project's settings plus the levers (a SQLite file and its journal, dynamic config), and its pid. */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { HITL_SEARCH_ATTRIBUTES } from '../src/common/search-attributes.js';
import { resolveTemporalCli } from '../src/dev/temporal-cli.js';

export interface ServerOptions {
  /** Keep state in a SQLite file instead of memory. */
  file: boolean;
  /** With `file`: `journal_mode=wal` instead of SQLite's default rollback journal. */
  wal: boolean;
  /** `--dynamic-config-value KEY=VALUE` pairs, e.g. `system.enableActivityEagerExecution=true`. */
  dynamicConfig: string[];
}

export interface BenchServer {
  env: TestWorkflowEnvironment;
  address: string;
  pid: number | undefined;
  args: string[];
  teardown(): Promise<void>;
}

export async function startBenchServer(options: ServerOptions): Promise<BenchServer> {
  const cli = await resolveTemporalCli();
  const extraArgs = [
    ...options.dynamicConfig.flatMap((kv) => ['--dynamic-config-value', kv]),
    ...(options.file && options.wal ? ['--sqlite-pragma', 'journal_mode=wal'] : []),
  ];
  const dbFilename = options.file ? join(await mkdtemp(join(tmpdir(), 'hitl-bench-db-')), 'temporal.db') : undefined;
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli ? { type: 'existing-path', path: cli.path } : { type: 'cached-download' },
      ip: '127.0.0.1',
      ui: false,
      ...(dbFilename && { dbFilename }),
      searchAttributes: [...HITL_SEARCH_ATTRIBUTES],
      log: { format: 'pretty', level: 'error' },
      extraArgs,
    },
  });
  const address = env.address;
  const port = address.split(':').at(-1)!;
  return {
    env,
    address,
    pid: await findServerPid(port),
    args: [...(dbFilename ? ['--db-filename', '<tmp>/temporal.db'] : []), ...extraArgs],
    teardown: () => env.teardown(),
  };
}

/** The dev server process listening on `port`: the one `temporal server start-dev` whose arguments name it. */
async function findServerPid(port: string): Promise<number | undefined> {
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (argv.includes('start-dev') && argv.some((a, i) => (a === '--port' && argv[i + 1] === port) || a === `--port=${port}`))
      return Number(entry);
  }
  return undefined;
}

/** Resident set size of a process in MiB (VmRSS), or undefined when it is gone or unreadable. */
export async function rssMiB(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb === undefined ? undefined : Math.round(Number(kb) / 1024);
}

/** CPU seconds (user + system) a process has used so far. */
export async function cpuSeconds(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields.length < 15) return undefined;
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s on Linux)
}
