import { describe, expect, it } from 'vitest';
import {
  actingUnit,
  canAnnounce,
  canInvite,
  canManageGroup,
  canNominate,
  canRegister,
  canReport,
  canReview,
  canRevoke,
  hasJoined,
  isInScope,
  isParticipant,
  isReviewer,
  officeScope,
  registrant,
  reviewOffice,
  scopeOf,
  treeOf,
  type Identity,
  type Role,
  type Scope,
} from '../../src/domain/index.js';

/**
 * Every role × every action × a target in and out of scope. The tree: province hd with
 * two districts, tk (communes xa-a with hamlet xom-1, and xa-b) and gl (commune xa-c).
 */
const units = [
  { id: 'hd', parentId: null },
  { id: 'tk', parentId: 'hd' },
  { id: 'xa-a', parentId: 'tk' },
  { id: 'xom-1', parentId: 'xa-a' },
  { id: 'xa-b', parentId: 'tk' },
  { id: 'gl', parentId: 'hd' },
  { id: 'xa-c', parentId: 'gl' },
];
const tree = treeOf(units);

type Who = Pick<Identity, 'channel' | 'userId' | 'role' | 'unitId' | 'personId'>;
const who = (userId: string, role: Role | null, unitId: string | null, personId: string | null = null): Who => ({ channel: 'telegram', userId, role, unitId, personId });

const A = {
  stranger: who('1', null, null),
  officer: who('2', 'officer', 'xa-a'),
  officerNoUnit: who('3', 'officer', null),
  individual: who('4', 'individual', null, 'p_1'),
  individualNoPerson: who('5', 'individual', null),
  staff: who('6', 'staff', 'tk'),
  staffNoOffice: who('7', 'staff', null),
  admin: who('8', 'admin', null),
};
type Name = keyof typeof A;
const NAMES = Object.keys(A) as Name[];

/** Which accounts may, per action; everyone else may not. In: a unit under tk (xom-1); out: one under gl (xa-c). */
const MAY: Record<string, (a: Who, s: Scope) => boolean> = {
  'join check': (a) => hasJoined(a),
  'take part': (a) => isParticipant(a),
  review: (a) => isReviewer(a),
  register: (a) => canRegister(a),
  report: (a) => canReport(a),
  nominate: (a) => canNominate(a),
  'review a dossier in scope': (a, s) => canReview(a, s, 'xom-1'),
  'review a dossier out of scope': (a, s) => canReview(a, s, 'xa-c'),
  'invite an officer in scope': (a, s) => canInvite(a, s, 'officer', 'xa-a'),
  'invite staff in scope': (a, s) => canInvite(a, s, 'staff', 'tk'),
  'invite an officer out of scope': (a, s) => canInvite(a, s, 'officer', 'xa-c'),
  'invite an admin': (a, s) => canInvite(a, s, 'admin', 'xa-a'),
  'invite an individual': (a, s) => canInvite(a, s, 'individual', 'xa-a'),
  'revoke an officer in scope': (a, s) => canRevoke(a, s, who('20', 'officer', 'xa-b')),
  'revoke staff in scope': (a, s) => canRevoke(a, s, who('21', 'staff', 'tk')),
  'revoke an officer out of scope': (a, s) => canRevoke(a, s, who('22', 'officer', 'xa-c')),
  'revoke an officer without a unit': (a, s) => canRevoke(a, s, who('23', 'officer', null)),
  'revoke an individual': (a, s) => canRevoke(a, s, who('24', 'individual', 'xa-a', 'p_2')),
  'revoke another admin': (a, s) => canRevoke(a, s, who('25', 'admin', null)),
  'revoke oneself': (a, s) => canRevoke(a, s, a),
  announce: (a) => canAnnounce(a),
  'link a group to an office in scope': (a, s) => canManageGroup(a, s, 'xa-a'),
  'link a group to an office out of scope': (a, s) => canManageGroup(a, s, 'gl'),
  'link a group campaign-wide': (a, s) => canManageGroup(a, s, null),
};

