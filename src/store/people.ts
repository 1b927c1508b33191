import { personSchema, type Person } from '../domain/entities.js';
import { byIdNumber, type StoreContext } from './context.js';
import { StoreError } from './errors.js';
import { decode, encode, mget, sscanAll } from './codec.js';
import { mutate, type Actor } from './tx.js';

export type NewPerson = Pick<Person, 'name'> &
  Partial<Pick<Person, 'position' | 'kind' | 'unitId' | 'unitName' | 'createdAt'>>;
export type PersonPatch = Partial<Pick<Person, 'name' | 'position' | 'kind' | 'unitId' | 'unitName'>>;

export function peopleRepo(ctx: StoreContext) {
  const { redis, k } = ctx;

  async function get(id: string): Promise<Person | null> {
    return decode(personSchema, await redis.get(k.person(id)), 'person');
  }

  return {
    get,

    async create(input: NewPerson, actor: Actor): Promise<Person> {
      const draft = {
        id: 'p_0',
        name: input.name,
        position: input.position ?? null,
        kind: input.kind ?? null,
        unitId: input.unitId ?? null,
        unitName: input.unitName ?? null,
        createdAt: input.createdAt ?? ctx.now().toISOString(),
      };
      encode(personSchema, draft, 'person');
      const { value: person, json } = encode(personSchema, { ...draft, id: await ctx.nextId('person') }, 'person');
      const tx = ctx.tx();
      tx.call('SET', k.person(person.id), json);
      if (person.unitId) tx.call('SADD', k.peopleOfUnit(person.unitId), person.id);
      tx.audit({ actor, action: 'person.create', entity: 'person', entityId: person.id, before: null, after: person, at: ctx.now().toISOString() });
      await tx.exec(redis);
      return person;
    },

    async update(id: string, patch: PersonPatch, actor: Actor): Promise<Person> {
      return mutate(redis, async () => {
        const raw = await redis.get(k.person(id));
        const before = decode(personSchema, raw, 'person');
        if (!before) throw new StoreError('not_found', `person ${id} does not exist`, { id });
        const { value: after, json } = encode(personSchema, { ...before, ...patch, id, createdAt: before.createdAt }, 'person');
        const tx = ctx.tx().eq(k.person(id), raw);
        tx.call('SET', k.person(id), json);
        if (before.unitId !== after.unitId) {
          if (before.unitId) tx.call('SREM', k.peopleOfUnit(before.unitId), id);
          if (after.unitId) tx.call('SADD', k.peopleOfUnit(after.unitId), id);
        }
        tx.audit({ actor, action: 'person.update', entity: 'person', entityId: id, before, after, at: ctx.now().toISOString() });
        return { tx, result: after };
      });
    },

    /** People whose unitId is this unit, in creation order. */
    async listByUnit(unitId: string): Promise<Person[]> {
      const raws = await mget(redis, (await sscanAll(redis, k.peopleOfUnit(unitId))).map(k.person));
      return raws.map((r) => decode(personSchema, r, 'person')).filter((p): p is Person => p !== null).sort(byIdNumber);
    },
  };
}
export type PeopleRepo = ReturnType<typeof peopleRepo>;
