import { log } from '@temporalio/activity';
import type { AuditEvent } from '../common/audit-event.js';
import { appendAuditLine, toAuditLine } from './audit.js';

export interface ActivityOptions {
  /** File the audit lines go to; without one they go to the worker's log only. */
  auditLogPath?: string;
}

/** The activities the worker registers; workflows import only this type. */
export function createActivities(options: ActivityOptions = {}) {
  const { auditLogPath } = options;
  return {
    async audit(event: AuditEvent): Promise<void> {
      const line = toAuditLine(event, new Date());
      if (auditLogPath) await appendAuditLine(auditLogPath, line);
      else log.info('hitl audit', line);
    },
  };
}

export type HitlActivities = ReturnType<typeof createActivities>;
