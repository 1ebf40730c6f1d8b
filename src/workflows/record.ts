import { CancellationScope, log, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { HitlActivities } from '../activities/index.js';
import type { AuditEvent } from '../common/audit-event.js';

const local = proxyLocalActivities<HitlActivities>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 3, initialInterval: '200ms' },
});

// A regular activity runs only once the workflow task that scheduled it has been committed: its line is never written
// for an event a discarded task made up. At most ~4 s of retries delay the ending, then the line goes to the worker log.
const committed = proxyActivities<HitlActivities>({
  startToCloseTimeout: '5s',
  retry: { maximumAttempts: 4, initialInterval: '200ms', backoffCoefficient: 2 },
});

/**
 * Writes an audit line; a failing audit is logged and never fails the workflow. Runs started before the committed
 * audit (`patched`) keep the local activity their histories recorded.
 */
export async function record(event: AuditEvent, mode: 'local' | 'committed' = 'local', uncancellable = false): Promise<void> {
  try {
    const write = () => (mode === 'local' ? local : committed).audit(event);
    // Strict runs: cancelling the run must not cancel a line already being written (e.g. a refused Signal's).
    await (uncancellable ? CancellationScope.nonCancellable(write) : write());
  } catch (err) {
    // The line goes to the worker log instead, so the event is not lost with the audit file.
    log.warn('audit write failed', { ...event, error: String(err) });
  }
}
