import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { campaignSchema } from '../../src/campaign/schema.js';
import { loadCampaign } from '../../src/campaign/load.js';
import { currentStep, decideAt, mayDecide, nextStep, officeUnitFor, reviewSteps, servedUnits, type Nomination, type Unit } from '../../src/domain/index.js';

const PRESETS = fs.readdirSync(new URL('../../campaigns/', import.meta.url)).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
const raw = (id: string) => JSON.parse(fs.readFileSync(new URL(`../../campaigns/${id}.json`, import.meta.url), 'utf8'));

type U = Pick<Unit, 'id' | 'parentId' | 'code' | 'offices'>;
const u = (id: string, parentId: string | null, offices?: string[]): U => ({ id, parentId, code: id.toUpperCase(), ...(offices && { offices }) });
/** A province with two Sở, two communes each with their own office, hamlets below. */
const tree = [
  u('tinh', null),
  u('so-tt', 'tinh', ['tiep-nhan']),
  u('so-nv', 'tinh', ['tham-dinh', 'vp-xa']),
  u('xa-a', 'tinh'),
  u('xa-a-vp', 'xa-a', ['vp-xa']),
  u('xom-1', 'xa-a'),
  u('to-1', 'xom-1'),
  u('xa-b', 'tinh', ['vp-xa']),
  u('xom-2', 'xa-b'),
];
const byId = new Map(tree.map((x) => [x.id, x]));
const holder = (unitId: string, office: string) => officeUnitFor(unitId, office, byId, tree)?.id ?? null;

describe('the unit holding an office for a dossier: the nearest tagged unit on the way up, or beside it', () => {
  it('a commune’s own office serves its hamlets and their teams; a Sở under the province serves every unit', () => {
    expect(holder('xom-1', 'vp-xa')).toBe('xa-a-vp');
    expect(holder('to-1', 'vp-xa')).toBe('xa-a-vp');
    expect(holder('xa-a', 'vp-xa')).toBe('xa-a-vp');
    for (const x of ['xom-1', 'to-1', 'xa-a', 'xom-2', 'so-nv']) expect(holder(x, 'tiep-nhan'), x).toBe('so-tt');
  });

  it('the tagged unit itself comes before one beside it under the same parent (xa-b holds vp-xa, not so-nv)', () => {
    expect(holder('xom-2', 'vp-xa')).toBe('xa-b');
    expect(holder('xa-b', 'vp-xa')).toBe('xa-b');
  });

  it('no tagged unit on the way: nobody; another branch’s office never serves', () => {
    expect(holder('xom-1', 'khong-co')).toBeNull();
    const lone = [u('a', null), u('a1', 'a'), u('b', null), u('b-vp', 'b', ['vp'])];
    expect(officeUnitFor('a1', 'vp', new Map(lone.map((x) => [x.id, x])), lone)).toBeNull();
  });

  it('served units are exactly the units an office unit holds an office for', () => {
    expect([...servedUnits('xa-a-vp', tree)].sort()).toEqual(['to-1', 'xa-a', 'xa-a-vp', 'xom-1']);
    expect(servedUnits('xom-1', tree).size).toBe(0);
    for (const office of tree.filter((x) => x.offices))
      for (const id of servedUnits(office.id, tree)) expect(office.offices!.some((k) => holder(id, k) === office.id)).toBe(true);
  });
});

