/**
 * Runs last (the runner sorts files): every workflow the suite left on the shared dev server, fetched whole, holds none
 * of the secrets the suite used: channel webhooks, bot and platform tokens, SMTP passwords, link-signing keys, gateway
 * tokens. History is forever and visible to anyone with namespace access: no secret may ever reach it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { address, historyText } from './helpers.js';

/** The secrets (or their distinctive parts) the suite's files use; a test adding a secret adds its marker here. */
const MARKERS = [
  'xoxb-', // Slack bot tokens
  'webhooksecret',
  'webhook-secret',
  '/T0/B0/SECRET', // channels-e2e's webhook paths
  'smtp-pass',
  'platform-SECRET',
  'platform-bearer',
  'link-signing-secret',
  'test-link-secret',
  'e2e-link-signing-key',
  'test-slack-signing-secret',
  'tok-alice',
  'tok-bob',
  'tok-admin', // gateway tokens (only their hashes may be anywhere)
];

test('no workflow history on the server contains a secret the suite used', async () => {
  // The hostile tests leave histories of several MB (floods of large Signals): read them whole.
  const connection = await Connection.connect({ address, channelArgs: { 'grpc.max_receive_message_length': 256 * 2 ** 20 } });
  const client = new Client({ connection });
  let checked = 0;
  const leaks: string[] = [];
  for await (const wf of client.workflow.list()) {
    const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    const text = historyText(history);
    for (const marker of MARKERS) if (text.includes(marker)) leaks.push(`${wf.workflowId}: ${marker}`);
    checked++;
  }
  await connection.close();
  console.log(`[secrets] ${checked} workflow histories checked, ${leaks.length} leaks`);
  assert.ok(checked > 0, 'the suite left workflows to check');
  assert.deepEqual(leaks.slice(0, 20), []);
});
