import type { z } from 'zod';
import { formatPath } from '../../campaign/load.js';
import type { Lang } from '../../domain/entities.js';
import { t, type MsgKey } from '../../i18n.js';

/** One problem of a campaign file: the field (`awards[1].reviews[0].quota.collective`) and what is wrong, in the reader's language. */
export interface Problem {
  path: string;
  text: string;
}

type Tr = (key: MsgKey, params?: Record<string, string | number>) => string;

/**
 * The English messages of the schema's refinements and of `checkCampaign`, each with the
 * message that says it plainly. One table, so a new check adds one row; a message not in
 * it is shown as it is (English), never dropped.
 */
const MESSAGES: { re: RegExp; say: (m: RegExpExecArray, tr: Tr) => string }[] = [
  { re: /^needs either seed \+ quote, or inferredFrom/, say: (_m, tr) => tr('check.msg_provenance') },
  { re: /^from must be ≤ to$/, say: (_m, tr) => tr('check.msg_period_order') },
  { re: /^(\d+) is outside the period/, say: (m, tr) => tr('check.msg_year_outside', { year: m[1]! }) },
  { re: /^one standard per unit level$/, say: (_m, tr) => tr('check.msg_one_standard') },
  { re: /^dossier part ids must be unique$/, say: (_m, tr) => tr('check.msg_part_ids') },
  { re: /^(\S+) is not in quarter (\d) of (\d+)$/, say: (m, tr) => tr('check.msg_not_in_quarter', { date: m[1]!, quarter: m[2]!, year: m[3]! }) },
  { re: /^(\S+) is not a date$/, say: (m, tr) => tr('check.msg_not_a_date', { date: m[1]! }) },
  {
    re: /^registration closes on (\S+), after the (\d+) (report|dossier) deadline (\S+)/,
    say: (m, tr) => tr('check.msg_registration_after', { date: m[1]!, year: m[2]!, what: tr(m[3] === 'report' ? 'check.deadline_report' : 'check.deadline_dossier'), due: m[4]! }),
  },
  { re: /^duplicate .+ id "(.*)"$/, say: (m, tr) => tr('check.msg_duplicate', { id: m[1]! }) },
  { re: /^level "(.+)" is not in unitLevels/, say: (m, tr) => tr('check.msg_level_not_in_tree', { level: m[1]! }) },
  { re: /^level "(.+)" is not a level of (this campaign|the campaign's hierarchy)/, say: (m, tr) => tr('check.msg_level_not_in_hierarchy', { level: m[1]! }) },
  { re: /^award "(.+)" is not in awards/, say: (m, tr) => tr('check.msg_unknown_award', { id: m[1]! }) },
  { re: /^"(.+)" must match the file name \((.+)\)$/, say: (m, tr) => tr('check.msg_id_file', { id: m[1]!, file: m[2]! }) },
  { re: /^a seed file name like/, say: (_m, tr) => tr('check.msg_seed_name') },
  { re: /^a short id of/, say: (_m, tr) => tr('check.msg_id') },
  { re: /^a time like/, say: (_m, tr) => tr('check.msg_clock') },
  { re: /^a date like/, say: (_m, tr) => tr('check.msg_iso_date') },
];

/** A message of ours (a refinement, `checkCampaign`) said plainly; unknown ones as they are. */
export function sayMessage(message: string, lang: Lang): string {
  const tr: Tr = (key, params) => t(lang, key, params);
  for (const { re, say } of MESSAGES) {
    const m = re.exec(message);
    if (m) return say(m, tr);
  }
  return message;
}

const TYPE_KEYS: Record<string, MsgKey> = {
  string: 'check.type_text',
  number: 'check.type_number',
  int: 'check.type_number',
  boolean: 'check.type_boolean',
  array: 'check.type_list',
  object: 'check.type_object',
};

/** The value at `path` in `data` (undefined when any step is missing). */
function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** One zod issue as problems (an unknown-keys issue is one problem per key). */
export function describeZodIssue(issue: z.core.$ZodIssue, data: unknown, lang: Lang): Problem[] {
  const tr: Tr = (key, params) => t(lang, key, params);
  const path = formatPath(issue.path);
  const one = (text: string): Problem[] => [{ path, text }];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => ({ path: formatPath([...issue.path, k]), text: tr('check.unknown_field') }));
    case 'invalid_type': {
      if (valueAt(data, issue.path) === undefined) return one(tr('check.missing'));
      const key = TYPE_KEYS[issue.expected];
      return one(key ? tr('check.wrong_type', { type: tr(key) }) : issue.message);
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'array' || issue.origin === 'set') return one(tr('check.too_few', { min }));
      if (issue.origin === 'string') return one(min <= 1 ? tr('check.empty') : tr('check.too_short', { min }));
      return one(tr('check.too_small', { min }));
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'array' || issue.origin === 'set') return one(tr('check.too_many', { max }));
      if (issue.origin === 'string') return one(tr('check.too_long', { max }));
      return one(tr('check.too_big', { max }));
    }
    case 'invalid_value':
      return one(tr('check.one_of', { values: issue.values.map((v) => String(v)).join(', ') }));
    case 'invalid_format':
    case 'custom':
      return one(sayMessage(issue.message, lang));
    default:
      return one(issue.message);
  }
}

/** A line of `checkCampaign` (`field: message`) as a problem. */
export function describeCheckLine(line: string, lang: Lang): Problem {
  const i = line.indexOf(': ');
  return i < 0 ? { path: '(root)', text: sayMessage(line, lang) } : { path: line.slice(0, i), text: sayMessage(line.slice(i + 2), lang) };
}
