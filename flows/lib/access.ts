import type { FlowContext } from '../../src/engine/flow.js';
import { isReviewer, reviewOffice, scopeOf, type Account, type Scope } from '../../src/domain/roles.js';
import { reviewScope } from '../../src/services/scope.js';

/** A rule of src/domain/roles.ts as a flow's `available`: `available: may(canAnnounce)`. */
export const may =
  (rule: (a: Account) => boolean) =>
  (ctx: FlowContext): boolean =>
    rule(ctx.identity);

/** Where this user's authority reaches, over the store's unit tree. */
export const scopeHere = (ctx: FlowContext): Promise<Scope> => scopeOf(ctx.identity, ctx.store.units);

/** What this user oversees as a reviewer (services/scope.ts): the office's subtree and the units it serves in the review chain. */
export const reviewScopeHere = async (ctx: FlowContext): Promise<Scope> =>
  isReviewer(ctx.identity) ? reviewScope(ctx.store, reviewOffice(ctx.identity)) : new Set<string>();
