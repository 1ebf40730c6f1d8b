/**
 * Slack interactivity (`POST /slack/interactivity`), for the bot-mode buttons of the channels
 * (src/activities/channels/slack-blocks.ts). The contract both sides keep:
 *   - `action_id`: `hitl_approve` | `hitl_deny` (value `JSON.stringify({ approvalId, workspaceId })`) or `hitl_resume`
 *     (value `JSON.stringify({ taskId, workspaceId })`);
 *   - the decider is `gateway.slack_users[<Slack user id>]`, else `slack:<Slack user id>`;
 *   - the message is replaced with the outcome (`replace_original`, through `response_url`, and in the reply body).
 * Slack's v0 signature (HMAC-SHA256 over `v0:<timestamp>:<raw body>`) is checked in constant time, with the timestamp
 * within 5 minutes, before anything is parsed; a signature seen before is refused (replay).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { GatewayDeps, GatewayEnv } from './context.js';
import { fail } from './context.js';
import { decideAs, resumeAs, type Outcome } from './decisions.js';

const WINDOW_S = 5 * 60;
const ANSWER_WITHIN_MS = 2_500;

/** Signatures seen in the last window; a replayed request carries one of them. */
class SeenSignatures {
  private readonly seen = new Map<string, number>();
  /** False when `sig` was seen already; remembers it otherwise. */
  firstTime(sig: string, now = Date.now()): boolean {
    for (const [s, at] of this.seen) if (at < now - WINDOW_S * 1000 * 2) this.seen.delete(s);
    if (this.seen.has(sig)) return false;
    if (this.seen.size > 50_000) this.seen.clear();
    this.seen.set(sig, now);
    return true;
  }
}

/** Why a request is not Slack's, or undefined when it is. */
export function slackSignatureProblem(
  secrets: readonly string[],
  timestamp: string | undefined,
  signature: string | undefined,
  raw: string,
  nowS = Date.now() / 1000,
): string | undefined {
  if (secrets.length === 0) return 'Slack interactivity is off: set SLACK_SIGNING_SECRET (or a slack channel signing_secret)';
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature) return 'missing X-Slack-Request-Timestamp or X-Slack-Signature';
  if (Math.abs(nowS - Number(timestamp)) > WINDOW_S) return 'stale request: the timestamp is more than 5 minutes off';
  const given = Buffer.from(signature);
  let match = false;
  for (const secret of secrets) {
    const want = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${raw}`).digest('hex')}`);
    if (want.length === given.length && timingSafeEqual(want, given)) match = true;
  }
  return match ? undefined : 'bad signature';
}

const Payload = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().min(1) }),
  response_url: z.url().optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).min(1),
  message: z.object({ blocks: z.array(z.record(z.string(), z.unknown())).optional() }).optional(),
});
const ApprovalValue = z.object({ approvalId: z.string().min(1), workspaceId: z.string().min(1) });
const TaskValue = z.object({ taskId: z.string().min(1), workspaceId: z.string().min(1) });

export function slackRoutes(app: Hono<GatewayEnv>, deps: GatewayDeps): void {
  const seen = new SeenSignatures();
  app.post('/slack/interactivity', async (c) => {
    const raw = await c.req.text();
    const signature = c.req.header('x-slack-signature');
    const problem = slackSignatureProblem(deps.config.slackSigningSecrets, c.req.header('x-slack-request-timestamp'), signature, raw);
    if (problem) return fail(c, 401, 'unauthorized', problem);
    if (!seen.firstTime(signature!)) return fail(c, 401, 'unauthorized', 'replayed request: this signature was used already');
    const form = await c.req.parseBody();
    let json: unknown;
    try {
      json = JSON.parse(typeof form.payload === 'string' ? form.payload : '');
    } catch {
      return fail(c, 400, 'invalid payload', 'payload: must be the JSON Slack sends');
    }
    const payload = Payload.safeParse(json);
    if (!payload.success) return fail(c, 400, 'invalid payload', 'payload: not a block_actions payload with actions and a user');
    return answer(c, deps, payload.data);
  });
}

async function answer(c: Context, deps: GatewayDeps, p: z.infer<typeof Payload>): Promise<Response> {
  const action = p.actions[0]!;
  const name = deps.config.slackUsers[p.user.id] ?? `slack:${p.user.id}`;
  let value: unknown;
  try {
    value = JSON.parse(action.value ?? '');
  } catch {
    value = undefined;
  }
  let work: Promise<string>;
  if (action.action_id === 'hitl_approve' || action.action_id === 'hitl_deny') {
    const v = ApprovalValue.safeParse(value);
    if (!v.success) return fail(c, 400, 'invalid payload', 'actions.0.value: must be {"approvalId","workspaceId"}');
    const decision = action.action_id === 'hitl_approve' ? 'approved' : 'denied';
    work = decideAs(deps.backend, { name, workspace: v.data.workspaceId }, v.data.approvalId, { decision }).then((out) =>
      said(
        deps,
        out,
        `${decision === 'approved' ? 'Approved' : 'Denied'} by ${name}`,
        `approval ${v.data.approvalId} ${decision} by ${name} via slack`,
      ),
    );
  } else if (action.action_id === 'hitl_resume') {
    const v = TaskValue.safeParse(value);
    if (!v.success) return fail(c, 400, 'invalid payload', 'actions.0.value: must be {"taskId","workspaceId"}');
    work = resumeAs(deps.backend, { name, workspace: v.data.workspaceId }, v.data.taskId).then((out) =>
      said(deps, out, `Resumed by ${name}`, `task ${v.data.taskId} resumed by ${name} via slack`),
    );
  } else {
    return c.json({ ok: true }); // another app's button: nothing to do
  }
  work = work.catch((err: unknown) => `Could not record the decision: ${(err as Error).message.split('\n')[0]}`);
  const reply = (outcome: string) => outcomeMessage(p.message?.blocks, outcome);
  // Slack wants an answer within 3 s: decide then reply when Temporal is quick, else ack now and follow up.
  const quick = await Promise.race([work, new Promise<undefined>((r) => setTimeout(() => r(undefined), ANSWER_WITHIN_MS).unref())]);
  const post = (outcome: string) =>
    p.response_url
      ? fetch(p.response_url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(reply(outcome)),
        }).then(
          () => undefined,
          (err: unknown) => deps.log(`slack response_url failed: ${(err as Error).name}`),
        )
      : Promise.resolve();
  if (quick === undefined) {
    void work.then(post);
    return c.body(null, 200);
  }
  void post(quick);
  return c.json(reply(quick));
}

function said(deps: GatewayDeps, out: Outcome<unknown>, done: string, line: string): string {
  if (!out.ok) return `Not recorded: ${out.detail}`;
  deps.log(line);
  return done;
}

const mrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The original message without its buttons, plus the outcome. */
function outcomeMessage(blocks: Record<string, unknown>[] | undefined, outcome: string): Record<string, unknown> {
  const kept = (blocks ?? []).filter((b) => b.type !== 'actions');
  return {
    replace_original: true,
    text: mrkdwn(outcome),
    blocks: [...kept, { type: 'section', block_id: 'hitl_outcome', text: { type: 'mrkdwn', text: `*${mrkdwn(outcome)}*` } }],
  };
}
