/** Why a domain rule refused something. Stable codes: callers map them to messages. */
export const DOMAIN_ERROR_CODES = [
  'invalid_date', // a day/month/time that does not exist (e.g. 31/02, 24:00)
  'invalid_clock', // a reminder time that is not HH:mm
  'illegal_transition', // a dossier status change the workflow does not allow
  'reason_required', // returning a dossier without saying why
  'reason_too_long', // a return reason over 1000 characters
  'dossier_incomplete', // submitting a dossier that lacks a required part
  'unknown_award', // an award id the campaign does not have
  'unknown_review', // a review id the award does not have
  'invalid_parent', // a unit placed under a level that cannot hold it
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export function isDomainError(e: unknown, code?: DomainErrorCode): e is DomainError {
  return e instanceof DomainError && (code === undefined || e.code === code);
}
