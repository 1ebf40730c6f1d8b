/**
 * "Durably waiting", read from history: the run's timer (the wait's timeout) is in history, so the task that set up the
 * wait is committed. Long-polls history (no query: a query would split the first workflow task and change what we
 * measure), retrying while the start has not reached the server yet.
 */
import type { Client } from '@temporalio/client';

/** temporal.api.enums.v1.EventType values (@temporalio/proto is not a dependency of ours). */
const EventType = {
  EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: 2,
  EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: 3,
  EVENT_TYPE_TIMER_STARTED: 17,
} as const;
const GRPC_NOT_FOUND = 5;

export async function waitDurable(client: Client, workflowId: string, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let nextPageToken: Uint8Array | undefined;
  while (Date.now() < deadline) {
    let response;
    try {
      response = await client.workflowService.getWorkflowExecutionHistory({
        namespace: client.options.namespace,
        execution: { workflowId },
        waitNewEvent: true,
        ...(nextPageToken?.length && { nextPageToken }),
      });
    } catch (err) {
      if ((err as { code?: number }).code !== GRPC_NOT_FOUND) throw err;
      await new Promise((r) => setTimeout(r, 1)); // the start is still on its way
      continue;
    }
    const events = response.history?.events ?? [];
    if (events.some((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED)) return;
    if (
      events.some(
        (e) =>
          e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED ||
          e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
      )
    ) {
      throw new Error(`${workflowId} closed before it waited`);
    }
    nextPageToken = response.nextPageToken ?? undefined;
  }
  throw new Error(`${workflowId} was not durably waiting within ${deadlineMs} ms`);
}

/** Whether a run is durably waiting now, from `describe` (for the scale pass, which cannot hold one long poll per run). */
export async function isWaiting(client: Client, workflowId: string): Promise<boolean> {
  const d = await client.workflow.getHandle(workflowId).describe();
  return d.status.name === 'RUNNING' && !d.raw.pendingWorkflowTask && d.historyLength > 3;
}

/** Names of the event types a HITL or raw wait writes, for the result file. */
export const EVENT_TYPES: Record<number, string> = {
  1: 'WorkflowExecutionStarted',
  2: 'WorkflowExecutionCompleted',
  3: 'WorkflowExecutionFailed',
  5: 'WorkflowTaskScheduled',
  6: 'WorkflowTaskStarted',
  7: 'WorkflowTaskCompleted',
  8: 'WorkflowTaskTimedOut',
  9: 'WorkflowTaskFailed',
  10: 'ActivityTaskScheduled',
  11: 'ActivityTaskStarted',
  12: 'ActivityTaskCompleted',
  13: 'ActivityTaskFailed',
  17: 'TimerStarted',
  18: 'TimerFired',
  19: 'TimerCanceled',
  25: 'MarkerRecorded',
  26: 'WorkflowExecutionSignaled',
  40: 'UpsertWorkflowSearchAttributes',
  41: 'WorkflowExecutionUpdateAccepted',
  43: 'WorkflowExecutionUpdateCompleted',
  46: 'WorkflowPropertiesModified',
};
