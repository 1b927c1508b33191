import { registrationSchema, type Registration, type Subject } from '../domain/entities.js';
import type { StoreContext } from './context.js';
import { decode, encode, mget } from './codec.js';
import { mutate, type Actor } from './tx.js';

export type RegistrationInput = Pick<Registration, 'campaignId' | 'year' | 'subject' | 'contentAreas' | 'registeredBy'> &
  Partial<Pick<Registration, 'commitments'>>;

export function subjectKey(s: Subject): string {
  return s.type === 'unit' ? `unit:${s.unitId}` : `person:${s.personId}`;
}

/** One registration per (campaign, year, subject): registering again updates it. */
export function registrationsRepo(ctx: StoreContext) {
  const { redis, k } = ctx;

  async function read(campaignId: string, year: number, subject: Subject) {
    const field = subjectKey(subject);
    const id = await redis.hget(k.registrations(campaignId, year), field);
    const raw = id ? await redis.get(k.registration(id)) : null;
    return { field, id, raw, reg: decode(registrationSchema, raw, 'registration') };
  }

  return {
    async get(campaignId: string, year: number, subject: Subject): Promise<Registration | null> {
      return (await read(campaignId, year, subject)).reg;
    },

    async upsert(input: RegistrationInput, actor: Actor): Promise<Registration> {
      // Validate the input before spending an id.
      const nowIso = ctx.now().toISOString();
      const draft = { commitments: null, ...input, id: 'r_0', createdAt: nowIso, updatedAt: nowIso };
      encode(registrationSchema, draft, 'registration');
      return mutate(redis, async () => {
        const at = ctx.now().toISOString();
        const { field, id: existingId, raw, reg: before } = await read(input.campaignId, input.year, input.subject);
        const id = before?.id ?? (await ctx.nextId('registration'));
        const { value: after, json } = encode(
          registrationSchema,
          { ...draft, id, createdAt: before?.createdAt ?? at, updatedAt: at },
          'registration',
        );
        const index = k.registrations(after.campaignId, after.year);
        const tx = ctx.tx().heq(index, field, existingId);
        tx.eq(k.registration(id), before ? raw : null);
        tx.call('SET', k.registration(id), json);
        tx.call('HSET', index, field, id);
        tx.audit({ actor, action: before ? 'registration.update' : 'registration.create', entity: 'registration', entityId: id, before, after, at });
        return { tx, result: after };
      });
    },

    /** Every registration of a campaign year, oldest first. */
    async list(campaignId: string, year: number): Promise<Registration[]> {
      const ids = await redis.hvals(k.registrations(campaignId, year));
      const raws = await mget(redis, ids.map(k.registration));
      return raws
        .map((r) => decode(registrationSchema, r, 'registration'))
        .filter((r): r is Registration => r !== null)
        .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
    },
  };
}
export type RegistrationsRepo = ReturnType<typeof registrationsRepo>;
