/**
 * How a channel's failure is reported. A rejection (a 4xx answer, a configuration the server refuses) is not retried:
 * the same request would be refused again. Anything else (5xx, timeouts, refused connections) throws a plain error,
 * which the workflow's retry policy retries a bounded number of times. Every message is short and free of secrets:
 * the workflow records the last one in its state, and Temporal stores it in history.
 */
import { ApplicationFailure } from '@temporalio/common';

export const CHANNEL_REJECTED = 'ChannelRejected';

/** A failure that retrying cannot fix. */
export const rejected = (message: string): ApplicationFailure => ApplicationFailure.nonRetryable(message, CHANNEL_REJECTED);

/** A failure a later attempt may not have. */
export class ChannelUnavailable extends Error {
  override readonly name = 'ChannelUnavailable';
}

/** Replaces every secret (and its URL-encoded form) in `text`; secrets shorter than 4 characters are left alone. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')])) {
      out = out.split(form).join('[redacted]');
    }
  }
  return out;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]+/g;

/** A short printable excerpt of a server's answer, for an error message. */
export function excerpt(text: string, secrets: readonly (string | undefined)[], max = 120): string {
  const flat = redact(text, secrets).replace(CONTROL, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** HTTP statuses worth another attempt: timeouts, rate limits, server errors. */
export const retryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** Throws the failure for a non-2xx answer: retryable or not by `retryableStatus`. */
export function failStatus(label: string, status: number, detail: string): never {
  const message = `${label}: HTTP ${status}${detail ? ` ${detail}` : ''}`;
  if (retryableStatus(status)) throw new ChannelUnavailable(message);
  throw rejected(status >= 300 && status < 400 ? `${message} (a redirect: check the configured URL)` : message);
}
