/**
 * The inbox: a workspace's pending approvals and paused tasks, for people. Login with the workspace token (checked like
 * a bearer token) opens a session; the cookie holds a random session id (HttpOnly, SameSite=Strict), never the token.
 * The page polls `/inbox/data` and decides through the API routes with the session's CSRF header.
 */
import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { SESSION_COOKIE } from './api.js';
import { matchToken, principalOf } from './auth.js';
import type { GatewayDeps, GatewayEnv } from './context.js';
import { fail } from './context.js';
import { h, page } from './html.js';
import { INBOX_SCRIPT } from './inbox-script.js';

export function inboxRoutes(app: Hono<GatewayEnv>, deps: GatewayDeps): void {
  const own = new URL(deps.config.gateway.publicUrl).origin;
  const sameOrigin = csrf({ origin: (origin, c) => origin === own || origin === new URL(c.req.url).origin });
  const secure = deps.config.gateway.publicUrl.startsWith('https:');

  app.get('/inbox', (c) => {
    const session = deps.sessions.get(getCookie(c, SESSION_COOKIE));
    if (!session) return loginPage(c, 200);
    return page(
      c,
      200,
      `Inbox · ${session.workspace}`,
      h`<header><h1>Inbox · ${session.workspace}</h1><form method="post" action="/inbox/logout"><span>${session.name}</span>
        <button class="plain" type="submit">Log out</button></form></header>
      <main data-workspace="${session.workspace}" data-csrf="${session.csrf}">
        <h2>Pending approvals</h2><div id="pending"><p class="empty">Loading…</p></div>
        <h2>Paused tasks</h2><div id="paused"><p class="empty">Loading…</p></div>
        <h2>Recently decided</h2><div class="card"><ul class="recent" id="recent"></ul></div>
        <p class="meta" id="status"></p>
      </main>`,
      INBOX_SCRIPT,
    );
  });

  app.post('/inbox/login', sameOrigin, async (c) => {
    const form = await c.req.parseBody();
    const token = matchToken(typeof form.token === 'string' ? form.token.trim() : undefined, deps.config.tokens);
    if (!token) return loginPage(c, 401, 'That token is not valid for any workspace.');
    const { id } = deps.sessions.open(principalOf(token));
    setCookie(c, SESSION_COOKIE, id, { httpOnly: true, sameSite: 'Strict', path: '/', secure, maxAge: 12 * 3600 });
    deps.log(`inbox login by ${token.name} (${token.workspace})`);
    return c.redirect('/inbox', 303);
  });

  app.post('/inbox/logout', sameOrigin, (c) => {
    deps.sessions.close(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/inbox', 303);
  });

  app.get('/inbox/data', async (c) => {
    const session = deps.sessions.get(getCookie(c, SESSION_COOKIE));
    if (!session) return fail(c, 401, 'unauthorized', 'log in at /inbox');
    c.header('Cache-Control', 'no-store');
    return c.json({
      workspace: session.workspace,
      user: session.name,
      now: new Date().toISOString(),
      ...(await deps.backend.inbox(session.workspace)),
    });
  });
}

function loginPage(c: Context, status: 200 | 401, error = ''): Response {
  return page(
    c,
    status,
    'Inbox · log in',
    h`<header><h1>temporal-hitl inbox</h1></header><main><div class="card"><h3>Log in</h3>
      <form method="post" action="/inbox/login"><label for="token">Workspace token</label>
      <input type="password" id="token" name="token" autocomplete="current-password" required>
      <p class="err">${error}</p><div class="row"><button class="approve" type="submit">Log in</button></div></form></div></main>`,
  );
}
