/**
 * Starts one Temporal dev server (and a workflow bundle) for a child command, then stops it:
 * `tsx scripts/with-server.ts <command> [args…]`. The child gets TEMPORAL_ADDRESS and HITL_WORKFLOW_BUNDLE.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevServer } from '../src/dev/dev-server.js';
import { hitlWorkflowBundle } from '../src/worker.js';

export async function withServer(command: string, args: string[]): Promise<number> {
  const started = Date.now();
  const [env, bundle] = await Promise.all([startDevServer(), hitlWorkflowBundle()]);
  const bundlePath = join(await mkdtemp(join(tmpdir(), 'hitl-bundle-')), 'workflows.js');
  await writeFile(bundlePath, bundle.code);
  console.error(`temporal dev server at ${env.address}, workflows bundled (${Date.now() - started} ms)`);
  try {
    const child = spawn(command, args, {
      stdio: 'inherit',
      env: { ...process.env, TEMPORAL_ADDRESS: env.address, HITL_WORKFLOW_BUNDLE: bundlePath },
    });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    return await new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  } finally {
    await env.teardown();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [command, ...args] = process.argv.slice(2);
  if (!command) {
    console.error('usage: tsx scripts/with-server.ts <command> [args…]');
    process.exit(2);
  }
  process.exit(await withServer(command, args));
}
