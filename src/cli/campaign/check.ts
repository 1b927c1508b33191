import fs from 'node:fs';
import { parse as parseLossless } from 'lossless-json';
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
    // V8 no longer says where; lossless-json (already a dependency) does.
    const pos = /position (\d+)/.exec(syntaxError(text) ?? (e as Error).message);
    const before = pos ? text.slice(0, Number(pos[1])) : '';
    const where = pos ? { line: before.split('\n').length, column: before.length - before.lastIndexOf('\n') } : null;
    return { ok: false, problems: [{ path: '(root)', text: where ? t(lang, 'check.bad_json_at', where) : t(lang, 'check.bad_json') }] };
  }
  const { rest, extras } = setAsideContract(data);
  const parsed = campaignSchema.safeParse(rest);
  const problems = contractProblems(extras, lang);
  if (!parsed.success) {
    // The consistency checks too, as far as they can read a file the schema refused.
    let more: string[] = [];
    try {
      more = checkCampaign(rest as Campaign);
    } catch {
      // Too broken to read: the schema's problems say what to fix first.
    }
    const schemaProblems = parsed.error.issues.flatMap((i) => describeZodIssue(i, rest, lang));
    const extra = more.map((line) => describeCheckLine(line, lang)).filter((p) => !schemaProblems.some((x) => x.path === p.path));
    return { ok: false, problems: [...schemaProblems, ...extra, ...problems] };
  }
  problems.unshift(...checkCampaign(parsed.data).map((line) => describeCheckLine(line, lang)));
  // Contract fields the schema knows now are read from the parsed file, for the summary.
  const d = parsed.data;
  if (extras.hierarchy === undefined && d.hierarchy) extras.hierarchy = d.hierarchy;
  if (extras.offices === undefined && d.offices) extras.offices = d.offices;
  d.awards.forEach((a, ai) => a.reviews.forEach((r, ri) => r.chain && !extras.chains.has(`${ai}.${ri}`) && extras.chains.set(`${ai}.${ri}`, r.chain)));
  return problems.length ? { ok: false, problems } : { ok: true, campaign: parsed.data, extras, problems: [] };
}

/** The message of lossless-json's parser for `text` (it names the position), or null. */
function syntaxError(text: string): string | null {
  try {
    parseLossless(text);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
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
      if (s.office !== null && !officeIds?.has(s.office)) out.push({ path: `${path}[${i}].office`, text: t(lang, 'check.unknown_office', { id: s.office }) });
    });
  }
  return out;
}
