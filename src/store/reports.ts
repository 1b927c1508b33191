import { indicatorReportSchema, type IndicatorReport } from '../domain/entities.js';
import { auditRepo } from './audit.js';
import type { StoreContext } from './context.js';
import { decode, encode, mget } from './codec.js';
import { mutate, type Actor } from './tx.js';

export type ReportInput = Omit<IndicatorReport, 'id' | 'submittedAt' | 'late' | 'narrative'> &
  Partial<Pick<IndicatorReport, 'submittedAt' | 'late' | 'narrative'>>;

/**
 * Indicator reports: one per (campaign, year, unit). Resubmitting replaces the values
 * under the same id; earlier versions stay in the audit stream (`before` of each entry).
 */
export function reportsRepo(ctx: StoreContext) {
  const { redis, k } = ctx;

  async function read(campaignId: string, year: number, unitId: string) {
    const id = await redis.hget(k.reports(campaignId, year), unitId);
    const raw = id ? await redis.get(k.report(id)) : null;
    return { id, raw, report: decode(indicatorReportSchema, raw, 'report') };
  }

  return {
    async get(campaignId: string, year: number, unitId: string): Promise<IndicatorReport | null> {
      return (await read(campaignId, year, unitId)).report;
    },

    async submit(input: ReportInput, actor: Actor): Promise<IndicatorReport> {
      const draft = { narrative: null, late: false, submittedAt: ctx.now().toISOString(), ...input, id: 'rp_0' };
      encode(indicatorReportSchema, draft, 'report');
      return mutate(redis, async () => {
        const { id: existingId, raw, report: before } = await read(input.campaignId, input.year, input.unitId);
        const id = before?.id ?? (await ctx.nextId('report'));
        const { value: after, json } = encode(indicatorReportSchema, { ...draft, id }, 'report');
        const index = k.reports(after.campaignId, after.year);
        const tx = ctx.tx().heq(index, after.unitId, existingId);
        tx.eq(k.report(id), before ? raw : null);
        tx.call('SET', k.report(id), json);
        tx.call('HSET', index, after.unitId, id);
        tx.audit({
          actor,
          action: before ? 'report.resubmit' : 'report.submit',
          entity: 'report',
          entityId: id,
          before,
          after,
          at: ctx.now().toISOString(),
        });
        return { tx, result: after };
      });
    },

    /** Every report of a campaign year, by submission time. */
    async list(campaignId: string, year: number): Promise<IndicatorReport[]> {
      const ids = await redis.hvals(k.reports(campaignId, year));
      const raws = await mget(redis, ids.map(k.report));
      return raws
        .map((r) => decode(indicatorReportSchema, r, 'report'))
        .filter((r): r is IndicatorReport => r !== null)
        .sort((a, b) => (a.submittedAt < b.submittedAt ? -1 : a.submittedAt > b.submittedAt ? 1 : 0));
    },

    /** Every submitted version, oldest first (the last is the current one), from the audit stream. */
    async history(campaignId: string, year: number, unitId: string): Promise<IndicatorReport[]> {
      const { id } = await read(campaignId, year, unitId);
      if (!id) return [];
      const versions: IndicatorReport[] = [];
      for (const e of await auditRepo(ctx).forEntity(id)) {
        const parsed = indicatorReportSchema.safeParse(e.after);
        if (parsed.success) versions.push(parsed.data);
      }
      return versions;
    },
  };
}
export type ReportsRepo = ReturnType<typeof reportsRepo>;
