/** What a workflow asks the audit activity to write; the activity adds the timestamp. */
export interface AuditEvent {
  event_type: 'hitl';
  workspace_id: string;
  actor: string | null;
  /** `pause`, `resume`, `approve`, … */
  action: string;
  resource: string;
  outcome: string;
  trace_id: string;
  /** `<workflow id>/<run id>/<n>`: the same event always carries the same id, so a line written twice dedupes. */
  event_id?: string;
  extra?: Record<string, unknown>;
}
