/**
 * Block Kit for one notification. Webhook mode: URL buttons to signed gateway links. Bot mode: interactive buttons
 * (`action_id` `hitl_approve` | `hitl_deny` | `hitl_resume`) that the gateway's Slack interactivity endpoint turns into
 * decisions. mrkdwn text is escaped; plain_text fields need no escaping (Slack never formats them).
 */
import type { NotifySubject } from '../../common/notify.js';
import { clip, escapeMrkdwn, linkList, oneLine, type MessageContent } from './render.js';

/** `action_id`s of the bot-mode buttons. */
export const SLACK_ACTIONS = { approve: 'hitl_approve', deny: 'hitl_deny', resume: 'hitl_resume' } as const;

/** The `value` of a bot-mode button: what the gateway needs to decide, nothing secret. */
export type SlackButtonValue = { approvalId: string; workspaceId: string } | { taskId: string; workspaceId: string };

export interface SlackMessage {
  /** Fallback text for notifications and clients without blocks (mrkdwn, escaped). */
  text: string;
  blocks: Record<string, unknown>[];
}

const STYLE = { Approve: 'primary', Deny: 'danger', Resume: 'primary' } as const;

/** The request, reminder or escalation; `buttons: 'links'` for webhooks, `'interactive'` for the bot. */
export function slackMessage(content: MessageContent, subject: NotifySubject, buttons: 'links' | 'interactive'): SlackMessage {
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: oneLine(content.title, 150), emoji: false } },
    { type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(content.intro) } },
    { type: 'section', text: { type: 'mrkdwn', text: fieldsMrkdwn(content) } },
  ];
  const actions = buttons === 'interactive' ? interactiveButtons(subject) : content.links ? urlButtons(content) : undefined;
  if (actions) blocks.push({ type: 'actions', block_id: 'hitl_decision', elements: actions });
  else blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `Decide in the <${content.inboxUrl}|inbox>.` } });
  return { text: escapeMrkdwn(content.title), blocks };
}

/** The request message as it ends: the same fields, the outcome instead of the buttons. */
export function slackOutcomeMessage(content: MessageContent, outcome: string): SlackMessage {
  return {
    text: escapeMrkdwn(`${content.title}: ${outcome}`),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: oneLine(content.title, 150), emoji: false } },
      { type: 'section', text: { type: 'mrkdwn', text: fieldsMrkdwn(content) } },
      { type: 'section', block_id: 'hitl_outcome', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(oneLine(outcome, 600))}*` } },
    ],
  };
}

function fieldsMrkdwn(content: MessageContent): string {
  // A section holds at most 3000 characters: the fields are clipped to fit.
  return clip(content.fields.map(([label, value]) => `*${label}:* ${escapeMrkdwn(value)}`).join('\n'), 2900);
}

function urlButtons(content: MessageContent): Record<string, unknown>[] {
  return linkList(content.links!).map(({ label, url }) => ({
    type: 'button',
    text: { type: 'plain_text', text: label },
    style: STYLE[label],
    url,
    action_id: `hitl_link_${label.toLowerCase()}`,
  }));
}

function interactiveButtons(subject: NotifySubject): Record<string, unknown>[] {
  if (subject.kind === 'pause') {
    const value: SlackButtonValue = { taskId: subject.taskId, workspaceId: subject.owner };
    return [button('Resume', SLACK_ACTIONS.resume, value)];
  }
  const value: SlackButtonValue = { approvalId: subject.approvalId, workspaceId: subject.owner };
  return [button('Approve', SLACK_ACTIONS.approve, value), button('Deny', SLACK_ACTIONS.deny, value)];
}

const button = (label: keyof typeof STYLE, actionId: string, value: SlackButtonValue) => ({
  type: 'button',
  text: { type: 'plain_text', text: label },
  style: STYLE[label],
  action_id: actionId,
  value: JSON.stringify(value),
});
