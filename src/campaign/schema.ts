/**
 * Long on purpose: the campaign file's whole schema and its cross-field checks in one place,
 * so a reader (and campaign:check) sees every rule a plan must meet together.
 */
import { z } from 'zod';
import { INDIVIDUAL_KINDS, LEVEL_ID } from '../domain/levels.js';
import { REVIEW_STEPS } from '../domain/entities.js';

/** Text shown to users, Vietnamese first. */
export const localized = z.object({ vi: z.string().min(1), en: z.string().min(1) }).strict();

/**
 * Where a value comes from: a quote from a seed plan (tests check the quote is in
 * that file), or `inferredFrom` another preset when this plan is silent.
 */
export const provenance = z
  .object({
    seed: z.string().regex(/^\d{3}_[0-9a-f]+\.txt$/, 'a seed file name like 004_44a00f9a7be812e9.txt').optional(),
    quote: z.string().min(3).optional(),
    inferredFrom: z.string().optional(),
    note: z.string().optional(),
  })
  .strict()
  .refine((p) => (p.seed && p.quote) || p.inferredFrom, {
    message: 'needs either seed + quote, or inferredFrom (the preset the value was taken from)',
  });

const id = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'a short id of a-z 0-9 _ -');
/** A unit level id; which ids a campaign has is its `hierarchy` (checked in load.ts). */
const levelId = z.string().regex(LEVEL_ID, 'a level id like commune (a-z 0-9 _)');
const dayOfYear = z.object({ month: z.number().int().min(1).max(12), day: z.number().int().min(1).max(31) }).strict();
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time like 08:00');

export const indicatorSchema = z
  .object({
    id,
    label: localized,
    /** Every standard in the plans is a percentage with a minimum. */
    unit: z.literal('percent'),
    min: z.number().min(0).max(100),
    source: provenance,
  })
  .strict();

export const standardSchema = z
  .object({
    level: levelId,
    indicators: z.array(indicatorSchema).min(1),
  })
  .strict();

export const quotaSchema = z
  .object({
    /** null: no fixed number in the plan ("tùy theo điều kiện"). */
    collective: z.number().int().min(0).nullable(),
    individual: z.number().int().min(0).nullable(),
  })
  .strict();

/**
 * One step of a review's chain. `office` names one of the campaign's `offices`; null only
 * for a step the plan has none of (then `source.note` says so). The propose step names the
 * authority that decides.
 */
export const chainStepSchema = z
  .object({
    step: z.enum(REVIEW_STEPS),
    office: id.nullable(),
    authority: localized.optional(),
    source: provenance,
  })
  .strict();

export const REVIEW_KINDS = ['yearly', 'interim', 'final', 'ad_hoc'] as const;
export type ReviewKind = (typeof REVIEW_KINDS)[number];

export const reviewSchema = z
  .object({
    id,
    kind: z.enum(REVIEW_KINDS),
    label: localized,
    /** The year in which this review's dossiers are due (null: every reporting year / any time). */
    year: z.number().int().min(2000).max(2100).nullable(),
    quota: quotaSchema,
    /** Who receives, appraises and proposes this review's dossiers (optional so older files load; every preset has one). */
    chain: z.array(chainStepSchema).optional(),
    source: provenance,
  })
  .strict();

export const awardSchema = z
  .object({
    id,
    label: localized,
    reviews: z.array(reviewSchema).min(1),
  })
  .strict();

/**
 * Which dossiers a part belongs to; each list left out means "all". A dossier is asked
 * the part when the proposing unit's level, the award and the review's kind are each in
 * their list (docs/campaigns.md). `source` says why the part is limited so.
 */
export const partScopeSchema = z
  .object({
    levels: z.array(levelId).min(1).optional(),
    awards: z.array(id).min(1).optional(),
    reviewKinds: z.array(z.enum(REVIEW_KINDS)).min(1).optional(),
    source: provenance,
  })
  .strict();

export const dossierPartSchema = z
  .object({
    id,
    label: localized,
    required: z.boolean(),
    source: provenance,
    /** Absent: every dossier of the campaign has this part. */
    appliesTo: partScopeSchema.optional(),
  })
  .strict();

export const deadlineSchema = z
  .object({
    /** Day of the year; the thing is due by the end of that day, Vietnam time. */
    due: dayOfYear,
    /** Days before the due day on which to remind, at `time` Vietnam time (0 = the morning of the day). */
    reminderOffsetsDays: z.array(z.number().int().min(0).max(60)),
    source: provenance,
  })
  .strict();

export const officeSchema = z
  .object({ name: localized, level: levelId, source: provenance })
  .strict();

/** An office the plan names, by a campaign-local id (units are tagged with it in the unit list). */
export const planOfficeSchema = z
  .object({ id, name: localized, level: levelId, source: provenance })
  .strict();

