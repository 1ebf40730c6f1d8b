/**
 * `npx tsx scripts/render-docs.ts [--email-source <file>]`: the README's pictures of what a human sees. Sends a request
 * through the real email activity to a local STARTTLS SMTP server, screenshots the received HTML part with headless
 * Chromium (docs/email.png), and renders the Slack message's Block Kit as Slack would show it (docs/slack.png).
 * Chromium: /usr/bin/chromium (`apt-get install -y chromium`), or `--chromium <path>`.
 */
import { writeFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { describe } from '../src/activities/channels/render.js';
import { slackMessage } from '../src/activities/channels/slack-blocks.js';
import { decisionLinks, inboxUrl, type SendContext } from '../src/activities/channels/context.js';
import { parseWorkerConfig } from '../src/config/index.js';
import { LINK_KEYS, PUBLIC_URL, approvalSubject, channelActivities, message } from '../test/fixtures/slack-kit.js';
import { parseMessage, selfSignedCertificate, startMailbox } from '../test/fixtures/smtp-server.js';

const option = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const sourcePath = option('--email-source');
const subject = approvalSubject({
  approvalId: '8e46c1d2-approval',
  reason: 'Delete rows of events older than 7 days (<!channel> stays text)',
  requestedBy: 'billing-agent',
  owner: 'ws-42',
  args: { table: 'events', older_than_days: 7 },
  deadline: '2030-06-01T14:05:00Z',
});

// The email, as received.
const certificate = selfSignedCertificate();
const mailbox = await startMailbox({ certificate, user: { username: 'hitl', password: 'render-docs-password' } });
const config = parseWorkerConfig(
  {
    hitl: {
      channels: [
        {
          type: 'email',
          smtp_host: '127.0.0.1',
          smtp_port: mailbox.port,
          from: 'temporal-hitl <hitl@example.com>',
          to: 'ops@example.com',
          username: 'hitl',
          ca_path: certificate.certPath,
        },
      ],
    },
  },
  { HITL_PUBLIC_URL: PUBLIC_URL, SMTP_PASSWORD: 'render-docs-password' },
);
await channelActivities({ ...config, linkSigningKeys: LINK_KEYS }).notify(message('email', 'request', subject));
await mailbox.close();
const raw = mailbox.messages[0]?.raw;
if (!raw) throw new Error('the email did not arrive');
if (sourcePath) await writeFile(sourcePath, raw);
const html = parseMessage(raw).parts['text/html']!;

// The Slack message (webhook mode), drawn from its blocks.
const ctx = { publicUrl: PUBLIC_URL, linkSigningKeys: LINK_KEYS, warnNoLinks: () => undefined } as unknown as SendContext;
const content = describe(subject, 'request', decisionLinks(ctx, subject, 'slack:ops'), inboxUrl(ctx));
const slackHtml = slackPage(slackMessage(content, subject, 'links').blocks);

const browser = await chromium.launch({ executablePath: option('--chromium') ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 720, height: 200 }, deviceScaleFactor: 1 });
  await page.setContent(html);
  await page.screenshot({ path: 'docs/email.png', fullPage: true });
  await page.setViewportSize({ width: 640, height: 200 });
  await page.setContent(slackHtml);
  await page.screenshot({ path: 'docs/slack.png', fullPage: true });
} finally {
  await browser.close();
}
console.log(`wrote docs/email.png and docs/slack.png${sourcePath ? ` and ${sourcePath}` : ''}`);

/** Block Kit drawn roughly as Slack draws it: header, mrkdwn sections (already escaped), buttons. */
function slackPage(blocks: Record<string, any>[]): string {
  const mrkdwn = (text: string) =>
    text
      .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '<a href="$1">$2</a>')
      .replace(/\*([^*\n]+)\*/g, '<b>$1</b>')
      .replace(/`([^`\n]+)`/g, '<code>$1</code>')
      .replace(/\n/g, '<br>');
  const body = blocks
    .map((b) => {
      if (b.type === 'header') return `<div class="header">${b.text.text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</div>`;
      if (b.type === 'section') return `<div class="section">${mrkdwn(b.text.text)}</div>`;
      if (b.type === 'actions')
        return `<div class="actions">${b.elements.map((e: any) => `<span class="btn ${e.style ?? ''}">${e.text.text}</span>`).join('')}</div>`;
      return '';
    })
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;padding:20px;font-family:Lato,'Segoe UI',Helvetica,Arial,sans-serif;font-size:15px;color:#1d1c1d;background:#fff}
.msg{display:flex;gap:10px}.avatar{width:36px;height:36px;border-radius:6px;background:#4a154b;color:#fff;font-weight:700;display:flex;align-items:center;justify-content:center}
.name{font-weight:900}.app{font-size:10px;background:#e8e8e8;color:#616061;padding:1px 3px;border-radius:2px;margin-left:4px}.time{color:#616061;font-size:12px;margin-left:6px}
.header{font-size:18px;font-weight:900;margin:6px 0}.section{margin:6px 0;line-height:1.45}
.actions{margin-top:10px}.btn{display:inline-block;padding:6px 14px;margin-right:8px;border-radius:4px;border:1px solid #ddd;font-weight:700;font-size:14px}
.btn.primary{background:#007a5a;color:#fff;border-color:#007a5a}.btn.danger{background:#fff;color:#e01e5a;border-color:#e01e5a}
code{font-size:12px;background:#f6f6f6;border:1px solid #ddd;border-radius:3px;padding:0 3px;color:#e01e5a}a{color:#1264a3}
</style></head><body><div class="msg"><div class="avatar">H</div><div><div><span class="name">temporal-hitl</span><span class="app">APP</span><span class="time">14:05</span></div>
${body}</div></div></body></html>`;
}
