/**
 * Slack, two modes. Webhook: POST the Block Kit message to the incoming-webhook URL (which is the secret); it cannot
 * update a message, so outcomes are skipped. Bot: `chat.postMessage` with the bot token, reminders and escalations in
 * the request's thread, and the outcome replaces the request message in place (`chat.update`), buttons removed.
 */
import type { NotifyInput } from '../../common/notify.js';
import type { ChannelConfig, ChannelSecrets } from '../../config/index.js';
import { decisionLinks, inboxUrl, skipped, type SendContext, type SendResult } from './context.js';
import { ChannelUnavailable, excerpt, failStatus, rejected } from './errors.js';
import { httpCall, jsonOf } from './http.js';
import { describe, outcomeLine } from './render.js';
import { slackMessage, slackOutcomeMessage, type SlackMessage } from './slack-blocks.js';

type SlackChannel = Extract<ChannelConfig, { type: 'slack' }>;

/** Slack Web API errors (`ok: false`) worth another attempt; every other one is a rejection. */
const RETRYABLE_API_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

export async function sendSlack(
  ctx: SendContext,
  channel: SlackChannel,
  name: string,
  secrets: ChannelSecrets,
  input: NotifyInput,
): Promise<SendResult> {
  const { subject, kind } = input;
  if (channel.mode === 'bot' && secrets.botToken && channel.channel) return sendBot(ctx, channel, name, secrets.botToken, input);
  if (channel.mode === 'off' || !secrets.webhookUrl) return skipped('slack: no webhook_url, or bot_token and channel, configured');
  if (kind === 'outcome') return skipped('slack webhook: a posted message cannot be updated');
  const content = describe(subject, kind, decisionLinks(ctx, subject, `slack:${name}`), inboxUrl(ctx));
  const answer = await httpCall({
    label: 'slack webhook',
    method: 'POST',
    url: secrets.webhookUrl,
    body: slackMessage(content, subject, 'links'),
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
  });
  if (answer.status < 200 || answer.status >= 300) failStatus('slack webhook', answer.status, excerpt(answer.text, [secrets.webhookUrl]));
  return { status: 'sent' };
}

async function sendBot(ctx: SendContext, channel: SlackChannel, name: string, token: string, input: NotifyInput): Promise<SendResult> {
  const { subject, kind, ref } = input;
  const content = describe(subject, kind === 'outcome' ? 'request' : kind, undefined, inboxUrl(ctx));
  if (kind === 'outcome') {
    if (!ref?.slackChannel || !ref.slackTs) return skipped('slack: the request message was not posted, so there is nothing to update');
    const message = slackOutcomeMessage(content, outcomeLine(input.outcome));
    await callApi(ctx, channel, token, 'chat.update', { channel: ref.slackChannel, ts: ref.slackTs, ...message });
    return { status: 'sent', ref: { slackChannel: ref.slackChannel, slackTs: ref.slackTs } };
  }
  // Interactive buttons decide through the gateway; without a signing key the gateway cannot vouch for links either,
  // but Slack signs its interactivity requests itself, so the buttons stay.
  const message: SlackMessage = slackMessage(content, subject, 'interactive');
  const thread = kind !== 'request' && ref?.slackTs && ref.slackChannel ? { channel: ref.slackChannel, thread_ts: ref.slackTs } : undefined;
  const body = await callApi(ctx, channel, token, 'chat.postMessage', { channel: channel.channel, ...thread, ...message });
  const ts = typeof body.ts === 'string' ? body.ts : undefined;
  const posted = typeof body.channel === 'string' ? body.channel : (thread?.channel ?? channel.channel);
  // Reminders keep pointing at the request (the thread's root), so that the outcome updates the request.
  if (thread) return { status: 'sent', ref: { slackChannel: thread.channel, slackTs: thread.thread_ts } };
  return { status: 'sent', ...(ts && { ref: { slackChannel: posted!, slackTs: ts } }) };
}

async function callApi(
  ctx: SendContext,
  channel: SlackChannel,
  token: string,
  method: 'chat.postMessage' | 'chat.update',
  payload: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const label = `slack ${method}`;
  const answer = await httpCall({
    label,
    method: 'POST',
    url: `${channel.apiUrl}/${method}`,
    headers: { authorization: `Bearer ${token}` },
    body: payload,
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
  });
  if (answer.status < 200 || answer.status >= 300) failStatus(label, answer.status, excerpt(answer.text, [token]));
  const body = jsonOf(answer);
  if (typeof body !== 'object' || body === null) throw new ChannelUnavailable(`${label}: the answer is not JSON`);
  const result = body as Record<string, unknown>;
  if (result.ok === true) return result;
  // Slack answers API errors with HTTP 200 and `ok: false`.
  const error = typeof result.error === 'string' ? excerpt(result.error, [token], 60) : 'unknown_error';
  if (RETRYABLE_API_ERRORS.has(error)) throw new ChannelUnavailable(`${label}: ${error}`);
  throw rejected(`${label}: ${error}`);
}
