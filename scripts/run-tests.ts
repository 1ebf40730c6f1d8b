/** `npm test`: one dev server for the whole run, then node's test runner over test/*.test.ts. */
import { execFileSync } from 'node:child_process';
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
// The browser tests need Debian's Chromium, the e-mail tests openssl: a fresh machine gets them here, as it gets the
// Temporal CLI, so that `npm ci && npm test` is all the set-up there is.
const onPath = (bin: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const missing = ['chromium', 'openssl'].filter((bin) => !onPath(bin));
if (missing.length > 0 && onPath('apt-get')) {
  console.log(`installing ${missing.join(', ')} (apt-get) for the browser and e-mail tests`);
  execFileSync('sh', ['-c', `apt-get update -qq && apt-get install -y -qq ${missing.join(' ')} >/dev/null`], { stdio: 'inherit' });
}
const started = Date.now();
const code = await withServer(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files]);
console.log(`test suite wall time: ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(code);
