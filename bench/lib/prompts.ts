import { catalogs, type MsgKey } from '../../src/i18n.js';

/**
 * What the bot asked, read from its reply as a person reads it: each message key's
 * Vietnamese text (placeholders as wildcards), found in the reply's texts.
 */
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const patterns = new Map<MsgKey, RegExp>();

/** The text of `key` with its {placeholders} as wildcards. */
export function promptPattern(key: MsgKey): RegExp {
  let p = patterns.get(key);
  if (!p) patterns.set(key, (p = new RegExp(catalogs.vi[key]!.split(/\{\w+\}/).map(escape).join('[\\s\\S]*?'))));
  return p;
}

/** The first of `keys` (in their order) found in any of the texts. */
export function recognise<K extends MsgKey>(texts: readonly string[], keys: readonly K[]): K | undefined {
  return keys.find((k) => texts.some((t) => promptPattern(k).test(t)));
}

/** The message's text as the user reads it (buttons' labels too), for a placeholder-free key. */
export const say = (key: MsgKey): string => catalogs.vi[key]!;
