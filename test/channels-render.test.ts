import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  describe as describeMessage,
  escapeHtml,
  escapeMrkdwn,
  outcomeLine,
  renderHtml,
  renderText,
  titleOf,
} from '../src/activities/channels/render.js';
import { slackMessage } from '../src/activities/channels/slack-blocks.js';
import { approvalSubject, pauseSubject } from './fixtures/slack-kit.js';

describe('channel rendering (pure)', () => {
  test('mrkdwn and HTML escaping leave no mention, link or tag alive', () => {
    assert.equal(escapeMrkdwn('<!channel> <http://x|y> a&b'), '&lt;!channel&gt; &lt;http://x|y&gt; a&amp;b');
    assert.equal(escapeHtml(`<a href="x" onclick='y'>&</a>`), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  test('titles by message kind, on one line whatever the action holds', () => {
    const subject = approvalSubject({ action: 'drop\r\nBcc: evil@example.test' });
    assert.equal(titleOf(subject, 'request'), 'Approval required: drop Bcc: evil@example.test');
    assert.equal(titleOf(approvalSubject(), 'escalation'), 'Escalation: Approval required: delete_rows');
    const pause = pauseSubject();
    assert.equal(titleOf(pause, 'reminder'), `Reminder: Task paused: ${pause.taskId}`);
    assert.equal(titleOf(approvalSubject({ action: 'x'.repeat(400) }), 'request').length, 150);
  });

  test('outcome lines', () => {
    assert.equal(
      outcomeLine({ status: 'approved', decidedBy: 'alice', decidedAt: '2030-01-02T03:04:05Z' }),
      'Approved by alice at 2030-01-02 03:04 UTC',
    );
    assert.equal(outcomeLine({ status: 'denied', decidedBy: 'bob', message: 'too\nrisky' }), 'Denied by bob: too risky');
    assert.equal(outcomeLine({ status: 'timeout' }), 'Timed out');
    assert.equal(outcomeLine({ status: 'cancelled' }), 'Cancelled');
    assert.equal(outcomeLine({ status: 'resumed', decidedBy: 'carol' }), 'Resumed by carol');
  });

  test('without links, text, HTML and Slack point to the inbox; a huge reason is clipped to fit a Slack section', () => {
    const subject = approvalSubject({ reason: 'r'.repeat(10_000), requiredApprovals: 2 });
    const content = describeMessage(subject, 'request', undefined, 'https://hitl.example.test/inbox');
    assert.match(renderText(content), /Decide in the inbox: https:\/\/hitl\.example\.test\/inbox/);
    assert.match(renderText(content), /Approvals needed : 2/);
    assert.match(renderHtml(content), /href="https:\/\/hitl\.example\.test\/inbox"/);
    const { blocks } = slackMessage(content, subject, 'links');
    for (const block of blocks) assert.ok(JSON.stringify((block as any).text?.text ?? '').length <= 3000);
    assert.equal(blocks.filter((b) => b.type === 'actions').length, 0);
  });
});
