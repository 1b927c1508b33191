import type { FlowContext } from '../../src/engine/flow.js';
import { scopeOf, type Account, type Scope } from '../../src/domain/roles.js';

/** A rule of src/domain/roles.ts as a flow's `available`: `available: may(canAnnounce)`. */
export const may =
  (rule: (a: Account) => boolean) =>
  (ctx: FlowContext): boolean =>
    rule(ctx.identity);

/** Where this user's authority reaches, over the store's unit tree. */
export const scopeHere = (ctx: FlowContext): Promise<Scope> => scopeOf(ctx.identity, ctx.store.units);
