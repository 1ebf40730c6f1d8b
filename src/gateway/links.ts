/**
 * Signed links from Slack and email (`src/links`): GET shows a confirmation page and decides nothing (mail scanners and
 * link unfurlers GET links); only the page's POST decides. The decider recorded is the link's `recipient`, verbatim
 * (the channels write it as `email:<address>` or `slack:<channel>`). The token is the capability and the page's CSRF
 * token at once; form POSTs must also come from this gateway's own origin.
 */
import type { Context, Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { verifyLink, type LinkAction, type LinkClaims } from '../links/index.js';
import type { GatewayDeps, GatewayEnv } from './context.js';
import { decideAs, resumeAs } from './decisions.js';
import { argsJson, h, notice, page } from './html.js';

const VERB: Record<LinkAction, string> = { approve: 'Approve', deny: 'Deny', resume: 'Resume' };

export function linkRoutes(app: Hono<GatewayEnv>, deps: GatewayDeps): void {
  const own = new URL(deps.config.gateway.publicUrl).origin;
  // A form POST from another site is refused before anything is read (the request's own origin or the public URL's).
  const sameOrigin = csrf({ origin: (origin, c) => origin === own || origin === new URL(c.req.url).origin });

  for (const action of ['approve', 'deny', 'resume'] as const) {
    const path = action === 'resume' ? '/workspaces/:ws/tasks/:id/resume' : `/workspaces/:ws/approvals/:id/${action}`;
    app.get(path, (c) => confirmPage(c, deps, action));
    // The API's own `POST …/resume` (bearer) shares the resume path: a request without a link token is the API's.
    app.post(path, sameOrigin, async (c, next) => {
      if (action === 'resume' && c.req.query('t') === undefined) return next();
      return submit(c, deps, action);
    });
  }
}

function check(c: Context, deps: GatewayDeps, action: LinkAction): { ok: true; claims: LinkClaims } | { ok: false; res: Response } {
  const expect = { action, id: c.req.param('id') ?? '', workspaceId: c.req.param('ws') ?? '' };
  const verdict = verifyLink(c.req.query('t'), deps.config.linkSigningKeys, expect);
  if (verdict.ok) return verdict;
  const status = verdict.problem === 'expired' ? 410 : 403;
  const title = verdict.problem === 'expired' ? 'This link has expired' : 'This link cannot be used';
  return { ok: false, res: notice(c, status, title, `${verdict.detail}. Nothing was changed. Ask for a new link or use the inbox.`) };
}

async function confirmPage(c: Context, deps: GatewayDeps, action: LinkAction): Promise<Response> {
  const verdict = check(c, deps, action);
  if (!verdict.ok) return verdict.res;
  const { claims } = verdict;
  const form = (what: string) => h`
    <form method="post" action="${c.req.path}?t=${c.req.query('t') ?? ''}">
      <label for="message">Message (optional)</label><input type="text" id="message" name="message" maxlength="2000" placeholder="${what}">
      <div class="row"><button type="submit" class="${action === 'deny' ? 'deny' : 'approve'}">${VERB[action]}</button></div>
    </form>`;
  if (action === 'resume') {
    const task = await deps.backend.pause(claims.workspaceId, claims.id);
    if (!task || task.status !== 'paused')
      return notice(c, 409, 'Already resumed', `Task ${claims.id} is not paused any more. Nothing was changed.`);
    return page(
      c,
      200,
      `Resume ${task.taskId}?`,
      h`<header><h1>Resume a paused task</h1></header><main><div class="card">
        <h3>Resume ${task.taskId}?</h3><p class="reason">${task.reason || '(no reason given)'}</p>
        <p class="meta">Workspace ${claims.workspaceId} · paused ${task.pausedAt} · deadline ${task.deadline} · as ${claims.recipient}</p>
        ${form('A note for the agent')}</div></main>`,
    );
  }
  const approval = await deps.backend.approval(claims.workspaceId, claims.id);
  if (!approval) return notice(c, 404, 'Approval not found', `There is no approval ${claims.id} in workspace ${claims.workspaceId}.`);
  if (approval.status !== 'pending') {
    return notice(
      c,
      409,
      'Already decided',
      `This approval is already ${approval.status}${approval.decidedBy ? ` by ${approval.decidedBy}` : ''}${approval.decidedAt ? ` at ${approval.decidedAt}` : ''}. Nothing was changed.`,
    );
  }
  return page(
    c,
    200,
    `${VERB[action]} ${approval.action}?`,
    h`<header><h1>${VERB[action]} this action?</h1></header><main><div class="card">
      <h3>${approval.action}</h3><p class="reason">${approval.reason || '(no reason given)'}</p>
      <pre>${argsJson(approval.args)}</pre>
      <p class="meta">Workspace ${approval.workspace} · requested by ${approval.requestedBy ?? 'unknown'} · deadline ${approval.deadline} · you decide as ${claims.recipient}</p>
      ${form(action === 'deny' ? 'Why (the agent reads this)' : 'A note for the agent')}</div></main>`,
  );
}

async function submit(c: Context, deps: GatewayDeps, action: LinkAction): Promise<Response> {
  const verdict = check(c, deps, action);
  if (!verdict.ok) return verdict.res;
  const { claims } = verdict;
  const form = await c.req.parseBody();
  const message = typeof form.message === 'string' ? form.message.slice(0, 2000).trim() : '';
  const who = { name: claims.recipient, workspace: claims.workspaceId };
  if (action === 'resume') {
    const out = await resumeAs(deps.backend, who, claims.id, message || undefined);
    if (!out.ok)
      return notice(c, out.status, out.status === 404 ? 'Not paused any more' : 'Not accepted', `${out.detail}. Nothing was changed.`);
    deps.log(`task ${claims.id} resumed by ${who.name} (${who.workspace}) via link`);
    return notice(c, 200, 'Resumed', `Task ${claims.id} is resumed; the agent carries on.`);
  }
  const decision = action === 'approve' ? 'approved' : 'denied';
  const out = await decideAs(deps.backend, who, claims.id, { decision, ...(message && { message }) });
  if (!out.ok) {
    const title = out.status === 404 ? 'Not found or already decided' : 'Not accepted';
    return notice(c, out.status, title, `${out.detail}. Nothing was changed.`);
  }
  deps.log(`approval ${claims.id} ${decision} by ${who.name} (${who.workspace}) via link`);
  const pending = out.value.status === 'pending' ? ` ${out.value.required - out.value.approvals} more approval(s) needed.` : '';
  return notice(c, 200, decision === 'approved' ? 'Approved' : 'Denied', `You ${decision} ${claims.id} as ${who.name}.${pending}`);
}
