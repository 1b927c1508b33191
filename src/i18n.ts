import fs from 'node:fs';
import { fromRoot } from './paths.js';
import type { Lang } from './domain/entities.js';
import { levelLabelOf, type HierarchySource } from './domain/levels.js';

type Messages = typeof import('../locales/vi.json');
/** Every message key; code can only name keys that exist in vi.json. */
export type MsgKey = keyof Messages;
export type Params = Record<string, string | number>;

const load = (lang: Lang): Record<string, string> =>
  JSON.parse(fs.readFileSync(fromRoot('locales', `${lang}.json`), 'utf8'));

export const catalogs: Record<Lang, Record<string, string>> = { vi: load('vi'), en: load('en') };

/** The message `key` in `lang`, with {placeholders} filled; Vietnamese when a key is missing. */
export function t(lang: Lang, key: MsgKey, params: Params = {}): string {
  const template = catalogs[lang][key] ?? catalogs.vi[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** For keys built at run time (e.g. `level.${level}`); still checked against the catalog. */
export function tDynamic(lang: Lang, key: string, params: Params = {}): string {
  if (!(key in catalogs.vi)) return key;
  return t(lang, key as MsgKey, params);
}

/**
 * The name of a unit level in `lang`: the campaign's own label (its `hierarchy`), else
 * `level.<id>` in the locales, else the id.
 */
export function levelName(campaign: HierarchySource, level: string, lang: Lang): string {
  const own = levelLabelOf(campaign, level);
  if (own) return own[lang];
  return tDynamic(lang, `level.${level}`);
}
