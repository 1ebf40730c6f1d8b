import { LIMITS } from './constants.js';
import { isUndecodable } from './payload-converter.js';

/**
 * The same person, however they typed their name: `Bob`, ` bob ` and `ＢＯＢ` are one identity. Used wherever
 * identities are compared (four-eyes, distinct quorum approvers); names are stored as given, trimmed.
 */
export const identityKey = (name: unknown): string => String(name).normalize('NFKC').trim().toLowerCase();

/** Why a message's identity field is unusable, or `undefined`: a non-empty string of at most `LIMITS.identityLength`. */
export function identityProblem(field: string, value: unknown, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string')
    return `${field} must be a string naming a person or service, got ${value === null ? 'null' : typeof value}`;
  const trimmed = value.trim();
  if (trimmed === '') return `${field} is required: name who decides`;
  if (trimmed.length > LIMITS.identityLength) return `${field} is ${trimmed.length} characters; the limit is ${LIMITS.identityLength}`;
  return undefined;
}

/**
 * The strict rules every message to a workflow started by this version meets before anything else is looked at:
 * decodable, an object, a bounded workspace id, bounded identity fields. Returns why not, or `undefined`.
 */
export function messageProblem(input: unknown, what: string, identities: Record<string, boolean>): string | undefined {
  if (isUndecodable(input)) return `the ${what} could not be read: ${input.hitlUndecodable}`;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return `${what} input must be an object`;
  const { workspaceId } = input as { workspaceId?: unknown };
  if (typeof workspaceId === 'string' && workspaceId.length > LIMITS.idLength) {
    return `workspaceId is ${workspaceId.length} characters; the limit is ${LIMITS.idLength}`;
  }
  for (const [field, required] of Object.entries(identities)) {
    const why = identityProblem(field, (input as Record<string, unknown>)[field], required);
    if (why !== undefined) return why;
  }
  return undefined;
}
