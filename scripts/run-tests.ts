/** `npm test`: one dev server for the whole run, then node's test runner over test/*.test.ts. */
import { readdirSync } from 'node:fs';
import { withServer } from '../src/dev/with-server.js';

// `--long`: the standing suite's bigger counts (HITL_LONG=1), for a run by hand; CI runs the default counts.
const long = process.argv.includes('--long');
if (long) process.env.HITL_LONG = '1';
const only = process.argv.slice(2).filter((a) => a !== '--long');
const files = only.length
  ? only
  : readdirSync('test')
      .filter((f) => f.endsWith('.test.ts'))
      .sort()
      .map((f) => `test/${f}`);
const started = Date.now();
const code = await withServer(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files]);
console.log(`test suite wall time: ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(code);
