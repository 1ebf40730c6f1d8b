import { log } from '@temporalio/activity';
import type { AuditEvent } from '../common/audit-event.js';
import { appendAuditLine, toAuditLine } from './audit.js';
import { createChannelActivities, type ChannelSettings } from './channels/index.js';

export interface ActivityOptions {
  /** File the audit lines go to; without one they go to the worker's log only. */
  auditLogPath?: string;
  /** The worker's channels, their secrets and the link settings (a `WorkerConfig` will do); without them every notification is skipped. */
  channels?: ChannelSettings;
}

/** Event ids this process wrote lately: a retry after a write that did land (e.g. a timed-out attempt) is not written twice. */
const RECENT = 10_000;

/** The activities the worker registers; workflows import only this type. */
export function createActivities(options: ActivityOptions = {}) {
  const { auditLogPath } = options;
  const written = new Set<string>();
  return {
    ...createChannelActivities(options.channels),
    async audit(event: AuditEvent): Promise<void> {
      if (event.event_id !== undefined && written.has(event.event_id)) return;
      const line = toAuditLine(event, new Date());
      if (auditLogPath) await appendAuditLine(auditLogPath, line);
      else log.info('hitl audit', line);
      if (event.event_id === undefined) return;
      written.add(event.event_id);
      if (written.size > RECENT) written.delete(written.values().next().value!);
    },
  };
}

export type HitlActivities = ReturnType<typeof createActivities>;