describe('every preset’s chains', () => {
  it.each(PRESETS)('%s: each review has receive and propose with an office, steps in order, and a decision walks them to the authority', (id) => {
    const c = loadCampaign(id);
    for (const a of c.awards)
      for (const r of a.reviews) {
        const steps = reviewSteps(c, a.id, r.id);
        expect(steps[0]!.step, `${a.id}/${r.id}`).toBe('receive');
        expect(steps.at(-1)!.step).toBe('propose');
        expect(steps.at(-1)!.authority).not.toBeNull();
        let n = { id: 'n_1', status: 'submitted', awardId: a.id, reviewId: r.id, updatedAt: '2025-01-01T00:00:00.000Z' } as Nomination;
        const seen: string[] = [];
        while (n.status === 'submitted') {
          const at = currentStep(c, n)!;
          seen.push(at.step);
          expect(nextStep(c, n, at.step)?.step ?? null).toBe(steps[seen.length]?.step ?? null);
          n = decideAt(c, n, at.step, 'accepted', { personId: null, actor: 'sim:x', asAdmin: false, officeUnitId: 'u_1' }, { at: new Date() });
        }
        expect(n.status).toBe('accepted');
        expect(seen).toEqual(steps.map((s) => s.step));
        expect(n.steps!.map((s) => s.step)).toEqual(seen);
      }
  });

  it('only the unit holding the step’s office decides there; admins anywhere; a review without a chain as before (any reviewer in scope)', () => {
    const c = loadCampaign('dong-thap-2021-2025');
    const [receive] = reviewSteps(c, 'bang-khen-ubnd-tinh', 'tong-ket-2025');
    expect(mayDecide({ role: 'staff', unitId: 'u_2' }, receive!, 'u_2', false)).toBe(true);
    expect(mayDecide({ role: 'staff', unitId: 'u_3' }, receive!, 'u_2', true)).toBe(false);
    expect(mayDecide({ role: 'staff', unitId: 'u_3' }, receive!, null, true)).toBe(false);
    expect(mayDecide({ role: 'officer', unitId: 'u_2' }, receive!, 'u_2', true)).toBe(false);
    expect(mayDecide({ role: 'admin', unitId: null }, receive!, null, false)).toBe(true);
    const legacy = { step: 'propose' as const, office: null, authority: null };
    expect(mayDecide({ role: 'staff', unitId: 'u_3' }, legacy, null, true)).toBe(true);
    expect(mayDecide({ role: 'staff', unitId: 'u_3' }, legacy, null, false)).toBe(false);
  });
});

describe('the schema checks chains', () => {
  const issues = (c: unknown) => campaignSchema.safeParse(c).error?.issues.map((i) => [i.path.join('.'), i.message]) ?? [];
  const review = (c: { awards: { reviews: { chain: { step: string; office: string | null; source: object; authority?: object }[] }[] }[] }) => c.awards[0]!.reviews[0]!;

  it('steps out of order, an unknown office, a receive step without an office, a skipped step without a note, a propose step without its authority', () => {
    let c = raw('dong-thap-2021-2025');
    review(c).chain.reverse();
    expect(issues(c)).toContainEqual(['awards.0.reviews.0.chain', expect.stringContaining('receive → appraise → propose')]);
    c = raw('dong-thap-2021-2025');
    review(c).chain[0]!.office = 'so-khong-co';
    expect(issues(c)).toEqual([['awards.0.reviews.0.chain.0.office', expect.stringContaining('"so-khong-co" is not in offices')]]);
    c = raw('dong-thap-2021-2025');
    review(c).chain[0]!.office = null;
    expect(issues(c)).toEqual([['awards.0.reviews.0.chain.0.office', 'the receive step needs an office']]);
    c = raw('dong-thap-2021-2025');
    review(c).chain[1]!.office = null;
    expect(issues(c)).toEqual([['awards.0.reviews.0.chain.1.source.note', 'a skipped step needs a note saying the plan has none']]);
    c = raw('dong-thap-2021-2025');
    delete review(c).chain[2]!.authority;
    expect(issues(c)).toEqual([['awards.0.reviews.0.chain.2.authority', 'the propose step names the authority that decides']]);
  });

  it('a file without offices or chains still loads (older files): decided by any reviewer above the unit', () => {
    const c = raw('tu-ky-2021-2025');
    delete c.offices;
    for (const a of c.awards) for (const r of a.reviews) delete r.chain;
    expect(issues(c)).toEqual([]);
    const parsed = campaignSchema.parse(c);
    expect(reviewSteps(parsed, 'cap-tren', 'tong-ket-2025')).toEqual([{ step: 'propose', office: null, authority: null }]);
  });
});
