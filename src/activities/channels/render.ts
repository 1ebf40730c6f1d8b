/**
 * What a notification says, once for every channel: a title, an intro line and labelled fields in plain text, then
 * rendered as a text body, an HTML body (escaped) or Slack mrkdwn (escaped). User text never goes anywhere raw.
 */
import type { MessageKind, NotifyOutcome, NotifySubject } from '../../common/notify.js';

/** Signed links for one recipient; absent when no link-signing key is configured. */
export type DecisionLinks = { approve: string; deny: string } | { resume: string };

export interface MessageContent {
  /** e.g. `Approval required: delete_rows`, `Reminder: Approval required: delete_rows`, `Task paused: task-7`. */
  title: string;
  intro: string;
  fields: Array<[label: string, value: string]>;
  links?: DecisionLinks;
  /** Where to decide when there are no links (the gateway's inbox). */
  inboxUrl: string;
}

/** Longest value of one field: Slack refuses a section over 3000 characters, and nobody reads more in a notification. */
const MAX_FIELD = 1200;

const KIND_PREFIX: Record<MessageKind, string> = { request: '', reminder: 'Reminder: ', escalation: 'Escalation: ', outcome: '' };

/** Slack mrkdwn: `&`, `<`, `>` escaped, so `<!channel>` and `<http://x|y>` stay text. */
export const escapeMrkdwn = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** One line, at most `max` characters: for subjects and headers, where a newline would be an injection. */
export const oneLine = (text: string, max = 150): string => clip(text.replace(/\s+/g, ' ').trim(), max);

export const clip = (text: string, max = MAX_FIELD): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** `2025-06-01 14:05 UTC`, else the input unchanged. */
export function formatTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The title of a request, reminder or escalation, without a prefix: also the email subject's tail. */
export function titleOf(subject: NotifySubject, kind: MessageKind): string {
  const base = subject.kind === 'approval' ? `Approval required: ${subject.action}` : `Task paused: ${subject.taskId}`;
  return oneLine(`${KIND_PREFIX[kind]}${base}`);
}

/** The content of a request, reminder or escalation. */
export function describe(subject: NotifySubject, kind: MessageKind, links: DecisionLinks | undefined, inboxUrl: string): MessageContent {
  const fields: Array<[string, string]> = [];
  const add = (label: string, value: string | undefined) => {
    if (value !== undefined && value !== '') fields.push([label, clip(value)]);
  };
  if (subject.kind === 'approval') {
    add('Action', subject.action);
    add('Reason', subject.reason);
    add('Requested by', subject.requestedBy);
    add('Task', subject.taskId);
    if (subject.args && Object.keys(subject.args).length > 0) add('Arguments', clip(JSON.stringify(subject.args), 500));
    if (subject.requiredApprovals > 1) add('Approvals needed', String(subject.requiredApprovals));
    add('Workspace', subject.owner);
    add('Decide by', formatTime(subject.deadline));
    add('Approval ID', subject.approvalId);
  } else {
    add('Task', subject.taskId);
    add('Reason', subject.reason);
    add('Workspace', subject.owner);
    add('Resume by', formatTime(subject.deadline));
  }
  const what =
    subject.kind === 'approval' ? 'An agent asks for your approval before it acts.' : 'An agent paused and waits for you to resume it.';
  const intro =
    kind === 'reminder'
      ? `Still waiting for a decision. ${what}`
      : kind === 'escalation'
        ? `Escalated: nobody has decided yet. ${what}`
        : what;
  return { title: titleOf(subject, kind), intro, fields, ...(links && { links }), inboxUrl };
}

/** How it ended, one line: `Approved by alice at 2025-06-01 14:05 UTC`, `Denied by bob: too risky`, `Timed out`. */
export function outcomeLine(outcome: NotifyOutcome | undefined): string {
  const by = outcome?.decidedBy ? ` by ${oneLine(outcome.decidedBy, 200)}` : '';
  const at = outcome?.decidedAt ? ` at ${formatTime(outcome.decidedAt)}` : '';
  const message = outcome?.message ? `: ${oneLine(outcome.message, 500)}` : '';
  switch (outcome?.status) {
    case 'approved':
      return `Approved${by}${at}${message}`;
    case 'denied':
      return `Denied${by}${message || at}`;
    case 'resumed':
      return `Resumed${by}${at}${message}`;
    case 'timeout':
      return 'Timed out';
    case 'cancelled':
      return 'Cancelled';
    default:
      return `Ended (${oneLine(outcome?.status ?? 'unknown', 40)})`;
  }
}

/** Button labels and the link each opens. */
export function linkList(links: DecisionLinks): Array<{ label: 'Approve' | 'Deny' | 'Resume'; url: string }> {
  return 'resume' in links
    ? [{ label: 'Resume', url: links.resume }]
    : [
        { label: 'Approve', url: links.approve },
        { label: 'Deny', url: links.deny },
      ];
}

export function renderText(content: MessageContent): string {
  const width = Math.max(...content.fields.map(([label]) => label.length));
  const lines = [content.title, '', content.intro, '', ...content.fields.map(([label, value]) => `${label.padEnd(width)} : ${value}`), ''];
  if (content.links) {
    for (const { label, url } of linkList(content.links)) lines.push(`${label}: ${url}`);
    lines.push('', 'Each link opens a confirmation page; nothing is decided until you confirm there.');
  } else {
    lines.push(`Decide in the inbox: ${content.inboxUrl}`);
  }
  return `${lines.join('\n')}\n`;
}

const BUTTON_COLOURS = { Approve: '#1a7f37', Deny: '#cf222e', Resume: '#0969da' } as const;

export function renderHtml(content: MessageContent): string {
  const rows = content.fields
    .map(
      ([label, value]) =>
        `<tr><td style="padding:4px 16px 4px 0;color:#57606a;vertical-align:top;white-space:nowrap">${escapeHtml(label)}</td>` +
        `<td style="padding:4px 0;color:#1f2328;white-space:pre-wrap">${escapeHtml(value)}</td></tr>`,
    )
    .join('\n');
  const actions = content.links
    ? linkList(content.links)
        .map(
          ({ label, url }) =>
            `<a href="${escapeHtml(url)}" style="display:inline-block;margin-right:12px;padding:10px 22px;border-radius:6px;` +
            `background:${BUTTON_COLOURS[label]};color:#ffffff;font-weight:600;text-decoration:none">${label}</a>`,
        )
        .join('') +
      '<p style="margin:16px 0 0;color:#57606a;font-size:13px">Each button opens a confirmation page; nothing is decided until you confirm there.</p>'
    : `<p style="margin:0"><a href="${escapeHtml(content.inboxUrl)}" style="color:#0969da">Decide in the inbox</a></p>`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(content.title)}</title></head>
<body style="margin:0;padding:24px;background:#f6f8fa;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:15px">
<div style="max-width:620px;margin:0 auto;background:#ffffff;border:1px solid #d0d7de;border-radius:8px;padding:24px">
<h1 style="margin:0 0 8px;font-size:20px;color:#1f2328">${escapeHtml(content.title)}</h1>
<p style="margin:0 0 16px;color:#1f2328">${escapeHtml(content.intro)}</p>
<table style="border-collapse:collapse;margin:0 0 20px">
${rows}
</table>
${actions}
</div>
<p style="max-width:620px;margin:12px auto 0;color:#8c959f;font-size:12px">Sent by temporal-hitl.</p>
</body></html>
`;
}
