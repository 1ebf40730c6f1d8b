import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { tool } from '@langchain/core/tools';
import { chromium, type Browser } from 'playwright-core';
import { z } from 'zod';
import { linkUrl } from '../src/links/index.js';
import { requiresApproval } from '../src/index.js';
import { approvalStateQuery, approvalWorkflowId } from '../src/workflow.js';
import { closeConnections, firstPending, uid, waitPaused, waitPending, withWorker } from './helpers.js';
import { LINK_KEY, withGateway } from './fixtures/gateway-setup.js';

// Debian's Chromium (`apt-get install chromium`, done by .ci/run), driven by playwright-core.
const executablePath = execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
const ARTIFACTS = 'test-artifacts';
mkdirSync(ARTIFACTS, { recursive: true });

let browser: Browser;
before(async () => {
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage'], timeout: 60_000 });
});
after(async () => {
  await browser?.close();
  await closeConnections();
});

test('inbox in a phone-width browser: log in, see the gated tool, a bad edit is caught, approve with edits, the tool runs edited', () =>
  withWorker((h) =>
    withGateway(h, async ({ gw, wsA, tokens }) => {
      const hitl = h.hitl(wsA);
      const ran: { table: string; rows: number }[] = [];
      const purge = requiresApproval(hitl, { reasonTemplate: 'Purge {rows} rows from {table}', requestedBy: 'agent-7' })(
        tool(
          async ({ table, rows }) => {
            ran.push({ table, rows });
            return `purged ${rows} rows from ${table}`;
          },
          {
            name: 'purge_rows',
            description: 'Deletes old rows',
            schema: z.object({ table: z.string(), rows: z.number().int().max(1000) }),
          },
        ),
      );
      // Something decided earlier and a paused task, so that the page shows every section.
      const earlier = await hitl.createApproval({ action: 'rotate_keys', reason: 'Quarterly rotation' });
      await waitPending(h.client, earlier.approval_id);
      await hitl.decide(earlier.approval_id, { decision: 'denied', decidedBy: 'bob', message: 'after the release' });
      const taskId = uid('invoice-run');
      const paused = hitl.pauseTask(taskId, 'Which billing plan: A or B?', { timeout: '10m' });
      const running = purge.invoke({ table: 'events', rows: 500 });
      const approvalId = await firstPending(hitl, 'purge_rows');
      await waitPaused(h.client, taskId);

      const context = await browser.newContext({ viewport: { width: 375, height: 860 }, deviceScaleFactor: 2 });
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      await page.goto(`${gw.url}/inbox`);
      await page.fill('#token', 'wrong');
      await page.click('button[type=submit]');
      await page.getByText('That token is not valid').waitFor();
      await page.fill('#token', tokens.alice);
      await page.click('button[type=submit]');
      const card = page.locator(`#pending [data-approval-id="${approvalId}"]`);
      await card.getByText('Purge 500 rows from events').waitFor();
      await card.getByText(/Requested by agent-7 · .* ago · deadline in/).waitFor();
      const cookies = await context.cookies();
      assert.deepEqual(
        cookies.map((c) => [c.name, c.httpOnly, c.sameSite, c.value.includes(tokens.alice)]),
        [['hitl_session', true, 'Strict', false]],
      );
      // The session cookie alone does not decide: the page's CSRF header is needed too.
      const forged = await page.request.post(`${gw.url}/workspaces/${wsA}/approvals/${approvalId}/decide`, {
        data: { decision: 'denied' },
      });
      assert.equal(forged.status(), 403);
      const textarea = card.locator('textarea');
      assert.deepEqual(JSON.parse(await textarea.inputValue()), { table: 'events', rows: 500 });

      // The schema says rows ≤ 1000 and whole: the page refuses before sending.
      await textarea.fill(JSON.stringify({ table: 'events', rows: 5000 }));
      await card.getByRole('button', { name: 'Approve with edits' }).click();
      await card.getByText(/Does not match the tool's schema: rows: must be ≤ 1000/).waitFor();
      assert.equal((await h.client.workflow.getHandle(approvalWorkflowId(approvalId)).query(approvalStateQuery)).status, 'pending');

      await textarea.fill(JSON.stringify({ table: 'events', rows: 50 }, null, 2));
      await page.locator(`#paused [data-task-id="${taskId}"]`).waitFor();
      await page.locator('#recent [data-approval-id]').first().waitFor();
      await page.screenshot({ path: `${ARTIFACTS}/inbox.png`, fullPage: true }); // docs/inbox.png is a copy of this
      await card.getByRole('button', { name: 'Approve with edits' }).click();

      assert.equal(await running, 'purged 50 rows from events');
      assert.deepEqual(ran, [{ table: 'events', rows: 50 }]);
      // Without a reload: the card leaves, the decision shows under "Recently decided" with who.
      await card.waitFor({ state: 'detached' });
      await page
        .locator(`#recent [data-approval-id="${approvalId}"]`)
        .getByText(/purge_rows — approved by alice at/)
        .waitFor();
      await page.screenshot({ path: `${ARTIFACTS}/inbox-decided.png`, fullPage: true });

      const task = page.locator(`#paused [data-task-id="${taskId}"]`);
      await task.getByText('Which billing plan: A or B?').waitFor();
      await task.getByRole('textbox').fill('Plan B');
      await task.getByRole('button', { name: 'Resume' }).click();
      assert.deepEqual(await paused, { resumed: true, task_id: taskId, message: 'Plan B' });
      await task.waitFor({ state: 'detached' });
      const width = await page.evaluate<number>('document.documentElement.scrollWidth');
      assert.ok(width <= 375, `no sideways scrolling at 375 px (content is ${width} px wide)`);
      await context.close();
    }),
  ));

test('an e-mailed link opens a confirmation page; its button approves', () =>
  withWorker((h) =>
    withGateway(h, async ({ gw, wsA }) => {
      const hitl = h.hitl(wsA);
      const { approval_id: id } = await hitl.createApproval({
        action: 'send_invoice',
        reason: 'Invoice #42 to ACME',
        args: { amount: 420 },
      });
      const url = linkUrl(
        gw.url,
        { action: 'approve', id, workspaceId: wsA, recipient: 'email:ops@example.com', expiresAt: Date.now() + 600_000 },
        [LINK_KEY],
      );
      const context = await browser.newContext({ viewport: { width: 375, height: 760 } });
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      await page.goto(url);
      await page.getByText('Invoice #42 to ACME').waitFor();
      assert.equal((await h.client.workflow.getHandle(approvalWorkflowId(id)).query(approvalStateQuery)).status, 'pending');
      await page.fill('#message', 'ok to send');
      await page.screenshot({ path: `${ARTIFACTS}/link-confirm.png`, fullPage: true });
      await page.getByRole('button', { name: 'Approve' }).click();
      await page.getByText('You approved').waitFor();
      await page.screenshot({ path: `${ARTIFACTS}/link-done.png`, fullPage: true });
      const result = await hitl.waitForApproval(id);
      assert.deepEqual([result.approved, result.decided_by, result.message], [true, 'email:ops@example.com', 'ok to send']);
      await context.close();
    }),
  ));
