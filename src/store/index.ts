import type { Redis } from 'ioredis';
import { auditRepo } from './audit.js';
import { createContext, type StoreContext } from './context.js';
import { identitiesRepo } from './identities.js';
import { invitesRepo } from './invites.js';
import type { GuessLimits } from './invite-guard.js';
import { nominationsRepo } from './nominations.js';
import { peopleRepo } from './people.js';
import { registrationsRepo } from './registrations.js';
import { reportsRepo } from './reports.js';
import { unitsRepo } from './units.js';

export interface StoreOptions {
  /** Key prefix (default `td`); every key is `${prefix}:…` (docs/store.md). */
  prefix?: string;
  /** Clock for createdAt/updatedAt/at fields (tests inject one). */
  now?: () => Date;
  /** HMAC key for invite codes (INVITE_SECRET); invites refuse to work without one. */
  inviteSecret?: string;
  /** Failed invite redemption limits (default DEFAULT_GUESS_LIMITS; tests shorten the window). */
  inviteLimits?: Partial<GuessLimits>;
}

/**
 * The system of record on Redis. Every change is one atomic Lua script: guards, the
 * record, its indexes and an audit-stream entry, all or nothing.
 */
export function createStore(redis: Redis, opts: StoreOptions = {}) {
  const prefix = opts.prefix ?? 'td';
  if (!/^[A-Za-z0-9_{}.-]{1,64}$/.test(prefix)) throw new RangeError(`bad store prefix "${prefix}"`);
  const context: StoreContext = createContext(redis, prefix, opts.now ?? (() => new Date()));
  return {
    prefix,
    /** Low-level access for bulk operations (imports); not for flows. */
    context,
    units: unitsRepo(context),
    people: peopleRepo(context),
    identities: identitiesRepo(context),
    registrations: registrationsRepo(context),
    reports: reportsRepo(context),
    nominations: nominationsRepo(context),
    invites: invitesRepo(context, { secret: opts.inviteSecret, limits: opts.inviteLimits }),
    audit: auditRepo(context),
  };
}
export type Store = ReturnType<typeof createStore>;

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
