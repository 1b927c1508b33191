import fs from 'node:fs';
import { checkCampaign, isPresetId, presetPath } from '../../campaign/load.js';
import { campaignSchema, type Campaign } from '../../campaign/schema.js';
import type { Lang } from '../../domain/entities.js';
import { t } from '../../i18n.js';
import { chainStepShape, officeShape, setAsideContract, type ContractExtras } from './contract.js';
import { describeCheckLine, describeZodIssue, type Problem } from './issues.js';

export type CheckResult =
  | { ok: true; campaign: Campaign; extras: ContractExtras; problems: [] }
  | { ok: false; problems: Problem[] };

/** The file campaign:check reads: a path, or a preset id (`campaigns/<id>.json`) when no such file exists. */
export function campaignFile(arg: string): string {
  return !fs.existsSync(arg) && isPresetId(arg) ? presetPath(arg) : arg;
}

/**
 * Every problem of a campaign file at once, each with its field path, in `lang`: JSON
 * syntax, the schema, the consistency checks the app makes at start-up, and the
 * references inside the contract fields (hierarchy, offices, chain) the schema does not
 * know yet. Valid: the campaign and those fields, for the summary.
 */
export function checkCampaignText(text: string, lang: Lang): CheckResult {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const pos = /position (\d+)/.exec((e as Error).message);
    const before = pos ? text.slice(0, Number(pos[1])) : '';
    const where = pos ? { line: before.split('\n').length, column: before.length - before.lastIndexOf('\n') } : null;
    return { ok: false, problems: [{ path: '(root)', text: where ? t(lang, 'check.bad_json_at', where) : t(lang, 'check.bad_json') }] };
  }
  const { rest, extras } = setAsideContract(data);
  const parsed = campaignSchema.safeParse(rest);
  const problems = contractProblems(extras, lang);
  if (!parsed.success) return { ok: false, problems: [...parsed.error.issues.flatMap((i) => describeZodIssue(i, rest, lang)), ...problems] };
  problems.unshift(...checkCampaign(parsed.data).map((line) => describeCheckLine(line, lang)));
  return problems.length ? { ok: false, problems } : { ok: true, campaign: parsed.data, extras, problems: [] };
}

/** The contract fields read loosely: unreadable shapes and chain steps naming no declared office. */
function contractProblems(extras: ContractExtras, lang: Lang): Problem[] {
  const out: Problem[] = [];
  let officeIds: Set<string> | null = null;
  if (extras.offices !== undefined) {
    const offices = officeShape.array().safeParse(extras.offices);
    if (offices.success) officeIds = new Set(offices.data.map((o) => o.id));
    else out.push({ path: 'offices', text: t(lang, 'check.contract_unreadable') });
  }
  for (const [key, chain] of extras.chains) {
    const [ai, ri] = key.split('.');
    const path = `awards[${ai}].reviews[${ri}].chain`;
    const steps = chainStepShape.array().safeParse(chain);
    if (!steps.success) {
      out.push({ path, text: t(lang, 'check.contract_unreadable') });
      continue;
    }
    steps.data.forEach((s, i) => {
      if (!officeIds?.has(s.office)) out.push({ path: `${path}[${i}].office`, text: t(lang, 'check.unknown_office', { id: s.office }) });
    });
  }
  return out;
}
