/**
 * Signed decision links: the one helper the channels (which put links in front of a human) and the gateway (which
 * turns a link into a decision) share. Node side only: it reads keys, which never enter workflow history.
 *
 * A token is `v1.<keyId>.<claims>.<mac>`: the claims as base64url JSON, the mac HMAC-SHA256 over `v1.<keyId>.<claims>`
 * with the key of that id. The first key of a list signs; every key verifies, so keys rotate by id.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A key that signs links (from `HITL_LINK_SIGNING_KEYS`). */
export interface LinkKey {
  id: string;
  secret: string;
}

export type LinkAction = 'approve' | 'deny' | 'resume';

/** What a link lets its holder do, and until when. */
export interface LinkClaims {
  /** `approve` and `deny` act on an approval, `resume` on a paused task. */
  action: LinkAction;
  /** The approval id, or the task id for `resume`. */
  id: string;
  /** The workspace that owns it. */
  workspaceId: string;
  /** Who the link was sent to (an email address, a Slack channel): the decider the gateway records. */
  recipient: string;
  /** Epoch milliseconds after which the link is refused. */
  expiresAt: number;
  /** Random; makes every link distinct. */
  nonce: string;
}

export type LinkProblem = 'malformed' | 'unknown-key' | 'bad-signature' | 'expired' | 'other-link';

export type LinkCheck = { ok: true; claims: LinkClaims; keyId: string } | { ok: false; problem: LinkProblem; detail: string };

const VERSION = 'v1';

/** A new nonce for `LinkClaims.nonce`. */
export const newNonce = (): string => randomBytes(12).toString('base64url');

/** Signs claims with the first key. @throws Error when there is no key (links are off until one is configured). */
export function signLink(claims: Omit<LinkClaims, 'nonce'> & { nonce?: string }, keys: readonly LinkKey[]): string {
  const key = keys[0];
  if (!key) throw new Error('no link-signing key: set HITL_LINK_SIGNING_KEYS (id:secret) on the worker and the gateway');
  const full: LinkClaims = { ...claims, nonce: claims.nonce ?? newNonce() };
  const body = Buffer.from(
    JSON.stringify({ a: full.action, i: full.id, w: full.workspaceId, r: full.recipient, e: full.expiresAt, n: full.nonce }),
  ).toString('base64url');
  const signed = `${VERSION}.${key.id}.${body}`;
  return `${signed}.${mac(key.secret, signed)}`;
}

/**
 * Checks a token's signature and expiry, then (when given) that it is the link for this route: same action, id and
 * workspace. Never throws; the problem says what is wrong without echoing the token.
 */
export function verifyLink(
  token: unknown,
  keys: readonly LinkKey[],
  expect?: { action: LinkAction; id: string; workspaceId: string },
  now: number = Date.now(),
): LinkCheck {
  if (typeof token !== 'string' || token.length > 2048) return bad('malformed', 'the link is incomplete');
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) return bad('malformed', 'the link is incomplete');
  const [, keyId, body, given] = parts as [string, string, string, string];
  const key = keys.find((k) => k.id === keyId);
  if (!key) return bad('unknown-key', 'the link was signed with a key this gateway does not have (expired or from elsewhere)');
  const want = Buffer.from(mac(key.secret, `${VERSION}.${keyId}.${body}`));
  const got = Buffer.from(given);
  if (got.length !== want.length || !timingSafeEqual(got, want)) return bad('bad-signature', 'the link has been altered');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return bad('malformed', 'the link is incomplete');
  }
  const claims = claimsOf(raw);
  if (!claims) return bad('malformed', 'the link is incomplete');
  if (now > claims.expiresAt) return bad('expired', `the link expired at ${new Date(claims.expiresAt).toISOString()}`);
  if (expect && (claims.action !== expect.action || claims.id !== expect.id || claims.workspaceId !== expect.workspaceId)) {
    return bad('other-link', 'the link is for another decision, approval or workspace');
  }
  return { ok: true, claims, keyId };
}

/** The gateway route a link opens: the platform's `/workspaces/:ws/approvals/:id/approve|deny`, or `/workspaces/:ws/tasks/:id/resume`. */
export function linkPath(claims: Pick<LinkClaims, 'action' | 'id' | 'workspaceId'>): string {
  const ws = encodeURIComponent(claims.workspaceId);
  const id = encodeURIComponent(claims.id);
  return claims.action === 'resume' ? `/workspaces/${ws}/tasks/${id}/resume` : `/workspaces/${ws}/approvals/${id}/${claims.action}`;
}

/**
 * The full link a human clicks: `publicUrl` + route + `?t=<token>`.
 * @example linkUrl('https://hitl.example.com', { action: 'approve', id, workspaceId, recipient: 'ops@example.com', expiresAt }, keys)
 */
export function linkUrl(publicUrl: string, claims: Omit<LinkClaims, 'nonce'> & { nonce?: string }, keys: readonly LinkKey[]): string {
  return `${publicUrl.replace(/\/+$/, '')}${linkPath(claims)}?t=${signLink(claims, keys)}`;
}

function mac(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('base64url');
}

function bad(problem: LinkProblem, detail: string): LinkCheck {
  return { ok: false, problem, detail };
}

function claimsOf(raw: Record<string, unknown>): LinkClaims | undefined {
  const { a, i, w, r, e, n } = raw ?? {};
  if (a !== 'approve' && a !== 'deny' && a !== 'resume') return undefined;
  if (typeof i !== 'string' || typeof w !== 'string' || typeof r !== 'string' || typeof n !== 'string') return undefined;
  if (typeof e !== 'number' || !Number.isFinite(e)) return undefined;
  return { action: a, id: i, workspaceId: w, recipient: r, expiresAt: e, nonce: n };
}
