/**
 * The example's chat model: scripted, no network. A pure function of the conversation, so a retried or replayed call
 * answers the same: drop the table the user names, ask a human to confirm, then report.
 */

export interface ToolCall {
  id: string;
  name: 'drop_table' | 'pause_task';
  args: Record<string, unknown>;
}

/** One message of the transcript, in the shape chat models take (plain JSON: it travels through workflow history). */
export interface AgentMessage {
  role: 'user' | 'assistant' | 'tool';
  content: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  name?: string;
}

const toolResult = (messages: AgentMessage[], name: ToolCall['name']): Record<string, unknown> | undefined => {
  const message = messages.findLast((m) => m.role === 'tool' && m.name === name);
  return message ? (JSON.parse(message.content) as Record<string, unknown>) : undefined;
};

/** The next assistant message for `messages`. */
export function scriptedReply(messages: AgentMessage[]): AgentMessage {
  const goal = messages.find((m) => m.role === 'user')?.content ?? '';
  const table = /\btable (\w+)/i.exec(goal)?.[1] ?? 'events_2023';
  const dropped = toolResult(messages, 'drop_table');
  if (!dropped) {
    return {
      role: 'assistant',
      content: `Dropping ${table} frees the most space.`,
      tool_calls: [{ id: 'call_1', name: 'drop_table', args: { database: 'staging', table } }],
    };
  }
  const ok = dropped.success !== false;
  const paused = toolResult(messages, 'pause_task');
  if (!paused) {
    return {
      role: 'assistant',
      content: ok ? 'Done. Before I tell the team, a human should confirm.' : 'I may not drop it. I will ask a human what to do instead.',
      tool_calls: [
        {
          id: 'call_2',
          name: 'pause_task',
          args: {
            reason: ok
              ? `Dropped ${String(dropped.dropped)}: confirm before I tell the team`
              : `drop_table refused: ${String(dropped.error)}`,
          },
        },
      ],
    };
  }
  const note = paused.resumed ? String(paused.message ?? '(no note)') : `no answer (${String(paused.error)})`;
  const read = messages.filter((m) => m.role === 'user').length - 1;
  return {
    role: 'assistant',
    content: `${ok ? `Dropped ${String(dropped.dropped)}` : `Left ${table} in place`}. Human note: ${note}.${read > 0 ? ` (${read} later user messages read)` : ''}`,
  };
}
