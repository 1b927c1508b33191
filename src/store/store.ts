import type { Redis } from 'ioredis';
import { auditRepo } from './audit.js';
import { createContext, type StoreContext } from './context.js';
import { groupLinksRepo } from './group-links.js';
import { identitiesRepo } from './identities.js';
import { invitesRepo } from './invites.js';
import type { GuessLimits } from './invite-guard.js';
import { nominationsRepo } from './nominations.js';
import { peopleRepo } from './people.js';
import { registrationsRepo } from './registrations.js';
import { reportsRepo } from './reports.js';
import { unitsRepo } from './units.js';
import { DEFAULT_HIERARCHY, type Hierarchy } from '../domain/levels.js';
import { realClock } from '../clock.js';

export interface StoreOptions {
  /** Key prefix (default `td`); every key is `${prefix}:…` (docs/store.md). */
  prefix?: string;
  /** Clock for createdAt/updatedAt/at fields (tests inject one). */
  now?: () => Date;
  /** HMAC key for invite codes (INVITE_SECRET); invites refuse to work without one. */
  inviteSecret?: string;
  /** Failed invite redemption limits (default DEFAULT_GUESS_LIMITS; tests shorten the window). */
  inviteLimits?: Partial<GuessLimits>;
  /** The campaign's unit levels and parent rules (`hierarchyOf(campaign)`); default: the 2021–2025 tree. */
  hierarchy?: Hierarchy;
}

/**
 * The system of record on Redis. Every change is one atomic Lua script: guards, the
 * record, its indexes and an audit-stream entry, all or nothing.
 */
export function createStore(redis: Redis, opts: StoreOptions = {}) {
  const prefix = opts.prefix ?? 'td';
  if (!/^[A-Za-z0-9_{}.-]{1,64}$/.test(prefix)) throw new RangeError(`bad store prefix "${prefix}"`);
  const context: StoreContext = createContext(redis, prefix, opts.now ?? realClock.now);
  const hierarchy = opts.hierarchy ?? DEFAULT_HIERARCHY;
  const units = unitsRepo(context, hierarchy);
  return {
    prefix,
    /** The unit levels and parent rules new units follow (units.create, importUnitsCsv). */
    hierarchy,
    /** Low-level access for bulk operations (imports); not for flows. */
    context,
    units,
    people: peopleRepo(context),
    identities: identitiesRepo(context),
    registrations: registrationsRepo(context),
    reports: reportsRepo(context),
    nominations: nominationsRepo(context),
    invites: invitesRepo(context, { secret: opts.inviteSecret, limits: opts.inviteLimits }),
    audit: auditRepo(context),
    groupLinks: groupLinksRepo(context, units),
  };
}
export type Store = ReturnType<typeof createStore>;
