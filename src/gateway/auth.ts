/**
 * Who is calling: workspace bearer tokens and admin tokens (stored as SHA-256, compared in constant time), and the
 * inbox's login sessions (a random id in an HttpOnly cookie; the token itself is never stored or echoed).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { GatewayToken } from '../config/index.js';

/** An authenticated caller: its name is the decider the gateway records. */
export interface Principal {
  name: string;
  workspace: string;
}

/**
 * The SHA-256 (hex) of a token, as `gateway.tokens[].sha256` stores it.
 * @example hashToken('s3cret-token') // '2b0c…'
 */
export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** A new random token to hand to a caller (its hash goes into config). */
export const newToken = (): string => randomBytes(24).toString('base64url');

/** The entry whose hash matches `token`; every entry is compared, so the time does not say which one matched. */
export function matchToken<T extends { sha256: string }>(token: string | undefined, entries: readonly T[]): T | undefined {
  if (!token || token.length > 512) return undefined;
  const given = Buffer.from(hashToken(token), 'hex');
  let found: T | undefined;
  for (const entry of entries) {
    const want = Buffer.from(entry.sha256, 'hex');
    if (want.length === given.length && timingSafeEqual(want, given) && !found) found = entry;
  }
  return found;
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerOf(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

export interface Session extends Principal {
  /** Sent back by the inbox page with every change it asks for (the cookie alone does not suffice). */
  csrf: string;
  expiresAt: number;
}

/** Inbox login sessions, in memory: a restarted gateway asks people to log in again. */
export class Sessions {
  private readonly byId = new Map<string, Session>();
  constructor(
    private readonly ttlMs = 12 * 3600_000,
    private readonly max = 10_000,
  ) {}

  open(principal: Principal): { id: string; session: Session } {
    this.sweep();
    const id = randomBytes(32).toString('base64url');
    const session: Session = { ...principal, csrf: randomBytes(24).toString('base64url'), expiresAt: Date.now() + this.ttlMs };
    this.byId.set(id, session);
    return { id, session };
  }

  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.byId.get(id);
    if (session && session.expiresAt < Date.now()) this.byId.delete(id);
    return session && session.expiresAt >= Date.now() ? session : undefined;
  }

  close(id: string | undefined): void {
    if (id) this.byId.delete(id);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, s] of this.byId) if (s.expiresAt < now) this.byId.delete(id);
    // Full of live sessions: the oldest go first.
    for (const id of this.byId.keys()) {
      if (this.byId.size < this.max) break;
      this.byId.delete(id);
    }
  }
}

/** Same strings, in time that does not depend on where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

export const principalOf = (t: GatewayToken): Principal => ({ name: t.name, workspace: t.workspace });
