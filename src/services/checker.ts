import fs from 'node:fs/promises';
import type { Campaign, DossierPart } from '../campaign/schema.js';
import type { FileRef, Lang, Nomination } from '../domain/entities.js';
import { citesWrongDecree, dossierCompleteness, findReview, otherRegime, quotaUse, regimeFor, type QuotaCount, type Regime } from '../domain/index.js';
import type { FileStore } from '../files.js';
import { t } from '../i18n.js';
import type { Store } from '../store/index.js';

/**
 * The dossier checker: what a dossier lacks or gets wrong, before the officer sends it and when
 * staff open it. Missing parts, the review's quota already taken, the conditions the law puts on
 * ad-hoc awards, and, for files whose text can be read (DOCX, PDF), a template that cites the
 * decree not in force on the review date, or a draft sent back without being finalised.
 */

export type CheckedDossier = Pick<Nomination, 'id' | 'campaignId' | 'unitId' | 'year' | 'awardId' | 'reviewId' | 'nominee' | 'parts' | 'status'>;

export interface FileHint {
  part: DossierPart;
  kind: 'wrong_decree' | 'still_draft';
  /** The decree the file cites, for wrong_decree. */
  cites?: Regime;
}

export interface DossierCheck {
  regime: Regime;
  missing: DossierPart[];
  /** The review's quota for this kind of nominee, counting this dossier as taking a slot. */
  quota: QuotaCount;
  /** This dossier takes a slot beyond the limit. */
  overQuota: boolean;
  adHoc: boolean;
  /** Earlier accepted ad-hoc awards of the same nominee (years), which do not count toward a merit award. */
  adHocEarlier: number[];
  files: FileHint[];
}

const READABLE: Record<string, 'docx' | 'pdf'> = {
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/pdf': 'pdf',
};

/** The text of a stored DOCX or PDF, or null when it cannot be read (scans, old .doc, damaged files). */
export async function readableText(files: FileStore, f: Pick<FileRef, 'path' | 'mime'>): Promise<string | null> {
  const kind = READABLE[f.mime];
  if (!kind) return null;
  try {
    const bytes = await fs.readFile(files.absolute(f));
    // Loaded on first use: the worker never reads a dossier and stays small without them.
    if (kind === 'docx') return (await (await import('mammoth')).default.extractRawText({ buffer: bytes })).value;
    return (await (await import('unpdf')).extractText(new Uint8Array(bytes), { mergePages: true })).text;
  } catch {
    return null;
  }
}

/** What a file's text says for the checker: whether it cites the wrong decree under each regime, whether it is still a draft. */
interface FileVerdict {
  wrongFor: Record<Regime, boolean>;
  draft: boolean;
}

/**
 * Reading a PDF or DOCX costs far more than the rest of a check, and the confirm step and
 * /hoso check on every view: a stored file is named by its SHA-256 and never changes, so
 * its verdict is kept per hash (the last VERDICTS_KEPT files).
 */
const VERDICTS_KEPT = 500;
const verdicts = new Map<string, FileVerdict | null>();
async function fileVerdict(files: FileStore, f: Pick<FileRef, 'sha256' | 'path' | 'mime'>): Promise<FileVerdict | null> {
  if (verdicts.has(f.sha256)) return verdicts.get(f.sha256)!;
  const text = await readableText(files, f);
  const v = text === null ? null : { wrongFor: { nd152_2025: citesWrongDecree(text, 'nd152_2025'), nd98_2023: citesWrongDecree(text, 'nd98_2023') }, draft: hasDraftMark(text) };
  if (verdicts.size >= VERDICTS_KEPT) verdicts.delete(verdicts.keys().next().value!);
  verdicts.set(f.sha256, v);
  return v;
}

/** "DỰ THẢO" as our drafts print it, as a line of its own (compared line by line: no regex over the whole text). */
const hasDraftMark = (text: string) => text.split('\n').some((line) => line.trim() === 'DỰ THẢO');

const sameNominee = (a: CheckedDossier['nominee'], b: CheckedDossier['nominee']) =>
  a.type === b.type && (a.type === 'collective' && b.type === 'collective' && a.unitId ? a.unitId === b.unitId : a.name.trim().toLowerCase() === b.name.trim().toLowerCase());

export async function checkDossier(deps: { store: Store; files: FileStore; campaign: Campaign }, n: CheckedDossier, now: Date): Promise<DossierCheck> {
  const { store, files, campaign } = deps;
  const regime = regimeFor(campaign, n, now);
  const { review } = findReview(campaign, n.awardId, n.reviewId);
  // The parts asked depend on the proposing unit's level (appliesTo).
  const unit = await store.units.get(n.unitId);
  const c = dossierCompleteness(campaign, n, unit?.level ?? null);

  const others = (await store.nominations.list(campaign.id, n.year)).filter((x) => x.id !== n.id);
  const counted = [...others, { ...n, status: 'submitted' as const }];
  const use = quotaUse(campaign, n.awardId, n.reviewId, counted, n.year);
  const quota = n.nominee.type === 'individual' ? use.individual : use.collective;

  const adHocEarlier: number[] = [];
  if (review.kind !== 'ad_hoc')
    for (const year of campaign.reportingYears.filter((y) => y <= n.year))
      for (const x of year === n.year ? others : await store.nominations.list(campaign.id, year))
        if (x.status === 'accepted' && sameNominee(x.nominee, n.nominee) && campaign.awards.find((a) => a.id === x.awardId)?.reviews.find((r) => r.id === x.reviewId)?.kind === 'ad_hoc')
          adHocEarlier.push(year);

  const hints: FileHint[] = [];
  for (const part of c.present) {
    const v = await fileVerdict(files, n.parts[part.id]!);
    if (v === null) continue;
    if (v.wrongFor[regime]) hints.push({ part, kind: 'wrong_decree', cites: otherRegime(regime) });
    else if (v.draft) hints.push({ part, kind: 'still_draft' });
  }
  return {
    regime,
    missing: c.missingRequired,
    quota,
    overQuota: quota.exceeded,
    adHoc: review.kind === 'ad_hoc',
    adHocEarlier: [...new Set(adHocEarlier)],
    files: hints,
  };
}

const decree = (lang: Lang, r: Regime) => t(lang, r === 'nd152_2025' ? 'draft.regime_nd152' : 'draft.regime_nd98');

/** The check as lines for a message (empty when there is nothing to say beyond what the dossier view shows). */
export function checkLines(check: DossierCheck, lang: Lang, opts: { missing: boolean; quotaOver: boolean }): string[] {
  const lines: string[] = [];
  if (opts.missing && check.missing.length) lines.push(t(lang, 'checker.missing', { parts: check.missing.map((p) => p.label[lang]).join('; ') }));
  if (check.quota.limit !== null && (opts.quotaOver || !check.overQuota))
    lines.push(t(lang, check.overQuota ? 'checker.quota_over' : 'checker.quota', { used: check.quota.used, limit: check.quota.limit }));
  if (check.adHoc) lines.push(t(lang, 'checker.ad_hoc'));
  if (check.adHocEarlier.length) lines.push(t(lang, 'checker.ad_hoc_earlier', { years: check.adHocEarlier.join(', ') }));
  for (const h of check.files)
    lines.push(
      h.kind === 'wrong_decree'
        ? t(lang, 'checker.wrong_decree', { part: h.part.label[lang], cites: decree(lang, h.cites!), expected: decree(lang, check.regime) })
        : t(lang, 'checker.still_draft', { part: h.part.label[lang] }),
    );
  return lines.length ? [t(lang, 'checker.header'), ...lines.map((l) => `• ${l}`)] : [];
}
