/** Why the store refused a change. Stable codes: callers map them to messages. */
export const STORE_ERROR_CODES = [
  'not_found', // the entity (or a unit it refers to) does not exist
  'duplicate_code', // a unit code already in use
  'bad_parent', // a unit's parent is missing or of a level that cannot hold it
  'illegal_transition', // a dossier status change the workflow does not allow
  'not_editable', // changing a nomination that is submitted or accepted
  'reason_required', // returning a dossier without a reason (or one over 1000 characters)
  'dossier_incomplete', // submitting a dossier lacking a required part (only when a campaign is given)
  'invalid', // data that fails the entity schema; nothing was written
  'conflict', // the same entity kept changing under us (retries exhausted)
  'revoked', // the chat user's role or unit changed since the engine authorised this step
  'last_admin', // revoking the only remaining admin
  'stale_step', // deciding at a review step the dossier is no longer at (another office moved it)
  'not_allowed', // deciding at a review step whose office the actor does not hold
] as const;
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export function isStoreError(e: unknown, code?: StoreErrorCode): e is StoreError {
  return e instanceof StoreError && (code === undefined || e.code === code);
}
