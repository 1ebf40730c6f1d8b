/** The gateway's Hono app: request log, body limit, JSON errors, health, and the route modules. */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { HitlError, InputError } from '../common/errors.js';
import { apiRoutes } from './api.js';
import { fail, type GatewayDeps, type GatewayEnv } from './context.js';
import { inboxRoutes } from './inbox.js';
import { linkRoutes } from './links.js';
import { slackRoutes } from './slack.js';

/** Bodies above this are refused with 413 before they are read in full. */
export const MAX_BODY_BYTES = 64 * 1024;

export function createGatewayApp(deps: GatewayDeps): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    // The path only: link tokens ride in the query string, bearer tokens in headers; neither is logged.
    deps.log(`${c.req.method} ${c.req.path} ${c.res.status} ${Math.round(performance.now() - started)}ms`);
  });
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => fail(c, 413, 'body too large', `the limit is ${MAX_BODY_BYTES} bytes`),
    }),
  );
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/', (c) => c.redirect('/inbox', 302));
  slackRoutes(app, deps);
  linkRoutes(app, deps); // before the API: the API's resume shares the link's path
  apiRoutes(app, deps);
  inboxRoutes(app, deps);
  app.notFound((c) => fail(c, 404, 'not found', `no route ${c.req.method} ${c.req.path}`));
  app.onError((err, c) => {
    if (err instanceof HTTPException && err.status === 403) {
      return fail(c, 403, 'forbidden', 'cross-site form posts are refused: submit the form from this gateway’s own page');
    }
    if (err instanceof HTTPException) return fail(c, err.status, 'bad request', err.message || 'the request cannot be read');
    if (err instanceof InputError) return fail(c, 400, 'invalid request', err.message);
    if (err instanceof HitlError) return fail(c, 503, 'unavailable', err.message);
    deps.log(`error on ${c.req.method} ${c.req.path}: ${err.name}: ${err.message.split('\n')[0]}`);
    return fail(c, 500, 'internal error', 'see the gateway log');
  });
  return app;
}
