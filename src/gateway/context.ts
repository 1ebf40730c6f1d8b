/** What every route module gets: the backend, the config, sessions, and the shared request helpers. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import type { GatewayConfig } from '../config/index.js';
import type { Principal, Sessions } from './auth.js';
import type { Backend } from './backend.js';

export interface GatewayEnv {
  Variables: { principal: Principal; csrf?: string };
}

export interface GatewayDeps {
  backend: Backend;
  config: GatewayConfig;
  sessions: Sessions;
  /** Where request and decision lines go (never a token). */
  log: (line: string) => void;
}

/** The API's error body: `{ error, detail }`. */
export const fail = (c: Context, status: ContentfulStatusCode, error: string, detail: string) => c.json({ error, detail }, status);

/** The first problem of a zod error, naming the field. */
export function issueText(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid body';
  const field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') return `${[field, issue.keys[0]].filter(Boolean).join('.')}: unknown field`;
  return `${field || '(body)'}: ${issue.message}`;
}

/** The JSON body checked against `schema`, or a 400 response naming the field. An empty body counts as `{}`. */
export async function jsonBody<S extends z.ZodType>(
  c: Context,
  schema: S,
): Promise<{ ok: true; data: z.infer<S> } | { ok: false; res: Response }> {
  let raw: unknown = {};
  const text = await c.req.text();
  if (text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch (err) {
      return { ok: false, res: fail(c, 400, 'malformed JSON', `the body is not valid JSON (${(err as Error).message.slice(0, 120)})`) };
    }
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, res: fail(c, 400, 'invalid body', issueText(parsed.error)) };
  return { ok: true, data: parsed.data };
}
