import { afterAll, describe, expect, it } from 'vitest';
import { testRedis } from '../helpers/redis.js';
import { createStore, isStoreError, type Actor, type NewNomination } from '../../src/store/index.js';
import type { Campaign } from '../../src/campaign/schema.js';
import type { FileRef } from '../../src/domain/entities.js';

const officer: Actor = { id: 'telegram:55', role: 'officer', channel: 'telegram' };
const staff: Actor = { id: 'zalo:66', role: 'staff', channel: 'zalo' };
let clock = Date.parse('2024-11-20T01:00:00Z');
const now = () => new Date(clock);
const tick = () => (clock += 60_000);
const C = 'binh-thanh-2024';

const file = (n: number): FileRef => ({
  sha256: String(n).repeat(64).slice(0, 64),
  name: `to-trinh-${n}.pdf`,
  mime: 'application/pdf',
  size: 1000 + n,
  path: `files/${n}.pdf`,
  receivedAt: '2024-11-20T01:00:00.000Z',
});

const draft: NewNomination = {
  campaignId: C,
  year: 2024,
  unitId: 'u_4',
  awardId: 'giay-khen-xa',
  reviewId: 'yearly',
  nominee: { type: 'collective', unitId: 'u_5', name: 'Xóm Na Mòn' },
  summary: 'Dẫn đầu về thanh toán không dùng tiền mặt',
  createdBy: 'p_1',
};

