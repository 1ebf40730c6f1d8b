/**
 * One HTTP call of a channel, with a deadline: a server that hangs fails the attempt instead of holding it, and the
 * activity's cancellation aborts it. Errors name the channel and what went wrong, never the URL (a Slack webhook URL
 * is itself the secret) nor a header.
 */
import { request } from 'undici';
import { ChannelUnavailable, rejected } from './errors.js';

export interface HttpCall {
  /** Who is called, for error messages: e.g. `slack webhook`, `slack chat.postMessage`, `platform`. */
  label: string;
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  timeoutMs: number;
  /** The activity's cancellation signal. */
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Network errors worth another attempt; anything else about the connection (a bad TLS certificate) is configuration. */
const TRANSIENT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export async function httpCall(call: HttpCall): Promise<HttpAnswer> {
  const deadline = AbortSignal.timeout(call.timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, deadline]) : deadline;
  try {
    const res = await request(call.url, {
      method: call.method,
      headers: {
        accept: 'application/json',
        ...(call.body !== undefined && { 'content-type': 'application/json; charset=utf-8' }),
        ...call.headers,
      },
      ...(call.body !== undefined && { body: JSON.stringify(call.body) }),
      signal,
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text };
  } catch (err) {
    if (call.signal?.aborted) throw call.signal.reason; // cancelled: report the SDK's cancellation, not a failure
    if (deadline.aborted) throw new ChannelUnavailable(`${call.label}: no answer within ${seconds(call.timeoutMs)}`);
    const code = codeOf(err);
    if (code && TRANSIENT.has(code)) throw new ChannelUnavailable(`${call.label}: ${describeCode(code)}`);
    if (code?.startsWith('ERR_TLS') || code?.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT') {
      throw rejected(`${call.label}: TLS failed (${code}): the server's certificate is not trusted`);
    }
    if (code === 'ERR_INVALID_URL' || err instanceof TypeError) throw rejected(`${call.label}: the configured URL is not usable`);
    throw new ChannelUnavailable(`${call.label}: request failed (${code ?? (err as Error)?.name ?? 'unknown error'})`);
  }
}

/** Parses a JSON answer; undefined when it is not JSON. */
export function jsonOf(answer: HttpAnswer): unknown {
  try {
    return JSON.parse(answer.text) as unknown;
  } catch {
    return undefined;
  }
}

const seconds = (ms: number): string => (ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`);

/** The error code of an undici or Node error, looking through `cause` (undici wraps the socket's error). */
function codeOf(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

function describeCode(code: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found (${code})`;
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'could not connect in time (UND_ERR_CONNECT_TIMEOUT)';
    default:
      return `connection failed (${code})`;
  }
}
