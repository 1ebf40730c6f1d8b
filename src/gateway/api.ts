/**
 * The platform's HTTP API (SPEC "The platform the reference lives in"), backed by Temporal. A workspace's bearer token
 * (or an inbox session, with its CSRF header on changes) sees and decides only that workspace; the recorded decider is
 * the token's name, never the body's `decided_by`.
 */
import { getCookie } from 'hono/cookie';
import type { Hono, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { bearerOf, matchToken, principalOf, sameSecret } from './auth.js';
import { fail, jsonBody, type GatewayDeps, type GatewayEnv } from './context.js';
import { decideAs, resumeAs } from './decisions.js';

export const SESSION_COOKIE = 'hitl_session';
export const CSRF_HEADER = 'x-hitl-csrf';

const Json = z.record(z.string(), z.unknown(), { error: 'must be a JSON object' });
const CreateBody = z.object({
  action: z.string({ error: 'is required: the action to approve, e.g. "drop_table"' }).trim().min(1, 'must not be empty'),
  reason: z.string({ error: 'must be a string' }).optional(),
  task_id: z.string({ error: 'must be a string' }).min(1).optional(),
  context: Json.optional(),
  args: Json.optional(),
  args_schema: Json.optional(),
  timeout: z.string({ error: "must be a duration such as '15m'" }).optional(),
  approvers: z.array(z.string().min(1), { error: "must be a list of names or 'group:<name>'" }).optional(),
  idempotency_key: z.string().min(1).optional(),
});
const DecideBody = z.object({
  decision: z.enum(['approved', 'denied'], { error: "must be 'approved' or 'denied'" }),
  /** Accepted for the platform's shape; the decider recorded is the credential's name. */
  decided_by: z.string().optional(),
  message: z.string({ error: 'must be a string' }).optional(),
  edited_args: Json.optional(),
});
const ResumeBody = z.object({ message: z.string({ error: 'must be a string' }).optional() });

/** A workspace route's caller: a bearer token of that workspace, or an inbox session (CSRF header on changes). */
export function workspaceAuth(deps: GatewayDeps): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    const ws = c.req.param('ws') ?? '';
    const bearer = bearerOf(c.req.header('authorization'));
    let principal;
    if (bearer !== undefined) {
      const token = matchToken(bearer, deps.config.tokens);
      if (!token) return fail(c, 401, 'unauthorized', 'unknown bearer token');
      principal = principalOf(token);
    } else {
      const session = deps.sessions.get(getCookie(c, SESSION_COOKIE));
      if (!session) return fail(c, 401, 'unauthorized', 'send Authorization: Bearer <workspace token>');
      if (c.req.method !== 'GET' && !sameSecret(c.req.header(CSRF_HEADER) ?? '', session.csrf)) {
        return fail(c, 403, 'forbidden', `missing or wrong ${CSRF_HEADER} header`);
      }
      principal = { name: session.name, workspace: session.workspace };
    }
    if (principal.workspace !== ws) return fail(c, 403, 'forbidden', `this credential is for another workspace, not '${ws}'`);
    c.set('principal', principal);
    await next();
  };
}

export function apiRoutes(app: Hono<GatewayEnv>, deps: GatewayDeps): void {
  const { backend } = deps;
  const auth = workspaceAuth(deps);

  app.post('/workspaces/:ws/approvals', auth, async (c) => {
    const body = await jsonBody(c, CreateBody);
    if (!body.ok) return body.res;
    const b = body.data;
    const who = c.get('principal');
    const options = {
      action: b.action,
      ...(b.reason !== undefined && { reason: b.reason }),
      ...(b.task_id && { taskId: b.task_id }),
      ...((b.args ?? b.context) && { args: b.args ?? b.context }),
      ...(b.args_schema && { argsSchema: b.args_schema }),
      ...(b.timeout && { timeout: b.timeout as `${number}s` }),
      ...(b.approvers && { approvers: b.approvers }),
      ...(b.idempotency_key && { idempotencyKey: b.idempotency_key }),
      requestedBy: who.name,
    };
    const created = await backend.hitl(who.workspace).createApproval(options);
    deps.log(`approval ${created.approval_id} created in ${who.workspace} by ${who.name}`);
    return c.json(created, 201);
  });

  app.get('/workspaces/:ws/approvals', auth, async (c) =>
    c.json(await backend.hitl(c.get('principal').workspace).listApprovals({ limit: 50 })),
  );

  app.post('/workspaces/:ws/approvals/:approvalId/decide', auth, async (c) => {
    const body = await jsonBody(c, DecideBody);
    if (!body.ok) return body.res;
    const { decision, message, edited_args } = body.data;
    if (edited_args && decision !== 'approved') return fail(c, 400, 'invalid body', 'edited_args: go with decision "approved" only');
    const who = c.get('principal');
    const id = c.req.param('approvalId');
    const out = await decideAs(backend, who, id, {
      decision,
      ...(message && { message }),
      ...(edited_args && { editedArgs: edited_args }),
    });
    if (!out.ok) return fail(c, out.status, out.error, out.detail);
    deps.log(`approval ${id} ${decision} by ${who.name} (${who.workspace}) via api`);
    return c.json(out.value, 200);
  });

  app.get('/workspaces/:ws/tasks', auth, async (c) => c.json(await backend.hitl(c.get('principal').workspace).listPausedTasks()));

  app.post('/workspaces/:ws/tasks/:taskId/resume', auth, async (c) => {
    const body = await jsonBody(c, ResumeBody);
    if (!body.ok) return body.res;
    const who = c.get('principal');
    const id = c.req.param('taskId');
    const out = await resumeAs(backend, who, id, body.data.message);
    if (!out.ok) return fail(c, out.status, out.error, out.detail);
    deps.log(`task ${id} resumed by ${who.name} (${who.workspace}) via api`);
    return c.json(out.value, 200);
  });

  app.get('/approvals/pending', async (c) => {
    const admin = matchToken(bearerOf(c.req.header('authorization')), deps.config.adminTokens);
    if (!admin) return fail(c, 401, 'unauthorized', 'send Authorization: Bearer <admin token>');
    return c.json(await backend.pendingEverywhere());
  });
}