/**
 * The campaign's unit levels and which may sit under which (src/domain/levels.ts reads it;
 * without it, DEFAULT_HIERARCHY). A level the bot does not know needs its label here.
 */
export const hierarchySchema = z
  .object({
    levels: z.array(z.object({ id: levelId, label: localized.optional() }).strict()).min(1),
    /** For each level, the levels its parent may have. */
    parents: z.record(levelId, z.array(levelId)),
    source: provenance,
  })
  .strict();

const campaignSchemaBase = z
  .object({
    id,
    name: localized,
    issuer: z
      .object({
        name: localized,
        /** Who issues plans: a province or a commune-level unit (a district only in the 2021–2025 plans). */
        level: z.enum(['province', 'commune', 'ward', 'special_zone', 'district']),
        document: z.string().optional(),
        date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2022-06-07').optional(),
        source: provenance,
      })
      .strict(),
    period: z.object({ from: z.number().int(), to: z.number().int() }).strict(),
    launchYear: z.number().int(),
    reportingYears: z.array(z.number().int()).min(1),
    participants: z
      .object({
        collectives: z.array(levelId).min(1),
        individuals: z.array(z.enum(INDIVIDUAL_KINDS)).min(1),
        source: provenance,
      })
      .strict(),
    /** The levels and parent rules of this campaign's unit tree (default: the 2021–2025 tree). */
    hierarchy: hierarchySchema.optional(),
    /** The unit tree this campaign covers, from the issuer's level down. */
    unitLevels: z.array(levelId).min(1),
    /** What a unit can commit to when it registers (nội dung thi đua). */
    contentAreas: z.array(z.object({ id, label: localized }).strict()).min(1),
    standards: z.array(standardSchema),
    awards: z.array(awardSchema).min(1),
    dossierParts: z.array(dossierPartSchema).min(1),
    deadlines: z
      .object({
        report: deadlineSchema,
        dossier: deadlineSchema,
        /**
         * Registration happens in this quarter of the launch year and closes at the end of
         * `due` (a day of that quarter) or, without it, at the end of the quarter.
         */
        registration: z
          .object({
            quarter: z.number().int().min(1).max(4),
            due: dayOfYear.optional(),
            reminderOffsetsDays: z.array(z.number().int().min(0).max(90)),
            source: provenance,
          })
          .strict(),
        /** Vietnam wall-clock time at which reminders go out. */
        reminderTime: clock,
        /** Days before the dossier deadline at which staff get incomplete-dossier digests. */
        staffAlertOffsetsDays: z.array(z.number().int().min(0).max(60)),
      })
      .strict(),
    standingOffice: officeSchema,
    appraisalOffice: officeSchema,
    /** The offices review chains name (optional so older files load). */
    offices: z.array(planOfficeSchema).optional(),
    /** Zalo template ids for messages outside the 48h/7-day window (filled by the admin). */
    zaloTemplates: z
      .object({ reminder: z.string().optional(), announcement: z.string().optional(), zns: z.string().optional() })
      .strict()
      .default({}),
  })
  .strict();

export const campaignSchema = campaignSchemaBase.superRefine((c, ctx) => {
  if (c.period.from > c.period.to) ctx.addIssue({ code: 'custom', path: ['period'], message: 'from must be ≤ to' });
  c.reportingYears.forEach((y, i) => {
    if (y < c.period.from || y > c.period.to + 5)
      ctx.addIssue({ code: 'custom', path: ['reportingYears', i], message: `${y} is outside the period` });
  });
  const levels = new Set(c.standards.map((s) => s.level));
  if (levels.size !== c.standards.length)
    ctx.addIssue({ code: 'custom', path: ['standards'], message: 'one standard per unit level' });
  const partIds = c.dossierParts.map((p) => p.id);
  if (new Set(partIds).size !== partIds.length)
    ctx.addIssue({ code: 'custom', path: ['dossierParts'], message: 'dossier part ids must be unique' });
  checkDeadlineOrder(c, ctx);
  checkChains(c, ctx);
});

type CampaignInput = z.infer<typeof campaignSchemaBase>;

/**
 * Offices: unique ids. Chains: offices that exist; the steps receive → appraise → propose,
 * each once and in that order; receive and propose have an office (someone must take the
 * dossier in and someone must put it to the authority), propose names the authority; a step
 * the plan has none of is listed with office null and a note saying so.
 */
