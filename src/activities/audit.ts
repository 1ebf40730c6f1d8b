import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { AuditEvent } from '../common/audit-event.js';

/** One line of the audit log: the event's fixed fields, a timestamp, and its extra keys flattened in. */
export type AuditLine = Omit<AuditEvent, 'extra'> & { timestamp: string; [extra: string]: unknown };

/** The platform's audit line: extra keys first, so they never override the fixed fields. */
export function toAuditLine(event: AuditEvent, now: Date): AuditLine {
  return {
    ...event.extra,
    timestamp: now.toISOString(),
    event_type: event.event_type,
    workspace_id: event.workspace_id,
    actor: event.actor,
    action: event.action,
    resource: event.resource,
    outcome: event.outcome,
    trace_id: event.trace_id,
    ...(event.event_id !== undefined && { event_id: event.event_id }),
  };
}

// O_NONBLOCK: a FIFO without a reader fails at once (ENXIO) instead of holding a thread, and the worker's shutdown, for
// as long as nobody reads. It changes nothing for regular files.
const APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK;

/** Appends one JSON line to `path`, flushed and fsynced before it resolves. */
export async function appendAuditLine(path: string, line: AuditLine): Promise<void> {
  const file = await open(path, APPEND, 0o600);
  try {
    await file.appendFile(`${JSON.stringify(line)}\n`, 'utf8');
    await file.sync().catch((err: NodeJS.ErrnoException) => {
      // Pipes and character devices (e.g. /dev/null, a log collector's FIFO) cannot be fsynced.
      if (err.code !== 'EINVAL' && err.code !== 'ENOTSUP') throw err;
    });
  } finally {
    await file.close();
  }
}
