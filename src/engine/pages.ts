import type { Choice, Reply } from './types.js';

/**
 * How replies show their choices, the one rule every channel renders:
 *
 * - Choices are numbered ("1. …") when `choicesNumbered(reply)`; a typed number then means
 *   that choice of the question being asked, and its label typed (any case, with or without
 *   diacritics) means it too, on every channel.
 * - Channels with few buttons per message (Zalo: 5) page a list longer than
 *   `PAGED_ABOVE`: `PAGE_SIZE` choices per page plus "Trang trước" / "Trang sau", which are
 *   buttons (`pagePayload`) and typed words (engine: the `page` command). The page shown
 *   is kept in the session while the same question is asked; every choice stays typeable
 *   by its number or label whatever page is shown.
 */
export const PAGED_ABOVE = 10;
export const PAGE_SIZE = 3;

export const choicesNumbered = (reply: Pick<Reply, 'choices' | 'numbered'>): boolean => reply.numbered ?? (reply.choices?.length ?? 0) > 1;

/** How many pages a list of `count` choices has on a paging channel. */
export const pageCount = (count: number): number => (count > PAGED_ABOVE ? Math.ceil(count / PAGE_SIZE) : 1);

/** The page index clamped to the list. */
export const clampPage = (count: number, page: number | undefined): number => Math.min(Math.max(0, page ?? 0), pageCount(count) - 1);

/** The choices on `page`, with their index in the whole list (so their numbers stay the same). */
export function pageOf(choices: Choice[], page: number | undefined): { choice: Choice; index: number }[] {
  const all = choices.map((choice, index) => ({ choice, index }));
  if (pageCount(choices.length) === 1) return all;
  const p = clampPage(choices.length, page);
  return all.slice(p * PAGE_SIZE, (p + 1) * PAGE_SIZE);
}

/** The payload of a "Trang trước" / "Trang sau" button: show page `page` of the question being asked. */
export const pagePayload = (page: number) => `pg|${page}`;
export function parsePagePayload(payload: string | undefined): number | null {
  const m = payload ? /^pg\|(\d{1,3})$/.exec(payload) : null;
  return m ? Number(m[1]) : null;
}
