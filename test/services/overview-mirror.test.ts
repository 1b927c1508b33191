import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../src/campaign/schema.js';
import { loadCampaign } from '../../src/campaign/load.js';
import { dossierCompleteness, isActiveUnit, isInScope, judgeReport, lineage, mergedInto } from '../../src/domain/index.js';
import { DOSSIER_STATUSES, type DossierStatus, type FileRef, type Lang, type Unit } from '../../src/domain/entities.js';
import { officeOverview, type UnitProgress } from '../../src/services/overview.js';
import { reviewScope } from '../../src/services/scope.js';
import { unitNamer } from '../../src/services/unit-names.js';
import { CLI_ACTOR, createStore, importUnitsCsv, isStoreError, mergeUnitsCsv, type Store } from '../../src/store/index.js';
import { fromRoot } from '../../src/paths.js';
import { testRedis } from '../helpers/redis.js';

/**
 * officeOverview reads an in-process copy of the records kept current from the audit
 * stream, and keeps its views per data version. After every change of a random sequence
 * (written by another store object, as another process would) it must equal a full
 * recount: the overview as computed before the copy existed, from everything stored.
 */

/** The reference: every unit, registration, report and nomination read from Redis, nothing kept. */
async function recount(store: Store, campaign: Campaign, officeUnitId: string | null, year: number, lang: Lang): Promise<UnitProgress[]> {
  const all = await store.units.all();
  const byId = new Map(all.map((u) => [u.id, u]));
  const scope = await reviewScope(store, officeUnitId);
  const units = all.filter((u) => isInScope(scope, u.id) && u.id !== officeUnitId && isActiveUnit(u) && campaign.unitLevels.includes(u.level));
  const [registrations, reports, nominations] = await Promise.all([
    store.registrations.list(campaign.id, year),
    store.reports.list(campaign.id, year),
    store.nominations.list(campaign.id, year),
  ]);
  const registered = new Set(registrations.flatMap((r) => (r.subject.type === 'unit' ? [r.subject.unitId] : [])));
  const name = unitNamer(lang, all);
  const into = mergedInto(all);
  return units
    .map((unit) => {
      const mine = lineage(unit.id, into);
      const reps = reports.filter((r) => mine.has(r.unitId));
      const verdicts = reps.flatMap((r) => {
        const level = byId.get(r.unitId)?.level ?? unit.level;
        return campaign.standards.some((s) => s.level === level) ? [judgeReport(campaign, level, r.values).passed] : [];
      });
      const noms = nominations.filter((n) => mine.has(n.unitId));
      return {
        unit,
        name: name(unit.id),
        registered: [...mine].some((id) => registered.has(id)),
        reported: reps.length > 0,
        reportLate: reps.some((r) => r.late),
        reportPassed: verdicts.length ? verdicts.every(Boolean) : null,
        nominations: noms.length,
        byStatus: Object.fromEntries(DOSSIER_STATUSES.map((s) => [s, noms.filter((n) => n.status === s).length])) as Record<DossierStatus, number>,
        incomplete: noms
          .filter((n) => n.status !== 'accepted')
          .map((n) => ({ nomination: n, missing: dossierCompleteness(campaign, n, unit.level).missingRequired }))
          .filter((x) => x.missing.length > 0),
      };
    })
    .sort((a, b) => a.unit.name.localeCompare(b.unit.name, 'vi'));
}

const campaign = loadCampaign('tu-ky-2021-2025');
const csv = (name: string) => fs.readFileSync(fromRoot('campaigns', 'demo', name), 'utf8');
const file = (n: number): FileRef => ({
  sha256: (n.toString(16) + '0'.repeat(64)).slice(0, 64),
  name: `phan-${n}.pdf`,
  mime: 'application/pdf',
  size: 1000 + n,
  path: `files/${n}.pdf`,
  receivedAt: '2025-06-01T01:00:00.000Z',
});

