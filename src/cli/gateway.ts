/** `temporal-hitl gateway`: serves the decision gateway; `--hash-token` makes a token and the hash config stores. */
import { parseArgs } from 'node:util';
import { Client } from '@temporalio/client';
import { loadGatewayConfig } from '../config/index.js';
import { hashToken, newToken, startGateway } from '../gateway/index.js';
import { checkNamespace, commonOptions, connect, resolveConfig } from './connect.js';

export async function runGateway(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...commonOptions, port: { type: 'string' }, host: { type: 'string' }, 'hash-token': { type: 'boolean' } },
  });
  if (values['hash-token']) {
    // A token given on the command line shows in the shell history: by default, make a new one.
    const token = positionals[0] ?? newToken();
    if (!positionals[0]) console.log(`token:  ${token}`);
    console.log(`sha256: ${hashToken(token)}`);
    return 0;
  }
  const config = await resolveConfig(values, loadGatewayConfig);
  const connection = await connect(config);
  await checkNamespace(connection, config);
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const gateway = await startGateway({
    client,
    config,
    ...(values.port !== undefined && { port: Number(values.port) }),
    ...(values.host !== undefined && { host: values.host }),
  });
  console.error(
    `temporal-hitl gateway on ${gateway.url} (inbox ${gateway.url}/inbox), Temporal ${config.temporal.address}, task queue ${config.temporal.taskQueue}`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await gateway.close();
  await connection.close();
  return 0;
}
