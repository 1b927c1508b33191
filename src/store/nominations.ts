import type { Campaign } from '../campaign/schema.js';
import { isEditable, partsEditable, transition } from '../domain/dossier.js';
import { currentStep, decideAt } from '../domain/chain.js';
import { nominationSchema, type DossierStatus, type FileRef, type Nomination, type ReviewStep } from '../domain/entities.js';
import { DomainError } from '../domain/errors.js';
import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';
import { decode, encode, mget, sscanAll } from './codec.js';
import { mutate, type Actor } from './tx.js';

export type NewNomination = Pick<Nomination, 'campaignId' | 'year' | 'unitId' | 'awardId' | 'reviewId' | 'nominee' | 'createdBy'> &
  Partial<Pick<Nomination, 'summary' | 'parts'>>;
export type NominationPatch = Partial<Pick<Nomination, 'awardId' | 'reviewId' | 'nominee' | 'summary'>>;

export interface StatusOptions {
  /** Required (non-blank) when returning a dossier. */
  reason?: string | null;
  /** When given, submitting requires every required dossier part. */
  campaign?: Campaign;
  /** The dossier's deadline: a submission at or after it is marked late. */
  deadline?: Date | null;
}

/** A decision of the review chain (src/domain/chain.ts), as the flow authorised it. */
export interface Decision {
  campaign: Campaign;
  /** The step the decider saw the dossier at: if it has moved on since, the decision is refused ('stale_step'). */
  step: ReviewStep;
  decision: 'accepted' | 'returned';
  /** Required (non-blank) when returning. */
  reason?: string | null;
  /** The unit holding the step's office; a staff actor's grant must be exactly it (null: a step without an office). */
  officeUnitId: string | null;
  personId: string | null;
}

const domainToStore = (err: DomainError): StoreError => {
  const code = err.code === 'illegal_transition' ? 'illegal_transition' : err.code === 'dossier_incomplete' ? 'dossier_incomplete' : 'reason_required';
  return new StoreError(code, err.message, { ...err.details, domainCode: err.code });
};

/** The order nominations are listed in: by creation, then id. */
export const byCreated = (a: Nomination, b: Nomination) =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/**
 * Nominations (award proposals) and their dossiers. Content changes only while draft or
 * returned; status follows src/domain/dossier.ts: draft → submitted → accepted, with
 * submitted → returned (reason required) → submitted.
 */
