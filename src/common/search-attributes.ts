import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** What a workflow is; values in `HitlKindValue`. */
export const HitlKind = defineSearchAttributeKey('HitlKind', SearchAttributeType.KEYWORD);
export const HitlKindValue = { pause: 'pause', approval: 'approval' } as const;
export type HitlKindValue = (typeof HitlKindValue)[keyof typeof HitlKindValue];

/** Workspace that owns the pause or approval. */
export const HitlOwner = defineSearchAttributeKey('HitlOwner', SearchAttributeType.KEYWORD);

/**
 * Where it stands: a pause's `PauseStatus` (`paused` | `resumed` | `timeout` | `cancelled`) or an approval's
 * `ApprovalStatus` (`pending` | `approved` | `denied` | `timeout` | `cancelled`), each defined next to its messages.
 */
export const HitlStatus = defineSearchAttributeKey('HitlStatus', SearchAttributeType.KEYWORD);

/** The gated action of an approval. */
export const HitlAction = defineSearchAttributeKey('HitlAction', SearchAttributeType.KEYWORD);

/** Every search attribute a cluster must have registered for temporal-hitl. */
export const HITL_SEARCH_ATTRIBUTES = [HitlKind, HitlOwner, HitlStatus, HitlAction] as const;
