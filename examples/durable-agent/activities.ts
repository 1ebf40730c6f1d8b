/** The example agent's activities: the model call and the one dangerous tool. Plain async functions. */
import { scriptedReply, type AgentMessage } from './model.js';

/** Calls the chat model with the transcript so far (here the scripted one: no network, no key). */
export async function chatModel(input: { messages: AgentMessage[] }): Promise<AgentMessage> {
  return scriptedReply(input.messages);
}

/** The dangerous tool. Here it only says what it would have dropped: the point is whether it runs, and with what. */
export async function dropTable(input: { database: string; table: string }): Promise<{ success: true; dropped: string }> {
  return { success: true, dropped: `${input.database}.${input.table}` };
}
