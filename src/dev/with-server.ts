/**
 * Starts one Temporal dev server (and a workflow bundle) for a child command, then stops it:
 * the child gets TEMPORAL_ADDRESS and HITL_WORKFLOW_BUNDLE. `tsx scripts/with-server.ts <command> [args…]` runs it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processEnv } from '../config/env.js';
import { hitlWorkflowBundle } from '../worker/index.js';
import { startDevServer } from './dev-server.js';

export async function withServer(command: string, args: string[]): Promise<number> {
  const started = Date.now();
  const [env, bundle] = await Promise.all([startDevServer(), hitlWorkflowBundle()]);
  const bundlePath = join(await mkdtemp(join(tmpdir(), 'hitl-bundle-')), 'workflows.js');
  await writeFile(bundlePath, bundle.code);
  console.error(`temporal dev server at ${env.address}, workflows bundled (${Date.now() - started} ms)`);
  try {
    const child = spawn(command, args, {
      stdio: 'inherit',
      env: { ...processEnv(), TEMPORAL_ADDRESS: env.address, HITL_WORKFLOW_BUNDLE: bundlePath },
    });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    return await new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  } finally {
    await env.teardown();
  }
}
