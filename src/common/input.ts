import type { Duration } from '@temporalio/common';
import { durationMs } from './duration.js';
import { InputError } from './errors.js';
import { LIMITS } from './constants.js';
import { identityProblem } from './identity.js';

// Quotes and backslashes would need escaping inside visibility queries; control characters are never meant.
const UNSAFE_ID = /['"\\\p{Cc}]/u;

/** A task id, approval id or workspace id: non-empty, bounded, safe inside a visibility query. */
export function checkId(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InputError(field, `must be a non-empty string, got ${JSON.stringify(value) ?? 'nothing'}`);
  }
  if (value.length > LIMITS.idLength) throw new InputError(field, `is ${value.length} characters; the limit is ${LIMITS.idLength}`);
  if (UNSAFE_ID.test(value)) throw new InputError(field, 'may not contain quotes, backslashes or control characters');
  return value;
}

/** Optional free text bounded by `limit`. */
export function checkText(field: string, value: unknown, limit: number): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new InputError(field, `must be a string, got ${typeof value}`);
  if (value.length > limit) throw new InputError(field, `is ${value.length} characters; the limit is ${limit}`);
  return value;
}

/** A timeout as Temporal takes it (`'2s'`, `'5m'`, or milliseconds), returned in milliseconds. */
export function checkTimeout(field: string, value: Duration): number {
  const ms = durationMs(value);
  if (ms === undefined || Number.isNaN(ms)) {
    throw new InputError(field, `expected a duration such as '30s', '5m' or '2h', got ${JSON.stringify(value)}`);
  }
  if (!Number.isFinite(ms) || ms <= 0) throw new InputError(field, `must be longer than zero, got ${JSON.stringify(value)}`);
  if (ms > LIMITS.maxTimeoutMs) throw new InputError(field, `may be at most 3650d (10 years), got ${JSON.stringify(value)}`);
  return ms;
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An optional identity (`requestedBy`, `decidedBy`, `resumedBy`): a non-empty string of at most `LIMITS.identityLength`. */
export function checkIdentity(field: string, value: unknown, required = false): string | undefined {
  if (value === undefined && !required) return undefined;
  const why = identityProblem(field, value, true);
  if (why !== undefined) throw new InputError(field, why.startsWith(field) ? why.slice(field.length + 1) : why);
  return (value as string).trim();
}

/** `value` serialised as JSON, or an InputError naming `field` (a BigInt, a cycle, …). */
export function jsonOf(field: string, value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (err) {
    throw new InputError(field, `must be plain JSON data (no BigInt, cycles or class instances): ${(err as Error).message}`);
  }
}
