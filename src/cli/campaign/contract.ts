import { z } from 'zod';
import { campaignSchema, localized, reviewSchema } from '../../campaign/schema.js';

/**
 * Fields of issue 14's shared contract that other parts of the code base add to the
 * schema (`hierarchy`, `offices`, a review's `chain`). Until the schema knows one, a file
 * may carry it: campaign:check sets it aside, reads it with the loose shapes below to
 * print it, and validates the rest. Once the schema has a field, it is validated there and
 * nothing here applies to it.
 */
const looseSource = z.object({}).passthrough().optional();

export const hierarchyShape = z.object({
  levels: z.array(z.object({ id: z.string().min(1), label: localized.optional() }).passthrough()).min(1),
  parents: z.record(z.string(), z.array(z.string())).optional(),
  source: looseSource,
}).passthrough();

export const officeShape = z.object({ id: z.string().min(1), name: localized, level: z.string().optional(), source: looseSource }).passthrough();

export const chainStepShape = z.object({
  step: z.string().min(1),
  office: z.string().min(1).nullable(),
  authority: localized.optional(),
  source: looseSource,
}).passthrough();

export type Hierarchy = z.infer<typeof hierarchyShape>;
export type Office = z.infer<typeof officeShape>;
export type ChainStep = z.infer<typeof chainStepShape>;

/** What the contract fields say, once set aside; `chains` is keyed `"<awardIndex>.<reviewIndex>"`. */
export interface ContractExtras {
  hierarchy?: unknown;
  offices?: unknown;
  chains: Map<string, unknown>;
}

const knows = (shape: object, key: string) => Object.prototype.hasOwnProperty.call(shape, key);

/** `data` without the contract fields the schema does not know yet, and those fields. */
export function setAsideContract(data: unknown): { rest: unknown; extras: ContractExtras } {
  const extras: ContractExtras = { chains: new Map() };
  if (!data || typeof data !== 'object' || Array.isArray(data)) return { rest: data, extras };
  const rest: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const key of ['hierarchy', 'offices'] as const) {
    if (key in rest && !knows(campaignSchema.shape, key)) {
      extras[key] = rest[key];
      delete rest[key];
    }
  }
  if (Array.isArray(rest.awards) && !knows(reviewSchema.shape, 'chain')) {
    rest.awards = rest.awards.map((a: unknown, ai: number) => {
      if (!a || typeof a !== 'object' || !Array.isArray((a as { reviews?: unknown }).reviews)) return a;
      const reviews = (a as { reviews: unknown[] }).reviews.map((r, ri) => {
        if (!r || typeof r !== 'object' || !('chain' in r)) return r;
        const { chain, ...other } = r as Record<string, unknown>;
        extras.chains.set(`${ai}.${ri}`, chain);
        return other;
      });
      return { ...(a as object), reviews };
    });
  }
  return { rest, extras };
}
