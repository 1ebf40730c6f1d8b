/**
 * Email over SMTP (nodemailer): text and HTML parts, signed links per recipient. TLS is never optional: port 465 speaks
 * TLS from the first byte, every other port must offer STARTTLS before anything else is said, so a server without it
 * gets no login, no password and no message. SMTP answers the other way round from HTTP: 4xx is "try later"
 * (retried), 5xx is final (rejected).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createTransport } from 'nodemailer';
import { dedupeKey, type NotifyInput } from '../../common/notify.js';
import type { ChannelConfig, ChannelSecrets } from '../../config/index.js';
import { decisionLinks, inboxUrl, skipped, subjectId, type SendContext, type SendResult } from './context.js';
import { ChannelUnavailable, excerpt, rejected } from './errors.js';
import { describe, oneLine, renderHtml, renderText, titleOf } from './render.js';

type EmailChannel = Extract<ChannelConfig, { type: 'email' }>;

/** Remembers which recipients of a message already have it, so a retry mails only the others. */
export interface SentLedger {
  has(key: string): boolean;
  add(key: string): void;
}

/** Codes that say the configuration or the server's policy is wrong: another attempt would fail the same way. */
const CONFIG_CODES = new Set(['EAUTH', 'ENOAUTH', 'ETLS', 'EREQUIRETLS', 'ECONFIG', 'EOAUTH2']);

export async function sendEmail(
  ctx: SendContext,
  channel: EmailChannel,
  name: string,
  secrets: ChannelSecrets,
  input: NotifyInput,
  ledger: SentLedger,
): Promise<SendResult> {
  const missing = [!channel.smtpHost && 'smtp_host', !channel.from && 'from', channel.to.length === 0 && 'to'].filter(Boolean);
  if (missing.length > 0) return skipped(`email: ${missing.join(', ')} not configured`);
  if (input.kind === 'outcome') return skipped('email: outcomes are not mailed');
  const { subject, kind } = input;
  const password = secrets.password;
  const secretList = [password, channel.username && password ? `\u0000${channel.username}\u0000${password}` : undefined];
  const transport = createTransport({
    host: channel.smtpHost!,
    port: channel.smtpPort,
    secure: channel.smtpPort === 465,
    requireTLS: channel.smtpPort !== 465,
    ...(channel.username && password && { auth: { user: channel.username, pass: password } }),
    tls: { minVersion: 'TLSv1.2', ...(channel.caPath && { ca: await readCa(channel.caPath) }) },
    connectionTimeout: ctx.timeoutMs,
    greetingTimeout: ctx.timeoutMs,
    socketTimeout: ctx.timeoutMs,
    dnsTimeout: ctx.timeoutMs,
  });
  // One deadline for the whole conversation (every recipient): a slow server fails the attempt, it does not hold it.
  const deadline = AbortSignal.timeout(ctx.timeoutMs);
  const signal = AbortSignal.any([ctx.signal, deadline]);
  const failures: Error[] = [];
  try {
    for (const to of channel.to) {
      const key = `${input.dedupeKey}|${to}`;
      if (ledger.has(key)) continue;
      const content = describe(subject, kind, decisionLinks(ctx, subject, `email:${to}`), inboxUrl(ctx));
      const requestId = messageId(dedupeKey(subjectId(subject), name, 'request'), to, channel.from!);
      try {
        await transport.sendMail({
          from: channel.from!,
          to,
          subject: `[${oneLine(channel.subjectPrefix, 60)}] ${titleOf(subject, kind)}`,
          text: renderText(content),
          html: renderHtml(content),
          messageId: kind === 'request' ? requestId : messageId(input.dedupeKey, to, channel.from!),
          ...(kind !== 'request' && { inReplyTo: requestId, references: [requestId] }),
          headers: { 'Auto-Submitted': 'auto-generated' },
          signal,
        });
        ledger.add(key);
      } catch (err) {
        if (ctx.signal.aborted) throw ctx.signal.reason; // cancelled: report the SDK's cancellation
        if (deadline.aborted) throw new ChannelUnavailable(`email: no answer within ${ctx.timeoutMs} ms`);
        failures.push(toFailure(err, secretList));
      }
    }
  } finally {
    transport.close();
  }
  // The first failure speaks for all; a rejection wins, since retrying cannot fix it.
  const failure = failures.find((f) => f.name === 'ApplicationFailure') ?? failures[0];
  if (failure) throw failure;
  return { status: 'sent' };
}

/** A stable Message-ID per message and recipient: a duplicate (at-least-once) carries the same id, and reminders thread under the request. */
function messageId(key: string, to: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)/.exec(from)?.[1] ?? 'temporal-hitl.invalid';
  return `<${createHash('sha256').update(`${key}|${to}`).digest('hex').slice(0, 32)}@${domain}>`;
}

async function readCa(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw rejected(`email: cannot read ca_path ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function toFailure(err: unknown, secrets: readonly (string | undefined)[]): Error {
  const e = (err ?? {}) as { code?: string; originalCode?: string; responseCode?: number; response?: string; message?: string };
  const code = e.code ?? 'EMAIL';
  const detail = excerpt(e.response ?? e.message ?? '', secrets);
  const message = `email: ${code}${detail ? ` ${detail}` : ''}`;
  // Node's TLS errors: "self-signed certificate", "unable to verify the first certificate", "certificate has expired", …
  if (/certificate|CERT_|SELF_SIGNED/i.test(`${e.originalCode ?? ''} ${e.message ?? ''}`)) {
    return rejected(`email: the server's TLS certificate is not trusted (set ca_path for a private CA)`);
  }
  if (code === 'ETLS' || code === 'EREQUIRETLS')
    return rejected(`email: the server offers no usable STARTTLS, so nothing was sent (${detail})`);
  if (CONFIG_CODES.has(code)) return rejected(message);
  if (typeof e.responseCode === 'number' && e.responseCode >= 500) return rejected(message);
  return new ChannelUnavailable(message);
}
