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
    log.warn('audit write failed', { action: event.action, outcome: event.outcome, error: String(err) });
  }
}

export const isoAt = (ms: number): string => new Date(ms).toISOString();
