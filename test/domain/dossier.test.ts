import { describe, expect, it } from 'vitest';
import {
  canTransition,
  DOSSIER_STATUSES,
  DomainError,
  dossierCompleteness,
  isEditable,
  transition,
  type DossierStatus,
} from '../../src/domain/index.js';
import { campaign, fileRef, nomination } from '../fixtures/campaign.js';

const at = new Date('2024-12-01T03:00:00.000Z');
const ids = (parts: { id: string }[]) => parts.map((p) => p.id);

describe('dossierCompleteness', () => {
  it('an empty dossier misses every required part', () => {
    const c = dossierCompleteness(campaign, nomination(), 'commune');
    expect(c.complete).toBe(false);
    expect(ids(c.missingRequired)).toEqual(['to_trinh', 'bien_ban', 'bao_cao']);
    expect(ids(c.missingOptional)).toEqual(['ke_hoach']);
    expect(c.present).toEqual([]);
  });

  it('lists what is missing when some parts are there', () => {
    const c = dossierCompleteness(campaign, nomination({ parts: { to_trinh: fileRef('a.pdf'), bao_cao: fileRef('b.pdf') } }), 'commune');
    expect(c.complete).toBe(false);
    expect(ids(c.missingRequired)).toEqual(['bien_ban']);
    expect(ids(c.present)).toEqual(['to_trinh', 'bao_cao']);
    expect(c.missingRequired[0]?.label.vi).toBe('Biên bản');
  });

  it('optional parts do not count', () => {
    const parts = { to_trinh: fileRef(), bien_ban: fileRef(), bao_cao: fileRef() };
    const c = dossierCompleteness(campaign, { ...nomination(), parts }, 'commune');
    expect(c.complete).toBe(true);
    expect(c.missingRequired).toEqual([]);
    expect(ids(c.missingOptional)).toEqual(['ke_hoach']);
    const all = dossierCompleteness(campaign, { ...nomination(), parts: { ...parts, ke_hoach: fileRef() } }, 'commune');
    expect(all.complete).toBe(true);
    expect(all.missingOptional).toEqual([]);
    expect(ids(all.present)).toEqual(['to_trinh', 'bien_ban', 'bao_cao', 'ke_hoach']);
  });

  it('ignores parts the campaign does not have', () => {
    const c = dossierCompleteness(campaign, { ...nomination(), parts: { other: fileRef(), toString: fileRef() } }, 'commune');
    expect(c.present).toEqual([]);
    expect(c.complete).toBe(false);
  });
});

describe('dossier status transitions', () => {
  const legal: [DossierStatus, DossierStatus][] = [
    ['draft', 'submitted'],
    ['submitted', 'returned'],
    ['submitted', 'accepted'],
    ['returned', 'submitted'],
  ];
  const isLegal = (from: DossierStatus, to: DossierStatus) => legal.some(([f, t]) => f === from && t === to);
  const pairs = DOSSIER_STATUSES.flatMap((from) => DOSSIER_STATUSES.map((to) => [from, to] as [DossierStatus, DossierStatus]));

  it.each(pairs)('%s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(isLegal(from, to));
    const n = nomination({ status: from });
    if (isLegal(from, to)) {
      const next = transition(n, to, { at, reason: 'Thiếu biên bản' });
      expect(next.status).toBe(to);
      expect(next.updatedAt).toBe(at.toISOString());
      expect(n.status).toBe(from); // not modified
    } else {
      try {
        transition(n, to, { at, reason: 'x' });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(DomainError);
        expect((e as DomainError).code).toBe('illegal_transition');
        expect((e as DomainError).details).toMatchObject({ from, to });
      }
    }
  });

  it('submitting stamps submittedAt; resubmitting clears the return reason', () => {
    const submitted = transition(nomination(), 'submitted', { at });
    expect(submitted.submittedAt).toBe(at.toISOString());
    const later = new Date('2024-12-03T03:00:00.000Z');
    const returned = transition(submitted, 'returned', { at: later, reason: '  Thiếu biên bản họp  ' });
    expect(returned.returnReason).toBe('Thiếu biên bản họp');
    expect(returned.submittedAt).toBe(at.toISOString());
    const again = new Date('2024-12-04T03:00:00.000Z');
    const resubmitted = transition(returned, 'submitted', { at: again });
    expect(resubmitted.status).toBe('submitted');
    expect(resubmitted.submittedAt).toBe(again.toISOString());
    expect(resubmitted.returnReason).toBeNull();
    const accepted = transition(resubmitted, 'accepted', { at: again });
    expect(accepted.status).toBe('accepted');
    expect(accepted.submittedAt).toBe(again.toISOString());
  });

  it('returning needs a reason', () => {
    const submitted = nomination({ status: 'submitted' });
    for (const reason of [undefined, null, '', '   \n ']) {
      try {
        transition(submitted, 'returned', { at, reason });
        expect.unreachable();
      } catch (e) {
        expect((e as DomainError).code).toBe('reason_required');
      }
    }
    expect(() => transition(submitted, 'returned', { at, reason: 'x'.repeat(1001) })).toThrow(
      expect.objectContaining({ code: 'reason_too_long' }),
    );
    expect(transition(submitted, 'returned', { at, reason: 'x'.repeat(1000) }).returnReason).toHaveLength(1000);
  });

  it('with the campaign, an incomplete dossier cannot be submitted', () => {
    const n = nomination({ parts: { to_trinh: fileRef() } });
    try {
      transition(n, 'submitted', { at, campaign });
      expect.unreachable();
    } catch (e) {
      expect((e as DomainError).code).toBe('dossier_incomplete');
      expect((e as DomainError).details).toEqual({ missing: ['bien_ban', 'bao_cao'] });
    }
    const full = nomination({ parts: { to_trinh: fileRef(), bien_ban: fileRef(), bao_cao: fileRef() } });
    expect(transition(full, 'submitted', { at, campaign }).status).toBe('submitted');
    // Without the campaign the status rule alone applies.
    expect(transition(n, 'submitted', { at }).status).toBe('submitted');
  });

  it('only drafts and returned dossiers are editable', () => {
    expect(DOSSIER_STATUSES.filter(isEditable)).toEqual(['draft', 'returned']);
  });
});
