import type { Duration } from '@temporalio/common';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_557_600_000 };
const UNIT_OF: Record<string, string> = {
  milliseconds: 'ms', millisecond: 'ms', msecs: 'ms', msec: 'ms', ms: 'ms',
  seconds: 's', second: 's', secs: 's', sec: 's', s: 's',
  minutes: 'm', minute: 'm', mins: 'm', min: 'm', m: 'm',
  hours: 'h', hour: 'h', hrs: 'h', hr: 'h', h: 'h',
  days: 'd', day: 'd', d: 'd',
  weeks: 'w', week: 'w', w: 'w',
  years: 'y', year: 'y', yrs: 'y', yr: 'y', y: 'y',
}; // prettier-ignore
const DURATION = /^(-?(?:\d+)?\.?\d+) *([a-z]+)?$/i;

/**
 * Milliseconds of a Temporal `Duration` (`'30s'`, `'5m'`, `'2 days'`, or a number of milliseconds), read the way the
 * SDK reads it (the `ms` notation), or `undefined` when it is not one. Pure and sandbox-safe: workflows use it too.
 */
export function durationMs(value: Duration | unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.length > 100) return undefined;
  const match = DURATION.exec(value);
  if (!match) return undefined;
  const unit = UNIT_OF[(match[2] ?? 'ms').toLowerCase()];
  return unit === undefined ? undefined : parseFloat(match[1]!) * UNIT_MS[unit]!;
}
