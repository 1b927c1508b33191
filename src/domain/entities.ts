import { z } from 'zod';
import { INDIVIDUAL_KINDS, LEVEL_ID } from './levels.js';

/** Instants are stored as ISO-8601 UTC strings; wall-clock rules live in deadlines.ts. */
const instant = z.string().datetime();
const entityId = z.string().min(1).max(64);

export const CHANNELS = ['telegram', 'zalo', 'sim'] as const;
export type Channel = (typeof CHANNELS)[number];
export const LANGS = ['vi', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const ROLES = ['officer', 'individual', 'staff', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const unitSchema = z.object({
  id: entityId,
  /** Short code from the unit list (e.g. the administrative code); unique. */
  code: z.string().min(1).max(32),
  name: z.string().min(1).max(200),
  /** A level of the campaign's hierarchy (src/domain/levels.ts). */
  level: z.string().regex(LEVEL_ID),
  parentId: entityId.nullable(),
  /** The campaign offices (ids of the campaign's `offices`) this unit holds, from the unit list's `offices` column. */
  offices: z.array(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/)).max(20).optional(),
  createdAt: instant,
  /**
   * Set when the unit was merged into another (sắp xếp đơn vị hành chính): it is kept with
   * its history, which counts for the successor, but no longer takes part (src/domain/mergers.ts).
   */
  merged: z
    .object({
      intoId: entityId,
      /** The day the successor took over, Vietnam calendar, yyyy-mm-dd. */
      on: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      /** The legal text that decided it (e.g. "NQ 1669/NQ-UBTVQH15, khoản 93"). */
      source: z.string().min(1).max(300),
    })
    .optional(),
});
export type Unit = z.infer<typeof unitSchema>;

export const personSchema = z.object({
  id: entityId,
  name: z.string().min(1).max(120),
  position: z.string().max(120).nullable(),
  kind: z.enum(INDIVIDUAL_KINDS).nullable(),
  /** The unit they work in or live in (free text if it is not in our unit list). */
  unitId: entityId.nullable(),
  unitName: z.string().max(200).nullable(),
  createdAt: instant,
});
export type Person = z.infer<typeof personSchema>;

/** One chat account on one platform, and what it may do. */
export const identitySchema = z.object({
  channel: z.enum(CHANNELS),
  userId: z.string().min(1).max(64),
  personId: entityId.nullable(),
  role: z.enum(ROLES).nullable(),
  /** officer: the unit they act for; staff: the office (a unit) whose subtree they review. */
  unitId: entityId.nullable(),
  lang: z.enum(LANGS),
  lastInboundAt: instant.nullable(),
  unreachable: z.boolean().default(false),
  createdAt: instant,
});
export type Identity = z.infer<typeof identitySchema>;

export const subjectSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('unit'), unitId: entityId }),
  z.object({ type: z.literal('person'), personId: entityId }),
]);
export type Subject = z.infer<typeof subjectSchema>;

export const registrationSchema = z.object({
  id: entityId,
  campaignId: z.string(),
  year: z.number().int(),
  subject: subjectSchema,
  contentAreas: z.array(z.string()).min(1),
  commitments: z.string().max(2000).nullable(),
  registeredBy: entityId,
  createdAt: instant,
  updatedAt: instant,
});
export type Registration = z.infer<typeof registrationSchema>;

export const indicatorReportSchema = z.object({
  id: entityId,
  campaignId: z.string(),
  year: z.number().int(),
  unitId: entityId,
  values: z.record(z.string(), z.number().min(0).max(100)),
  narrative: z.string().max(2000).nullable(),
  submittedBy: entityId,
  submittedAt: instant,
  late: z.boolean(),
});
export type IndicatorReport = z.infer<typeof indicatorReportSchema>;

export const fileRefSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string().min(1).max(255),
  mime: z.string().max(100),
  size: z.number().int().min(0),
  /** Path relative to DATA_DIR. */
  path: z.string(),
  receivedAt: instant,
});
export type FileRef = z.infer<typeof fileRefSchema>;

export const nomineeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('collective'), unitId: entityId.nullable(), name: z.string().min(1).max(200) }),
  z.object({
    type: z.literal('individual'),
    name: z.string().min(1).max(120),
    position: z.string().max(120),
    unitName: z.string().max(200),
  }),
]);
export type Nominee = z.infer<typeof nomineeSchema>;

export const DOSSIER_STATUSES = ['draft', 'submitted', 'returned', 'accepted'] as const;
export type DossierStatus = (typeof DOSSIER_STATUSES)[number];

/** The steps of a review, in order: the receiving office, the appraising office, the office that proposes to the authority. */
export const REVIEW_STEPS = ['receive', 'appraise', 'propose'] as const;
export type ReviewStep = (typeof REVIEW_STEPS)[number];

/** One decision of the review chain on a dossier: which step, which office, who, when. */
export const stepRecordSchema = z.object({
  step: z.enum(REVIEW_STEPS),
  /** The campaign office id of the step (null: a chain-less review, decided by any reviewer above the unit). */
  office: z.string().nullable(),
  /** The unit that held the office when the decision was made (null: decided by an admin with no office). */
  officeUnitId: entityId.nullable(),
  decision: z.enum(['accepted', 'returned']),
  /** The person who decided (null when their account names no person), and their chat account. */
  personId: entityId.nullable(),
  actor: z.string().max(200),
  /** Decided by an admin, not by the office's staff. */
  asAdmin: z.boolean(),
  at: instant,
});
export type StepRecord = z.infer<typeof stepRecordSchema>;

export const nominationSchema = z.object({
  id: entityId,
  campaignId: z.string(),
  year: z.number().int(),
  /** The proposing unit (cấp trình khen). */
  unitId: entityId,
  awardId: z.string(),
  reviewId: z.string(),
  nominee: nomineeSchema,
  /** Tóm tắt trích ngang thành tích. */
  summary: z.string().max(2000),
  parts: z.record(z.string(), fileRefSchema),
  status: z.enum(DOSSIER_STATUSES),
  returnReason: z.string().max(1000).nullable(),
  createdBy: entityId,
  createdAt: instant,
  updatedAt: instant,
  submittedAt: instant.nullable(),
  /** When a part was first added to the sent dossier after the dossier deadline (Vietnam time); absent when never late. */
  lateAt: instant.optional(),
  /** The review step a sent dossier waits at (src/domain/chain.ts); absent: its chain's first step. */
  step: z.enum(REVIEW_STEPS).optional(),
  /** Every decision of the review chain, oldest first. */
  steps: z.array(stepRecordSchema).optional(),
});
export type Nomination = z.infer<typeof nominationSchema>;

export const inviteSchema = z.object({
  /** HMAC-SHA256 of the code with INVITE_SECRET (bare sha256 for old 8-symbol codes); the code itself is never stored. */
  codeHash: z.string().regex(/^[0-9a-f]{64}$/),
  role: z.enum(['officer', 'staff', 'admin']),
  unitId: entityId.nullable(),
  createdBy: z.string(),
  createdAt: instant,
  expiresAt: instant,
});
export type Invite = z.infer<typeof inviteSchema>;
