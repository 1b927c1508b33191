export { createStore, type Store, type StoreOptions } from './store.js';

export { StoreError, isStoreError, STORE_ERROR_CODES, type StoreErrorCode } from './errors.js';
export { CLI_ACTOR, CONFIG_ACTOR, SYSTEM_ACTOR, toActor, type Actor } from './tx.js';
export type { AuditEntry, AuditQuery } from './audit.js';
export { searchKey, codeKey, classifyMatch, type NewUnit, type FindOptions, type NameMatch } from './units.js';
export type { NewPerson, PersonPatch } from './people.js';
export type { IdentityInput, IdentityPatch } from './identities.js';
export { subjectKey, type RegistrationInput } from './registrations.js';
export type { ReportInput } from './reports.js';
export type { NewNomination, NominationPatch, StatusOptions } from './nominations.js';
export { type NewInvite, type Redemption } from './invites.js';
export { INVITE_ALPHABET, INVITE_LENGTH, normalizeInviteCode, formatInviteCode, hashInviteCode } from './invite-codes.js';
export { DEFAULT_GUESS_LIMITS, type GuessLimits } from './invite-guard.js';
export { importUnitsCsv, parseLevel, formatImportErrors, type ImportResult, type ImportRowError, type ImportOptions } from './import-units.js';
export { keyspace, type Keyspace } from './keys.js';
export { groupLinkSchema, type GroupLink } from './group-links.js';
export { mergeUnitsCsv, type MergeResult, type MergedUnit, type MergeOptions } from './merge-units.js';
export { readStoreClaim, claimStore, type StoreClaim } from './campaign-claim.js';
