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
  extra?: Record<string, unknown>;
}
