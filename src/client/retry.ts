import { WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';

/** gRPC codes that say "not now" rather than "no": deadline, resource limits, aborted, unavailable. */
const TRANSIENT_CODES = new Set([4, 8, 10, 14]);
const FAILED_PRECONDITION = 9;

const codeOf = (e: unknown): number | undefined => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
};

/**
 * True when `err` (or its cause) is worth trying again: the server was unreachable or busy, a long poll hit a limit,
 * or the workflow task that would have answered an Update failed (e.g. it raced a Signal); not a refusal or a not-found.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = codeOf(e);
    if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
    if (code === FAILED_PRECONDITION && /workflow task|update/i.test(String((e as Error).message))) return true;
  }
  return false;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryOptions {
  /** Give up once a streak of transient failures has lasted this long. */
  toleranceMs: number;
  /** A call that ran at least this long before failing ends the streak: it was not an outage from the start. @default 30 s */
  freshAfterMs?: number;
}

/** Calls `fn` until it succeeds, fails for good, or transient failures have lasted longer than the tolerance (backoff with jitter, 0.2 s to 5 s). */
export async function retryTransient<T>(fn: () => Promise<T>, { toleranceMs, freshAfterMs = 30_000 }: RetryOptions): Promise<T> {
  let streakStart: number | undefined;
  let delay = 200;
  for (;;) {
    const called = Date.now();
    try {
      return await fn();
    } catch (err) {
      const now = Date.now();
      if (streakStart === undefined || now - called >= freshAfterMs) {
        streakStart = now;
        delay = 200;
      }
      if (!isTransient(err) || now - streakStart + delay > toleranceMs) throw err;
      await sleep(delay * (0.5 + Math.random()));
      delay = Math.min(delay * 2, 5_000);
    }
  }
}
