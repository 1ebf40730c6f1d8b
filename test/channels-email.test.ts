import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { parseWorkerConfig } from '../src/config/index.js';
import { verifyLink } from '../src/links/index.js';
import {
  HOSTILE,
  LINK_KEYS,
  PUBLIC_URL,
  approvalSubject,
  channelActivities,
  failureKind,
  failureOf,
  message,
  pauseSubject,
} from './fixtures/slack-kit.js';
import { RecordingLogger, assertNoSecret, closedPort } from './fixtures/slack-receiver.js';
import { parseMessage, selfSignedCertificate, startMailbox, type Certificate, type Mailbox } from './fixtures/smtp-server.js';

const USER = 'hitl-mailer';
const PASSWORD = 'smtp-pass-Sup3r-Secret-42';
const logger = new RecordingLogger();
const errors: string[] = [];
let certificate: Certificate;
const mailboxes: Mailbox[] = [];
before(() => {
  certificate = selfSignedCertificate();
});
after(() => Promise.all(mailboxes.map((m) => m.close())));

async function mailbox(options: { noStartTls?: boolean } = {}) {
  const m = await startMailbox({ certificate, user: { username: USER, password: PASSWORD }, ...options });
  mailboxes.push(m);
  return m;
}

function settings(port: number, channel: Record<string, unknown> = {}, password = PASSWORD) {
  const config = parseWorkerConfig(
    {
      hitl: {
        channels: [
          {
            type: 'email',
            name: 'ops-email',
            smtp_host: '127.0.0.1',
            smtp_port: port,
            from: 'HITL <hitl@example.test>',
            to: ['alice@example.test', 'bob@example.test'],
            username: USER,
            subject_prefix: 'Acme HITL',
            ca_path: certificate.certPath,
            ...channel,
          },
        ],
      },
    },
    { HITL_PUBLIC_URL: PUBLIC_URL, SMTP_PASSWORD: password },
  );
  return { ...config, linkSigningKeys: LINK_KEYS, timeoutMs: 5_000 };
}

