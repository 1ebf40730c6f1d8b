/** Raw Temporal, the baseline: the least a durable wait needs — a condition with a timer, resumed by an Update or a Signal. */
import { condition, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';

export interface RawResult {
  resumed: boolean;
  message?: string;
}

export const rawResumeUpdate = defineUpdate<string, [string]>('rawResume');
export const rawResumeSignal = defineSignal<[string]>('rawResumeSignal');

export async function rawWait(timeoutMs: number): Promise<RawResult> {
  let message: string | undefined;
  setHandler(rawResumeUpdate, (m) => {
    message = m;
    return 'ok';
  });
  setHandler(rawResumeSignal, (m) => {
    message = m;
  });
  const resumed = await condition(() => message !== undefined, timeoutMs);
  return resumed ? { resumed, message: message! } : { resumed };
}
