/** LangGraph.js: a one-node graph that `interrupt()`s, checkpointed to SQLite (a file), resumed with `Command({ resume })`. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotation, Command, END, interrupt, START, StateGraph } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import type { Contender } from './contenders.js';

const State = Annotation.Root({ message: Annotation<string> });

export async function langGraph(): Promise<Contender & { close(): void }> {
  const path = join(await mkdtemp(join(tmpdir(), 'hitl-bench-langgraph-')), 'checkpoints.db');
  const checkpointer = SqliteSaver.fromConnString(path);
  const graph = new StateGraph(State)
    .addNode('wait', () => ({ message: interrupt<string, string>('resume?') }))
    .addEdge(START, 'wait')
    .addEdge('wait', END)
    .compile({ checkpointer });
  return {
    name: 'LangGraph.js interrupt + SQLite',
    calls: { request: 'invoke → interrupt()', decision: 'invoke(Command({ resume }))' },
    async round(id) {
      const config = { configurable: { thread_id: id } };
      const t0 = performance.now();
      const paused = await graph.invoke({ message: '' }, config);
      const t1 = performance.now();
      const done = await graph.invoke(new Command({ resume: 'go' }), config);
      const t2 = performance.now();
      if (!('__interrupt__' in paused) || done.message !== 'go') throw new Error(`langgraph ${id}: ${JSON.stringify({ paused, done })}`);
      return { waiting: t1 - t0, decision: t2 - t1, decideCall: t2 - t1 };
    },
    close: () => checkpointer.db.close(),
  };
}