describe('email channel', () => {
  test('over STARTTLS with a login: one message per recipient, text and HTML, escaped, with working signed links', async () => {
    const m = await mailbox();
    const { notify } = channelActivities(settings(m.port), logger);
    const subject = approvalSubject({ reason: HOSTILE });
    const input = message('ops-email', 'request', subject);
    assert.equal((await notify(input)).status, 'sent');
    // One SMTP session per recipient, each logged in over TLS only.
    assert.deepEqual(m.logins, [
      { username: USER, password: PASSWORD, secure: true },
      { username: USER, password: PASSWORD, secure: true },
    ]);
    assert.deepEqual(
      m.messages.map((msg) => [msg.to, msg.secure, msg.user]),
      [
        [['alice@example.test'], true, USER],
        [['bob@example.test'], true, USER],
      ],
    );
    for (const msg of m.messages) {
      const { headers, parts } = parseMessage(msg.raw);
      assert.equal(headers.subject, '[Acme HITL] Approval required: delete_rows');
      const text = parts['text/plain']!;
      const html = parts['text/html']!;
      assert.ok(text.includes(HOSTILE) && text.includes(subject.approvalId), text);
      assert.ok(!html.includes('<script>') && !html.includes('<!channel>'));
      assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
      const recipient = `email:${msg.to[0]}`;
      for (const action of ['approve', 'deny'] as const) {
        const url = new RegExp(`^${action === 'approve' ? 'Approve' : 'Deny'}: (\\S+)$`, 'm').exec(text)?.[1];
        assert.ok(url?.startsWith(`${PUBLIC_URL}/workspaces/ws-42/approvals/${subject.approvalId}/${action}?t=`), url);
        assert.ok(html.includes(`href="${url!.replace(/&/g, '&amp;')}"`), 'the HTML button carries the same link');
        const check = verifyLink(new URL(url!).searchParams.get('t'), LINK_KEYS, { action, id: subject.approvalId, workspaceId: 'ws-42' });
        assert.ok(check.ok && check.claims.recipient === recipient, JSON.stringify(check));
      }
    }
    // A retry of the same message (same dedupe key) sends nothing more.
    assert.equal((await notify(input)).status, 'sent');
    assert.equal(m.messages.length, 2);
  });

  test('a reminder threads under the request; a pause gets a Resume link; an outcome is skipped', async () => {
    const m = await mailbox();
    const { notify } = channelActivities(settings(m.port, { to: 'alice@example.test' }), logger);
    const subject = approvalSubject();
    await notify(message('ops-email', 'request', subject));
    await notify(message('ops-email', 'reminder', subject));
    const [request, reminder] = m.messages.map((msg) => parseMessage(msg.raw).headers);
    assert.equal(reminder!.subject, '[Acme HITL] Reminder: Approval required: delete_rows');
    assert.equal(reminder!['in-reply-to'], request!['message-id']);
    const pause = pauseSubject();
    await notify(message('ops-email', 'request', pause));
    const paused = parseMessage(m.messages[2]!.raw);
    assert.equal(paused.headers.subject, `[Acme HITL] Task paused: ${pause.taskId}`);
    const url = /^Resume: (\S+)$/m.exec(paused.parts['text/plain']!)?.[1];
    assert.ok(verifyLink(new URL(url!).searchParams.get('t'), LINK_KEYS, { action: 'resume', id: pause.taskId, workspaceId: 'ws-42' }).ok);
    assert.equal((await notify(message('ops-email', 'outcome', subject, { outcome: { status: 'approved' } }))).status, 'skipped');
    assert.equal(m.messages.length, 3);
  });

  test('a server without STARTTLS gets nothing: not sent, not retried, the password never reached it', async () => {
    const m = await mailbox({ noStartTls: true });
    const { notify } = channelActivities(settings(m.port), logger);
    const err = await failureOf(notify(message('ops-email', 'request', approvalSubject())));
    assert.equal(failureKind(err), 'rejected');
    assert.match(err.message, /no usable STARTTLS/);
    assert.deepEqual([m.messages.length, m.logins.length], [0, 0]);
    errors.push(err.message);
  });

  test('a wrong password is refused and not retried; a certificate nobody trusts is refused; a closed port is retried', async () => {
    const m = await mailbox();
    const wrong = await failureOf(
      channelActivities(settings(m.port, {}, 'not-the-password-123'), logger).notify(message('ops-email', 'request', approvalSubject())),
    );
    assert.equal(failureKind(wrong), 'rejected');
    assert.match(wrong.message, /^email: EAUTH/);
    const config = settings(m.port);
    const noCa = { ...config, channels: config.channels.map((c) => (c.type === 'email' ? { ...c, caPath: undefined } : c)) };
    const distrust = await failureOf(channelActivities(noCa, logger).notify(message('ops-email', 'request', approvalSubject())));
    assert.equal(failureKind(distrust), 'rejected');
    assert.match(distrust.message, /certificate is not trusted/);
    const refused = await failureOf(
      channelActivities(settings(await closedPort()), logger).notify(message('ops-email', 'request', approvalSubject())),
    );
    assert.equal(failureKind(refused), 'retryable');
    assert.equal(m.messages.length, 0);
    errors.push(wrong.message, distrust.message, refused.message);
  });

  test('a server that never greets fails the attempt within the timeout, retryable', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const err = await failureOf(
        channelActivities({ ...settings(port), timeoutMs: 300 }, logger).notify(message('ops-email', 'request', approvalSubject())),
      );
      assert.equal(failureKind(err), 'retryable');
      assert.equal(err.message, 'email: no answer within 300 ms');
    } finally {
      silent.close();
    }
  });

  test('missing smtp_host, from or to: skipped with a warning naming them', async () => {
    const quiet = new RecordingLogger();
    const { notify } = channelActivities(settings(1, { smtp_host: undefined, to: undefined }), quiet);
    const delivery = await notify(message('ops-email', 'request', approvalSubject()));
    assert.equal(delivery.status, 'skipped');
    assert.equal(delivery.error, 'email: smtp_host, to not configured');
    assert.ok(quiet.warnings().some((w) => w.includes('smtp_host, to not configured')));
  });

  test('no error message or log line carries the password', () => {
    assert.ok(errors.length >= 4);
    assertNoSecret(`${logger.text()}\n${errors.join('\n')}`, [PASSWORD, LINK_KEYS[0]!.secret], 'email logs and errors');
  });
});