function checkChains(c: CampaignInput, ctx: z.RefinementCtx): void {
  const offices = c.offices ?? [];
  const known = new Set<string>();
  offices.forEach((o, i) => {
    if (known.has(o.id)) ctx.addIssue({ code: 'custom', path: ['offices', i, 'id'], message: `duplicate office id "${o.id}"` });
    known.add(o.id);
  });
  c.awards.forEach((a, ai) =>
    a.reviews.forEach((r, ri) => {
      if (!r.chain) return;
      const at = ['awards', ai, 'reviews', ri, 'chain'];
      const steps = r.chain.map((s) => s.step);
      if (steps.join(',') !== REVIEW_STEPS.join(','))
        ctx.addIssue({ code: 'custom', path: at, message: `the steps must be ${REVIEW_STEPS.join(' → ')}, each once (found ${steps.join(' → ') || 'none'}); a step the plan has none of is listed with "office": null and a note` });
      r.chain.forEach((s, si) => {
        if (s.office === null) {
          if (s.step !== 'appraise') ctx.addIssue({ code: 'custom', path: [...at, si, 'office'], message: `the ${s.step} step needs an office` });
          else if (!s.source.note) ctx.addIssue({ code: 'custom', path: [...at, si, 'source', 'note'], message: 'a skipped step needs a note saying the plan has none' });
        } else if (!known.has(s.office))
          ctx.addIssue({ code: 'custom', path: [...at, si, 'office'], message: `office "${s.office}" is not in offices (${[...known].join(', ') || 'none'})` });
        if (s.step === 'propose' && !s.authority) ctx.addIssue({ code: 'custom', path: [...at, si, 'authority'], message: 'the propose step names the authority that decides' });
        if (s.step !== 'propose' && s.authority) ctx.addIssue({ code: 'custom', path: [...at, si, 'authority'], message: 'only the propose step names an authority' });
      });
    }),
  );
}

/** dd/mm/yyyy, for schema messages. */
const ddmm = (year: number, d: { month: number; day: number }) => `${String(d.day).padStart(2, '0')}/${String(d.month).padStart(2, '0')}/${year}`;
const dayNumber = (d: { month: number; day: number }) => d.month * 100 + d.day;
const lastDay = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * Registration leads to the launch year's report and dossiers: it must close on or
 * before their due days (else its reminders come after them, as Bình Thành's did on
 * 20/12/2024 for deadlines on 05/12 and 10/12). A registration day must be a date of
 * its quarter. One issue per problem, on the field to change.
 */
function checkDeadlineOrder(c: CampaignInput, ctx: z.RefinementCtx): void {
  const reg = c.deadlines.registration;
  const year = c.launchYear;
  const quarterMonths = [reg.quarter * 3 - 2, reg.quarter * 3 - 1, reg.quarter * 3];
  if (reg.due) {
    if (!quarterMonths.includes(reg.due.month))
      ctx.addIssue({ code: 'custom', path: ['deadlines', 'registration', 'due'], message: `${ddmm(year, reg.due)} is not in quarter ${reg.quarter} of ${year}` });
    else if (reg.due.day > lastDay(year, reg.due.month))
      ctx.addIssue({ code: 'custom', path: ['deadlines', 'registration', 'due'], message: `${ddmm(year, reg.due)} is not a date` });
  }
  const regDue = reg.due ?? { month: reg.quarter * 3, day: lastDay(year, reg.quarter * 3) };
  const regPath = ['deadlines', 'registration', reg.due ? 'due' : 'quarter'];
  const dossiersDue = c.awards.some((a) =>
    a.reviews.some((r) => r.kind !== 'ad_hoc' && (r.year === year || (r.year === null && c.reportingYears.includes(year)))),
  );
  const led: { kind: string; due: { month: number; day: number } }[] = [];
  if (c.reportingYears.includes(year)) led.push({ kind: 'report', due: c.deadlines.report.due });
  if (dossiersDue) led.push({ kind: 'dossier', due: c.deadlines.dossier.due });
  for (const d of led)
    if (dayNumber(regDue) > dayNumber(d.due))
      ctx.addIssue({
        code: 'custom',
        path: regPath,
        message: `registration closes on ${ddmm(year, regDue)}, after the ${year} ${d.kind} deadline ${ddmm(year, d.due)} (deadlines.${d.kind}.due) it leads to; close it on or before that day`,
      });
}

export type Campaign = z.infer<typeof campaignSchema>;
export type Indicator = z.infer<typeof indicatorSchema>;
export type Standard = z.infer<typeof standardSchema>;
export type Award = z.infer<typeof awardSchema>;
export type Review = z.infer<typeof reviewSchema>;
export type ChainStep = z.infer<typeof chainStepSchema>;
export type ChainOffice = z.infer<typeof planOfficeSchema>;
export type DossierPart = z.infer<typeof dossierPartSchema>;
export type Localized = z.infer<typeof localized>;
export type Provenance = z.infer<typeof provenance>;
export type HierarchySpec = z.infer<typeof hierarchySchema>;
export type PlanOffice = z.infer<typeof planOfficeSchema>;

export type PartScope = z.infer<typeof partScopeSchema>;

/**
 * Whether the plan itself says this value: it carries a quote from the plan (a seed
 * quote, or one the operator pasted into campaign:new). Otherwise the value is the
 * campaign's own choice, and users are told so ("theo hướng dẫn của cơ quan thường trực").
 */
export const planSays = (p: Provenance): boolean => !!p.quote?.trim();