describe('store: nominations', () => {
  const { redis, ns } = testRedis();
  const store = createStore(redis, { prefix: ns, now });
  afterAll(() => redis.quit());

  it('createDraft, get, listByUnit, list', async () => {
    const n = await store.nominations.createDraft(draft, officer);
    expect(n).toEqual({
      ...draft,
      id: expect.stringMatching(/^n_\d+$/),
      parts: {},
      status: 'draft',
      returnReason: null,
      createdAt: '2024-11-20T01:00:00.000Z',
      updatedAt: '2024-11-20T01:00:00.000Z',
      submittedAt: null,
    });
    expect(await store.nominations.get(n.id)).toEqual(n);
    expect(await store.nominations.get('n_0')).toBeNull();
    tick();
    const other = await store.nominations.createDraft({ ...draft, unitId: 'u_6', nominee: { type: 'individual', name: 'Lò Văn Tâm', position: 'Trưởng xóm', unitName: 'Xóm Khau Lầu' } }, officer);
    expect((await store.nominations.listByUnit(C, 2024, 'u_4')).map((x) => x.id)).toEqual([n.id]);
    expect((await store.nominations.list(C, 2024)).map((x) => x.id)).toEqual([n.id, other.id]);
    expect(await store.nominations.list(C, 2025)).toEqual([]);
  });

  it('update, attachPart and removePart while draft', async () => {
    const n = await store.nominations.createDraft(draft, officer);
    tick();
    const u = await store.nominations.update(n.id, { summary: 'Mới', awardId: 'giay-khen-xa-2' }, officer);
    expect(u).toMatchObject({ summary: 'Mới', awardId: 'giay-khen-xa-2', reviewId: 'yearly', updatedAt: new Date(clock).toISOString() });
    const a = await store.nominations.attachPart(n.id, 'to_trinh', file(1), officer);
    const b = await store.nominations.attachPart(n.id, 'bien_ban', file(2), officer);
    expect(Object.keys(b.parts).sort()).toEqual(['bien_ban', 'to_trinh']);
    expect(a.parts.to_trinh).toEqual(file(1));
    const replaced = await store.nominations.attachPart(n.id, 'to_trinh', file(3), officer);
    expect(replaced.parts.to_trinh).toEqual(file(3));
    const removed = await store.nominations.removePart(n.id, 'bien_ban', officer);
    expect(Object.keys(removed.parts)).toEqual(['to_trinh']);
    expect(await store.nominations.get(n.id)).toEqual(removed);
    // identity fields are not patchable
    const again = await store.nominations.update(n.id, { unitId: 'u_99', status: 'accepted' } as never, officer);
    expect(again).toMatchObject({ unitId: 'u_4', status: 'draft' });
  });

  it('legal transitions: draft → submitted → returned (reason) → submitted → accepted', async () => {
    const n = await store.nominations.createDraft(draft, officer);
    tick();
    const s1 = await store.nominations.setStatus(n.id, 'submitted', {}, officer);
    expect(s1).toMatchObject({ status: 'submitted', submittedAt: new Date(clock).toISOString(), returnReason: null });
    tick();
    const r = await store.nominations.setStatus(n.id, 'returned', { reason: '  Thiếu biên bản họp Hội đồng  ' }, staff);
    expect(r).toMatchObject({ status: 'returned', returnReason: 'Thiếu biên bản họp Hội đồng' });
    // A returned dossier can be edited again.
    await store.nominations.attachPart(n.id, 'bien_ban', file(4), officer);
    tick();
    const s2 = await store.nominations.setStatus(n.id, 'submitted', {}, officer);
    expect(s2).toMatchObject({ status: 'submitted', returnReason: null, submittedAt: new Date(clock).toISOString() });
    const acc = await store.nominations.setStatus(n.id, 'accepted', {}, staff);
    expect(acc.status).toBe('accepted');
    const actions = (await store.audit.forEntity(n.id)).map((e) => e.action);
    expect(actions).toEqual([
      'nomination.create',
      'nomination.submitted',
      'nomination.returned',
      'nomination.attach_part',
      'nomination.submitted',
      'nomination.accepted',
    ]);
  });

  it('illegal transitions and edits are refused with codes, and change nothing', async () => {
    const n = await store.nominations.createDraft(draft, officer);
    for (const to of ['accepted', 'returned', 'draft'] as const) {
      const err = await store.nominations.setStatus(n.id, to, { reason: 'x' }, staff).catch((e: unknown) => e);
      expect(isStoreError(err, 'illegal_transition')).toBe(true);
    }
    await store.nominations.setStatus(n.id, 'submitted', {}, officer);
    await expect(store.nominations.setStatus(n.id, 'returned', {}, staff)).rejects.toMatchObject({ code: 'reason_required' });
    await expect(store.nominations.setStatus(n.id, 'returned', { reason: '   ' }, staff)).rejects.toMatchObject({ code: 'reason_required' });
    await expect(store.nominations.setStatus(n.id, 'submitted', {}, officer)).rejects.toMatchObject({ code: 'illegal_transition' });
    await expect(store.nominations.update(n.id, { summary: 'late change' }, officer)).rejects.toMatchObject({ code: 'not_editable' });
    await expect(store.nominations.removePart(n.id, 'to_trinh', officer)).rejects.toMatchObject({ code: 'not_editable' });
    const stored = await store.nominations.get(n.id);
    expect(stored).toMatchObject({ status: 'submitted', summary: draft.summary, parts: {} });
    await store.nominations.setStatus(n.id, 'accepted', {}, staff);
    // Parts of a sent dossier may still be completed (issue 13); of an accepted one, never.
    await expect(store.nominations.attachPart(n.id, 'to_trinh', file(5), officer)).rejects.toMatchObject({ code: 'not_editable' });
    for (const to of ['draft', 'submitted', 'returned', 'accepted'] as const)
      await expect(store.nominations.setStatus(n.id, to, { reason: 'x' }, staff)).rejects.toMatchObject({ code: 'illegal_transition' });
    expect((await store.audit.forEntity(n.id)).map((e) => e.action)).toEqual(['nomination.create', 'nomination.submitted', 'nomination.accepted']);
  });

  it('with a campaign, submitting needs every required dossier part', async () => {
    const campaign = {
      dossierParts: [
        { id: 'to_trinh', required: true },
        { id: 'bao_cao', required: true },
        { id: 'ke_hoach', required: false },
      ],
    } as unknown as Campaign;
    const n = await store.nominations.createDraft(draft, officer);
    await store.nominations.attachPart(n.id, 'to_trinh', file(6), officer);
    await expect(store.nominations.setStatus(n.id, 'submitted', { campaign }, officer)).rejects.toMatchObject({
      code: 'dossier_incomplete',
      details: { missing: ['bao_cao'] },
    });
    await store.nominations.attachPart(n.id, 'bao_cao', file(7), officer);
    expect((await store.nominations.setStatus(n.id, 'submitted', { campaign }, officer)).status).toBe('submitted');
  });

  it('missing nominations are not_found; invalid data is refused', async () => {
    await expect(store.nominations.update('n_404', { summary: 'x' }, officer)).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.nominations.setStatus('n_404', 'submitted', {}, officer)).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.nominations.createDraft({ ...draft, summary: 'x'.repeat(2001) }, officer)).rejects.toMatchObject({ code: 'invalid' });
    const n = await store.nominations.createDraft(draft, officer);
    await expect(store.nominations.attachPart(n.id, 'to_trinh', { ...file(8), sha256: 'nothex' }, officer)).rejects.toMatchObject({ code: 'invalid' });
    expect((await store.nominations.get(n.id))?.parts).toEqual({});
  });

  it('concurrent part uploads on one draft all land (optimistic retry)', async () => {
    const n = await store.nominations.createDraft(draft, officer);
    await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((p, i) => store.nominations.attachPart(n.id, p, file(i + 1), officer)));
    expect(Object.keys((await store.nominations.get(n.id))!.parts).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect((await store.audit.forEntity(n.id)).filter((e) => e.action === 'nomination.attach_part')).toHaveLength(6);
  });
});
