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

/** `message: cause message: …`, so a wrapped SDK error still says what went wrong underneath. */
export function errorChain(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e !== undefined && e !== null && parts.length < 4; e = (e as { cause?: unknown }).cause) {
    const message = e instanceof Error ? e.message : String(e);
    if (message && !parts.some((p) => p.includes(message))) parts.push(message.trim());
  }
  return parts.join(': ') || 'unknown error';
}