describe('officeOverview from the mirrored records', () => {
  const { redis, ns } = testRedis();
  let clock = Date.parse('2025-06-01T01:00:00Z');
  const now = () => new Date((clock += 1000));
  // The reader (the overview's store) and the writer are separate objects on one Redis.
  const reader = createStore(redis, { prefix: ns, now });
  const writer = createStore(redis, { prefix: ns, now });
  afterAll(() => redis.quit());

  it('equals a full recount after every step of a random sequence of registrations, reports, nominations, returns, accepts and merges', async () => {
    const imported = await importUnitsCsv(writer, csv('tu-ky-2021-2025.csv'), CLI_ACTOR);
    if (!imported.ok) throw new Error(imported.errors.join('\n'));
    let seed = 20_261_202;
    const rnd = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff) >>> 8) % n;
    const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;
    const units = async (): Promise<Unit[]> => (await writer.units.all()).filter((u) => campaign.unitLevels.includes(u.level));
    const years = [2023, 2025];
    const parts = campaign.dossierParts.map((p) => p.id);
    const awards = [
      { awardId: 'giay-khen-ubnd-huyen', reviewId: 'so-ket-2023', year: 2023 },
      { awardId: 'giay-khen-ubnd-huyen', reviewId: 'tong-ket-2025', year: 2025 },
    ];
    const province = imported.units.find((u) => u.code === 'HD')!.id;
    const commune = imported.units.find((u) => u.code === 'HD-TK-QP')!.id;
    const office = imported.units.find((u) => u.code === 'HD-TK-NV')!.id;
    const done = new Map<string, number>();
    const count = (what: string) => done.set(what, (done.get(what) ?? 0) + 1);

    const check = async (step: number) => {
      for (const officeId of [null, province, commune, office])
        for (const year of years)
          for (const lang of ['vi', 'en'] as const) {
            const got = await officeOverview(reader, campaign, officeId, year, lang);
            expect(got, `step ${step}, office ${officeId}, ${year}, ${lang}`).toEqual(await recount(reader, campaign, officeId, year, lang));
          }
    };
    await check(0);

    const ops: (() => Promise<string>)[] = [
      async () => {
        const u = pick(await units());
        await writer.registrations.upsert({ campaignId: campaign.id, year: pick(years), subject: { type: 'unit', unitId: u.id }, contentAreas: [pick(['awareness', 'skills'])], registeredBy: 'p_1' }, CLI_ACTOR);
        return 'registration';
      },
      async () => {
        const u = pick(await units());
        const v = () => rnd(101);
        await writer.reports.submit({ campaignId: campaign.id, year: pick(years), unitId: u.id, values: { online_records: v(), electronic_documents: v(), econ_reports_software: v() }, late: rnd(4) === 0, submittedBy: 'p_1' }, CLI_ACTOR);
        return 'report';
      },
      async () => {
        const u = pick(await units());
        const a = pick(awards);
        await writer.nominations.createDraft({ campaignId: campaign.id, year: a.year, unitId: u.id, awardId: a.awardId, reviewId: a.reviewId, nominee: { type: 'collective', unitId: u.id, name: u.name }, createdBy: 'p_1' }, CLI_ACTOR);
        return 'nomination';
      },
      async () => {
        const noms = (await Promise.all(years.map((y) => writer.nominations.list(campaign.id, y)))).flat();
        if (!noms.length) return 'nothing';
        const n = pick(noms);
        await writer.nominations.attachPart(n.id, pick(parts), file(rnd(1000)), CLI_ACTOR);
        return 'part';
      },
      async () => {
        // A dossier made complete, then sent.
        const drafts = (await Promise.all(years.map((y) => writer.nominations.list(campaign.id, y)))).flat().filter((n) => n.status === 'draft' || n.status === 'returned');
        if (!drafts.length) return 'nothing';
        const n = pick(drafts);
        for (const part of parts) await writer.nominations.attachPart(n.id, part, file(rnd(1000)), CLI_ACTOR);
        await writer.nominations.setStatus(n.id, 'submitted', { campaign }, CLI_ACTOR);
        return 'submitted';
      },
      async () => {
        const noms = (await Promise.all(years.map((y) => writer.nominations.list(campaign.id, y)))).flat();
        if (!noms.length) return 'nothing';
        const n = pick(noms);
        const to = n.status === 'submitted' ? pick(['returned', 'accepted'] as const) : 'submitted';
        await writer.nominations.setStatus(n.id, to, { reason: 'Thiếu chữ ký', campaign }, CLI_ACTOR);
        return to;
      },
    ];

    for (let step = 1; step <= 90; step++) {
      // Midway, the 2025 reorganisation merges the old communes (and the province).
      if (step === 45) {
        const merged = await mergeUnitsCsv(writer, csv('tu-ky-2021-2025.merge.csv'), CLI_ACTOR);
        if (!merged.ok) throw new Error(JSON.stringify(merged));
        count('merge');
      } else {
        try {
          count(await pick(ops)());
        } catch (err) {
          // Refusals (a dossier sent incomplete, a merged unit …) change nothing: still checked.
          if (!isStoreError(err)) throw err;
          count('refused');
        }
      }
      await check(step);
    }
    for (const what of ['registration', 'report', 'nomination', 'part', 'submitted', 'returned', 'accepted', 'merge']) expect(done.get(what), what).toBeGreaterThan(0);
  }, 120_000);
});