const EXPECTED: Record<keyof typeof MAY, Name[]> = {
  'join check': ['officer', 'officerNoUnit', 'individual', 'individualNoPerson', 'staff', 'staffNoOffice', 'admin'],
  'take part': ['officer', 'officerNoUnit', 'individual', 'individualNoPerson'],
  review: ['staff', 'admin'],
  register: ['officer', 'individual'],
  report: ['officer'],
  nominate: ['officer'],
  'review a dossier in scope': ['staff', 'admin'],
  'review a dossier out of scope': ['admin'],
  'invite an officer in scope': ['staff', 'admin'],
  'invite staff in scope': ['staff', 'admin'],
  'invite an officer out of scope': ['admin'],
  'invite an admin': [],
  'invite an individual': [],
  'revoke an officer in scope': ['staff', 'admin'],
  'revoke staff in scope': ['staff', 'admin'],
  'revoke an officer out of scope': ['admin'],
  'revoke an officer without a unit': [],
  'revoke an individual': [],
  'revoke another admin': ['admin'],
  'revoke oneself': [],
  announce: ['admin'],
  'link a group to an office in scope': ['staff', 'admin'],
  'link a group to an office out of scope': ['admin'],
  'link a group campaign-wide': ['admin'],
};

describe('roles: who may do what, where', () => {
  it('every role × action × scope answers as the table says', async () => {
    const scopes = Object.fromEntries(await Promise.all(NAMES.map(async (n) => [n, await scopeOf(A[n], tree)] as const))) as Record<Name, Scope>;
    const got: Record<string, Name[]> = {};
    for (const action of Object.keys(MAY)) got[action] = NAMES.filter((n) => MAY[action]!(A[n], scopes[n]));
    expect(got).toEqual(EXPECTED);
  });

  it('scope: admins everything, staff their office and below, everyone else nothing', async () => {
    expect(await scopeOf(A.admin, tree)).toBe('all');
    expect([...((await scopeOf(A.staff, tree)) as Set<string>)].sort()).toEqual(['tk', 'xa-a', 'xa-b', 'xom-1']);
    for (const n of ['stranger', 'officer', 'officerNoUnit', 'individual', 'staffNoOffice'] as const) expect((await scopeOf(A[n], tree)) as Set<string>).toEqual(new Set());
    // A staff member whose office is not in the tree covers nothing.
    expect(await scopeOf(who('9', 'staff', 'gone'), tree)).toEqual(new Set());
  });

  it('isInScope: the office itself and below; the campaign as a whole (null) only for all', async () => {
    const tk = await officeScope('tk', tree);
    expect(['tk', 'xa-a', 'xom-1', 'xa-b'].map((u) => isInScope(tk, u))).toEqual([true, true, true, true]);
    expect(['hd', 'gl', 'xa-c', 'nowhere'].map((u) => isInScope(tk, u))).toEqual([false, false, false, false]);
    expect(isInScope(tk, null)).toBe(false);
    expect(await officeScope(null, tree)).toBe('all');
    expect(isInScope('all', null) && isInScope('all', 'nowhere')).toBe(true);
  });

  it('whose behalf and whose office: officers their unit, individuals themselves, reviewers their office (admins: null, all)', () => {
    expect(NAMES.map((n) => registrant(A[n]))).toEqual([
      null,
      { type: 'unit', unitId: 'xa-a' },
      null,
      { type: 'person', personId: 'p_1' },
      null,
      null,
      null,
      null,
    ]);
    expect(NAMES.map((n) => actingUnit(A[n]))).toEqual([null, 'xa-a', null, null, null, null, null, null]);
    expect(reviewOffice(A.staff)).toBe('tk');
    expect(reviewOffice({ role: 'admin', unitId: 'tk' })).toBeNull();
  });

  it('a looping tree (bad data) ends the scope walk', async () => {
    const loop = treeOf([
      { id: 'x', parentId: 'y' },
      { id: 'y', parentId: 'x' },
    ]);
    expect([...((await officeScope('x', loop)) as Set<string>)].sort()).toEqual(['x', 'y']);
  });
});
