/**
 * A durable agent: its tool loop is workflow code, its model and tool calls are activities, and its human steps are
 * temporal-hitl's approval and pause workflows, run as children. Outside this repository, import from
 * 'temporal-hitl/workflow' instead of '../../src/workflow.js'.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { gated, pauseTask } from '../../src/workflow.js';
import type * as activities from './activities.js';
import type { AgentMessage, ToolCall } from './model.js';

export interface AgentInput {
  /** What the user asks, e.g. 'Staging is out of disk: drop table events_2023'. */
  goal: string;
  /** Task id of the agent's pause step (the human note). */
  taskId: string;
  /** Task queue of the temporal-hitl worker. @default 'hitl' */
  hitlTaskQueue?: string;
  /** @default '1h' */
  approvalTimeout?: Duration;
  /** @default '1h' */
  pauseTimeout?: Duration;
  /** Continue as new, between steps, once the history has more events than this (or the server suggests it). @default 5000 */
  maxHistoryEvents?: number;
  /** Carried across continue-as-new: the transcript, unread user messages, runs so far. */
  carried?: { messages: AgentMessage[]; inbox: string[]; runs: number };
}

export interface AgentResult {
  answer: string;
  messages: AgentMessage[];
  /** Runs of this workflow id it took (continue-as-new starts a new one). */
  runs: number;
}

export interface AgentStatus {
  run: number;
  /** The tool call waiting on a human, if any. */
  waitingOn: string | null;
  inbox: number;
  messages: number;
}

/** A user message sent while the agent works; it reads them before its next model call. */
export const userMessageSignal = defineSignal<[string]>('userMessage');
export const agentStatusQuery = defineQuery<AgentStatus>('agentStatus');

const { chatModel, dropTable } = proxyActivities<typeof activities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 3, initialInterval: '200ms' },
});

const MAX_TURNS = 10;

export async function durableAgent(input: AgentInput): Promise<AgentResult> {
  const messages: AgentMessage[] = input.carried?.messages ?? [{ role: 'user', content: input.goal }];
  const inbox = [...(input.carried?.inbox ?? [])];
  const run = (input.carried?.runs ?? 0) + 1;
  let waitingOn: string | null = null;
  setHandler(userMessageSignal, (text) => void inbox.push(text));
  setHandler(agentStatusQuery, () => ({ run, waitingOn, inbox: inbox.length, messages: messages.length }));

  const hitl = { taskQueue: input.hitlTaskQueue ?? 'hitl' };
  const gatedDropTable = gated(dropTable, {
    ...hitl,
    action: 'drop_table',
    reasonTemplate: 'Drop table {table} on {database}',
    argsSchema: {
      type: 'object',
      properties: { database: { type: 'string' }, table: { type: 'string', pattern: '^\\w+$' } },
      required: ['database', 'table'],
      additionalProperties: false,
    },
    timeout: input.approvalTimeout ?? '1h',
  });
  const tools: Record<ToolCall['name'], (args: Record<string, unknown>) => Promise<unknown>> = {
    drop_table: (args) => gatedDropTable(args as Parameters<typeof dropTable>[0]),
    pause_task: (args) => pauseTask(input.taskId, String(args.reason ?? ''), { ...hitl, timeout: input.pauseTimeout ?? '1h' }),
  };

  for (let turn = 0; turn < MAX_TURNS; turn++) {
    // Only here, between steps, may the run continue as new: no tool call is waiting on a human now. A child approval
    // or pause still waiting would be cancelled when this run closes (parent close policy), and a new run could not
    // wait on it (workflow code awaits only its own children). So a run past the bound finishes the step it is in.
    const info = workflowInfo();
    if (turn > 0 && (info.continueAsNewSuggested || info.historyLength > (input.maxHistoryEvents ?? 5000))) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof durableAgent>({ ...input, carried: { messages, inbox, runs: run } });
    }
    messages.push(...inbox.splice(0).map((content): AgentMessage => ({ role: 'user', content })));
    const reply = await chatModel({ messages });
    messages.push(reply);
    if (!reply.tool_calls?.length) {
      await condition(allHandlersFinished);
      return { answer: reply.content, messages, runs: run };
    }
    for (const call of reply.tool_calls) {
      waitingOn = call.name;
      const output = await tools[call.name](call.args);
      waitingOn = null;
      messages.push({ role: 'tool', tool_call_id: call.id, name: call.name, content: JSON.stringify(output) });
    }
  }
  return { answer: `Stopped after ${MAX_TURNS} turns.`, messages, runs: run };
}