export function nominationsRepo(ctx: StoreContext) {
  const { redis, k } = ctx;

  async function get(id: string): Promise<Nomination | null> {
    return decode(nominationSchema, await redis.get(k.nomination(id)), 'nomination');
  }

  async function many(ids: string[]): Promise<Nomination[]> {
    const raws = await mget(redis, ids.map(k.nomination));
    return raws.map((r) => decode(nominationSchema, r, 'nomination')).filter((n): n is Nomination => n !== null).sort(byCreated);
  }

  /** Reads, applies `change`, writes with audit; retried if the nomination changed meanwhile. */
  function change(id: string, actor: Actor, action: string, fn: (n: Nomination, at: string) => Nomination): Promise<Nomination> {
    return changeWith(id, actor, () => action, fn);
  }

  /** change(), with the audit action named after the result. */
  function changeWith(id: string, actor: Actor, action: (after: Nomination) => string, fn: (n: Nomination, at: string) => Nomination): Promise<Nomination> {
    return mutate(redis, async () => {
      const raw = await redis.get(k.nomination(id));
      const before = decode(nominationSchema, raw, 'nomination');
      if (!before) throw new StoreError('not_found', `nomination ${id} does not exist`, { id });
      const at = ctx.now().toISOString();
      const next = fn(before, at);
      const { value: after, json } = encode(
        nominationSchema,
        // Identity and placement never change.
        { ...next, id, campaignId: before.campaignId, year: before.year, unitId: before.unitId, createdAt: before.createdAt, createdBy: before.createdBy },
        'nomination',
      );
      const tx = ctx.tx().eq(k.nomination(id), raw);
      tx.call('SET', k.nomination(id), json);
      tx.audit({ actor, action: action(after), entity: 'nomination', entityId: id, before, after, at });
      return { tx, result: after };
    });
  }

  function assertEditable(n: Nomination): void {
    if (!isEditable(n.status))
      throw new StoreError('not_editable', `nomination ${n.id} is ${n.status}; only draft or returned nominations can be changed`, {
        id: n.id,
        status: n.status,
      });
  }

  return {
    get,

    async createDraft(input: NewNomination, actor: Actor): Promise<Nomination> {
      const at = ctx.now().toISOString();
      const draft = {
        summary: '',
        parts: {},
        ...input,
        id: 'n_0',
        status: 'draft' as const,
        returnReason: null,
        createdAt: at,
        updatedAt: at,
        submittedAt: null,
      };
      encode(nominationSchema, draft, 'nomination');
      const { value: n, json } = encode(nominationSchema, { ...draft, id: await ctx.nextId('nomination') }, 'nomination');
      const tx = ctx.tx().eq(k.nomination(n.id), null);
      tx.call('SET', k.nomination(n.id), json);
      tx.call('SADD', k.nominations(n.campaignId, n.year), n.id);
      tx.call('SADD', k.nominationsOfUnit(n.campaignId, n.year, n.unitId), n.id);
      tx.audit({ actor, action: 'nomination.create', entity: 'nomination', entityId: n.id, before: null, after: n, at });
      if (!(await tx.exec(redis))) throw new StoreError('conflict', `nomination id ${n.id} already taken`);
      return n;
    },

    /** Changes award, review, nominee or summary (only while draft or returned). */
    update(id: string, patch: NominationPatch, actor: Actor): Promise<Nomination> {
      return change(id, actor, 'nomination.update', (n, at) => {
        assertEditable(n);
        const { awardId, reviewId, nominee, summary } = patch;
        return {
          ...n,
          ...(awardId !== undefined && { awardId }),
          ...(reviewId !== undefined && { reviewId }),
          ...(nominee !== undefined && { nominee }),
          ...(summary !== undefined && { summary }),
          updatedAt: at,
        };
      });
    },

    /**
     * Adds or replaces one dossier part until the dossier is accepted; a sent dossier stays
     * sent. `late` (after the dossier deadline) marks a sent dossier late, once.
     */
    attachPart(id: string, partId: string, file: FileRef, actor: Actor, opts: { late?: boolean } = {}): Promise<Nomination> {
      return change(id, actor, 'nomination.attach_part', (n, at) => {
        if (!partsEditable(n.status))
          throw new StoreError('not_editable', `nomination ${n.id} is ${n.status}; its parts can no longer change`, { id: n.id, status: n.status });
        const late = opts.late && n.status === 'submitted' && !n.lateAt ? { lateAt: at } : {};
        return { ...n, parts: { ...n.parts, [partId]: file }, ...late, updatedAt: at };
      });
    },

    removePart(id: string, partId: string, actor: Actor): Promise<Nomination> {
      return change(id, actor, 'nomination.remove_part', (n, at) => {
        assertEditable(n);
        const parts = { ...n.parts };
        delete parts[partId];
        return { ...n, parts, updatedAt: at };
      });
    },

    /**
     * Moves the dossier along its workflow (src/domain/dossier.ts). StoreError codes:
     * illegal_transition, reason_required, dossier_incomplete, not_found.
     */
    setStatus(id: string, status: DossierStatus, opts: StatusOptions, actor: Actor): Promise<Nomination> {
      // A chat user's accept or return goes through decide(), which follows the review chain.
      if (actor.grant && (status === 'accepted' || status === 'returned'))
        return Promise.reject(new StoreError('not_allowed', `a chat user decides on a dossier with decide(), not setStatus(${status})`));
      return change(id, actor, `nomination.${status}`, (n, at) => {
        try {
          return transition(n, status, { at: new Date(at), reason: opts.reason ?? null, ...(opts.campaign && { campaign: opts.campaign }), deadline: opts.deadline ?? null });
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          throw domainToStore(err);
        }
      });
    },

    /**
     * A decision at one step of the review chain: accepted moves the dossier to the next
     * step, or at the last proposes it (status accepted); returned sends it back to the
     * officer. Checked in the same atomic change as the write (the record is re-read and
     * guarded unchanged, the actor's grant re-checked): the dossier is still sent and still
     * at `d.step` ('stale_step'), and a staff actor holds the step's office ('not_allowed').
     * Audit action: nomination.forwarded (to the next step), nomination.accepted, nomination.returned.
     */
    decide(id: string, d: Decision, actor: Actor): Promise<Nomination> {
      const asAdmin = (actor.grant?.role ?? actor.role) === 'admin';
      const action = (n: Nomination) => (d.decision === 'returned' ? 'nomination.returned' : n.status === 'accepted' ? 'nomination.accepted' : 'nomination.forwarded');
      return changeWith(id, actor, action, (n, at) => {
        if (n.status !== 'submitted')
          throw new StoreError('illegal_transition', `nomination ${id} is ${n.status}, not waiting for a decision`, { from: n.status, to: d.decision });
        const step = currentStep(d.campaign, n);
        if (step?.step !== d.step) throw new StoreError('stale_step', `nomination ${id} is at ${step?.step ?? 'no step'}, not ${d.step}`, { at: step?.step ?? null, expected: d.step });
        if (!asAdmin && (actor.grant?.role !== 'staff' || (step.office !== null && actor.grant.unitId !== d.officeUnitId)))
          throw new StoreError('not_allowed', `the ${d.step} step of nomination ${id} is decided by the unit holding its office`, { step: d.step });
        try {
          return decideAt(d.campaign, n, d.step, d.decision, { personId: d.personId, actor: actor.id, asAdmin, officeUnitId: d.officeUnitId }, { at: new Date(at), reason: d.reason ?? null });
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          throw domainToStore(err);
        }
      });
    },

    async listByUnit(campaignId: string, year: number, unitId: string): Promise<Nomination[]> {
      return many(await sscanAll(redis, k.nominationsOfUnit(campaignId, year, unitId)));
    },

    async list(campaignId: string, year: number): Promise<Nomination[]> {
      return many(await sscanAll(redis, k.nominations(campaignId, year)));
    },
  };
}
export type NominationsRepo = ReturnType<typeof nominationsRepo>;
