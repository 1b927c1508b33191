import type { Identity, Role, Subject } from './entities.js';
import { subtree, type UnitNode } from './units.js';

/**
 * Who may do what, where: the one statement of the roles' rules. Flows' `available` and
 * `begin`, the Telegram group commands and the services ask here; none compares role
 * strings itself. The store enforces a grant atomically (the engine's grant guard: the
 * role and unit a step was authorised with are still the account's), not these rules.
 *
 * Roles: an officer acts for one unit; an individual for themself; staff review the units
 * under their office (a unit); admins everything. A role without its unit grants nothing
 * of that role.
 */

/** What the rules read of a chat account: its role and unit (officer: their unit; staff: their office). */
export type Account = Pick<Identity, 'role' | 'unitId'> & Partial<Pick<Identity, 'personId'>>;

/** The unit tree as scope reads it: a unit's id and every id below it ([] if unknown). store.units is one; treeOf() makes one. */
export interface UnitTree {
  subtree(unitId: string): Promise<readonly string[]> | readonly string[];
}

/** An in-memory UnitTree over a list of units (services that load them all, tests). */
export function treeOf(units: Iterable<UnitNode>): UnitTree {
  const list = [...units];
  return { subtree: (unitId) => subtree(unitId, list).map((u) => u.id) };
}

/** Where authority reaches: every unit and the campaign as a whole ('all'), or the units of an office's subtree. */
export type Scope = 'all' | ReadonlySet<string>;

/**
 * The one office-subtree test. A unit is in scope if it is the office or below it; `null`
 * (the campaign as a whole: a person's registration, a campaign-wide group) only for 'all'.
 */
export function isInScope(scope: Scope, unitId: string | null): boolean {
  return scope === 'all' || (unitId !== null && scope.has(unitId));
}

/** The scope of an office (null: the whole campaign). */
export async function officeScope(officeUnitId: string | null, tree: UnitTree): Promise<Scope> {
  return officeUnitId === null ? 'all' : new Set(await tree.subtree(officeUnitId));
}

/** The office whose units a reviewer oversees: null for admins (all of them), staff's own office. */
export const reviewOffice = (a: Account): string | null => (a.role === 'admin' ? null : a.unitId);

/** Where this account's authority reaches: everything for admins, the office's subtree for staff, nothing for others. */
export async function scopeOf(a: Account, tree: UnitTree): Promise<Scope> {
  return isReviewer(a) ? officeScope(reviewOffice(a), tree) : new Set<string>();
}

// --- who one is --------------------------------------------------------------------------

/** Joined with an invite (or made admin): any role at all. Everyone else is onboarded first. */
export const hasJoined = (a: Account | null | undefined): boolean => !!a && a.role !== null;

/** Takes part in the campaign (an officer for a unit, or an individual): sees their own status, gets reminders. */
export const isParticipant = (a: Account): boolean => a.role === 'officer' || a.role === 'individual';

/** Reviews dossiers and oversees units: admins, and staff with an office. */
export const isReviewer = (a: Account | null | undefined): boolean =>
  !!a && (a.role === 'admin' || (a.role === 'staff' && a.unitId !== null));

// --- what one may do ---------------------------------------------------------------------

/** The unit an officer acts for (reports, dossiers, status); null for everyone else. */
export const actingUnit = (a: Account): string | null => (a.role === 'officer' ? a.unitId : null);

/** On whose behalf this account registers: an officer's unit, or the individual themself; null: may not register. */
export function registrant(a: Account): Subject | null {
  if (a.role === 'officer' && a.unitId) return { type: 'unit', unitId: a.unitId };
  if (a.role === 'individual' && a.personId) return { type: 'person', personId: a.personId };
  return null;
}

export const canRegister = (a: Account): boolean => registrant(a) !== null;
/** Indicator reports are a unit's: only an officer with a unit. */
export const canReport = (a: Account): boolean => actingUnit(a) !== null;
/** Dossiers are proposed by a unit: only an officer with a unit. */
export const canNominate = (a: Account): boolean => actingUnit(a) !== null;

/** Open, accept or return a dossier of `unitId`, see its history. */
export const canReview = (a: Account, scope: Scope, unitId: string): boolean => isReviewer(a) && isInScope(scope, unitId);

/** Issue a chat invite: officers or staff, for a unit in scope. Admins are made by the operator (ADMINS, the CLI), never by chat. */
export const canInvite = (a: Account, scope: Scope, invited: Role, unitId: string): boolean =>
  (invited === 'officer' || invited === 'staff') && canReview(a, scope, unitId);

/**
 * Revoke another account: admins revoke anyone (other admins too); staff the officers and
 * staff of units in scope. Never oneself (the store also keeps the last admin).
 */
export function canRevoke(
  a: Account & Pick<Identity, 'channel' | 'userId'>,
  scope: Scope,
  target: Account & Pick<Identity, 'channel' | 'userId'>,
): boolean {
  if (!isReviewer(a) || (a.channel === target.channel && a.userId === target.userId)) return false;
  if (target.role === 'admin') return a.role === 'admin';
  return (target.role === 'officer' || target.role === 'staff') && target.unitId !== null && isInScope(scope, target.unitId);
}

/** Announcements to members, and cancelling them: admins only. */
export const canAnnounce = (a: Account): boolean => a.role === 'admin';

/** Link or unlink a Telegram group to an office (null: campaign-wide, admins only) in scope. */
export const canManageGroup = (a: Account, scope: Scope, officeUnitId: string | null): boolean => isReviewer(a) && isInScope(scope, officeUnitId);
