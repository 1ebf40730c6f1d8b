/**
 * The contenders: one round each is "request → durably waiting" (the caller has asked and the wait is committed)
 * followed by "decision → waiting caller returns" (a decision is sent and the caller that waits gets its answer).
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { approvalWorkflowId, pauseWorkflowId } from '../src/common/constants.js';
import type { HitlClient } from '../src/index.js';
import { rawResumeSignal, rawResumeUpdate, type rawWait } from './raw-workflows.js';
import { waitDurable } from './waiting.js';

export interface Round {
  /** request → durably waiting, ms */
  waiting: number;
  /** decision → waiting caller returns, ms */
  decision: number;
  /** the decision call alone (until it returned), ms */
  decideCall: number;
}

export interface Contender {
  name: string;
  /** What it calls, for the table. */
  calls: { request: string; decision: string };
  round(id: string): Promise<Round>;
}

const now = () => performance.now();

/** A round of a caller that waits on a Temporal workflow: `ask` starts it and waits, `answer` decides. */
async function temporalRound<T>(
  client: Client,
  workflowId: string,
  ask: () => Promise<T>,
  answer: () => Promise<unknown>,
  ok: (result: T) => boolean,
): Promise<Round> {
  const t0 = now();
  const asked = ask();
  asked.catch(() => undefined); // surfaced below
  await waitDurable(client, workflowId);
  const t1 = now();
  await answer();
  const t2 = now();
  const result = await asked;
  const t3 = now();
  if (!ok(result)) throw new Error(`${workflowId}: unexpected result ${JSON.stringify(result)}`);
  return { waiting: t1 - t0, decision: t3 - t1, decideCall: t2 - t1 };
}

export function oursPause(hitl: HitlClient): Contender {
  return {
    name: 'ours: pause/resume',
    calls: { request: 'pauseTask', decision: 'resumeTask' },
    round: (id) =>
      temporalRound(
        hitl.client,
        pauseWorkflowId(id),
        () => hitl.pauseTask(id, 'bench', { timeout: '5m' }),
        async () => {
          const r = await hitl.resumeTask(id, 'go');
          if (!r.success) throw new Error(`resumeTask ${id}: ${r.error}`);
        },
        (r) => r.resumed && r.message === 'go',
      ),
  };
}

export function oursApproval(hitl: HitlClient): Contender {
  return {
    name: 'ours: approval/decide',
    calls: { request: 'requestApproval', decision: 'decide' },
    round: (id) =>
      temporalRound(
        hitl.client,
        approvalWorkflowId(id),
        () => hitl.requestApproval({ action: 'bench', reason: 'bench', approvalId: id, timeout: '5m' }),
        async () => {
          const r = await hitl.decide(id, { decision: 'approved', decidedBy: 'bench' });
          if (!r.success) throw new Error(`decide ${id}: ${r.error}`);
        },
        (r) => r.approved,
      ),
  };
}

export type RawHandle = WorkflowHandle<typeof rawWait>;

/** Raw Temporal: start, the caller awaits the result; resumed by an Update (or a Signal). `eager`: eager workflow start. */
export function raw(client: Client, taskQueue: string, via: 'update' | 'signal', eager = false): Contender {
  return {
    name: `raw: ${via}${eager ? ' (eager start)' : ''}`,
    calls: { request: `start${eager ? ' (requestEagerStart)' : ''} + result`, decision: via === 'update' ? 'executeUpdate' : 'signal' },
    round(id) {
      const workflowId = `raw-${id}`;
      let handle: RawHandle | undefined;
      return temporalRound(
        client,
        workflowId,
        async () => {
          handle = await client.workflow.start<typeof rawWait>('rawWait', {
            workflowId,
            taskQueue,
            args: [5 * 60_000],
            ...(eager && { requestEagerStart: true }),
          });
          return handle.result();
        },
        async () => {
          if (via === 'update') await handle!.executeUpdate(rawResumeUpdate, { args: ['go'] });
          else await handle!.signal(rawResumeSignal, 'go');
        },
        (r) => r.resumed && r.message === 'go',
      );
    },
  };
}

/** The floor: a promise in a map, no durability at all. */
export function promiseMap(): Contender {
  const waiting = new Map<string, (message: string) => void>();
  return {
    name: 'in-process promise map',
    calls: { request: 'new Promise + map.set', decision: 'map.get + resolve' },
    async round(id) {
      const t0 = now();
      const asked = new Promise<string>((resolve) => waiting.set(id, resolve));
      const t1 = now();
      const resolve = waiting.get(id)!;
      waiting.delete(id);
      resolve('go');
      const t2 = now();
      const message = await asked;
      const t3 = now();
      if (message !== 'go') throw new Error('promise map: wrong message');
      return { waiting: t1 - t0, decision: t3 - t1, decideCall: t2 - t1 };
    },
  };
}
