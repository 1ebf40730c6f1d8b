import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';

/** The reason a Temporal Update was refused by its validator or failed, or `undefined` for other errors. */
export function updateRejection(err: unknown): string | undefined {
  if (err instanceof WorkflowUpdateFailedError) return err.cause?.message ?? err.message;
  return undefined;
}

/** True when the workflow does not exist or has already closed. */
export function isGone(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  // Updates to a closed workflow come back as gRPC NOT_FOUND (5) in some server versions.
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 5;
}
