import { log, proxyLocalActivities } from '@temporalio/workflow';
import type { HitlActivities } from '../activities/index.js';
import type { AuditEvent } from '../common/audit-event.js';

const { audit } = proxyLocalActivities<HitlActivities>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 3, initialInterval: '200ms' },
});

/** Writes an audit line; a failing audit is logged and never fails the workflow. */
export async function record(event: AuditEvent): Promise<void> {
  try {
    await audit(event);
  } catch (err) {
    // The line goes to the worker log instead, so the event is not lost with the audit file.
    log.warn('audit write failed', { ...event, error: String(err) });
  }
}
