import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** `pause` or `approval`. */
export const HitlKind = defineSearchAttributeKey('HitlKind', SearchAttributeType.KEYWORD);
/** Workspace that owns the pause or approval. */
export const HitlOwner = defineSearchAttributeKey('HitlOwner', SearchAttributeType.KEYWORD);
/** `paused` | `resumed` | `timeout` for pauses; `pending` | `approved` | `denied` | `timeout` | `cancelled` for approvals. */
export const HitlStatus = defineSearchAttributeKey('HitlStatus', SearchAttributeType.KEYWORD);
/** The gated action of an approval. */
export const HitlAction = defineSearchAttributeKey('HitlAction', SearchAttributeType.KEYWORD);

/** Every search attribute a cluster must have registered for temporal-hitl. */
export const HITL_SEARCH_ATTRIBUTES = [HitlKind, HitlOwner, HitlStatus, HitlAction] as const;
