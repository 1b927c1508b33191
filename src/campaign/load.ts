import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { campaignSchema, type Campaign } from './schema.js';
import { fromRoot } from '../paths.js';
import { hierarchyOf, isKnownLevel, KNOWN_LEVELS, levelsOf } from '../domain/levels.js';

/**
 * A campaign file that cannot be used. `message` has one line per problem, each naming
 * the file and the exact field, e.g.
 * `campaigns/x.json: standards[0].indicators[1].min: Too big: expected number to be <=100`.
 */
export class CampaignError extends Error {
  override name = 'CampaignError';
  constructor(
    message: string,
    /** The file as the user named it (`campaigns/<id>.json` for presets), or null. */
    readonly file: string | null = null,
    /** The problems, one per line of `message`, without the file prefix. */
    readonly issues: readonly string[] = [],
  ) {
    super(message);
  }
}

const PRESET_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/** Absolute path of the directory holding the preset files. */
export const CAMPAIGNS_DIR = fromRoot('campaigns');

/** The ids of the presets in campaigns/ (every `<id>.json` there), sorted. */
export function listPresets(): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(CAMPAIGNS_DIR);
  } catch {
    return [];
  }
  return names
    .filter((f) => f.endsWith('.json') && PRESET_ID.test(f.slice(0, -5)))
    .filter((f) => fs.statSync(path.join(CAMPAIGNS_DIR, f)).isFile())
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Absolute path of a preset's file (it may not exist). */
export function presetPath(id: string): string {
  return path.join(CAMPAIGNS_DIR, `${id}.json`);
}

/** True when `s` names a preset (a bare id like `binh-thanh-2024`) rather than a file path. */
export function isPresetId(s: string): boolean {
  return PRESET_ID.test(s);
}

const cache = new Map<string, Campaign>();

/** Forgets loaded presets (tests). */
export function clearCampaignCache(): void {
  cache.clear();
}

/**
 * Loads a campaign: a preset id (`campaigns/<id>.json` in the project, wherever the
 * process runs) or a path to a campaign JSON file (relative to the working directory).
 * Presets are cached by id; the result is deeply frozen. Throws CampaignError.
 */
export function loadCampaign(idOrPath: string): Campaign {
  const arg = idOrPath.trim();
  if (arg === '') throw new CampaignError('no campaign given: expected a preset id or a path to a campaign JSON file');
  if (isPresetId(arg)) {
    const hit = cache.get(arg);
    if (hit) return hit;
    const file = presetPath(arg);
    if (!fs.existsSync(file)) {
      const ids = listPresets();
      throw new CampaignError(
        `unknown campaign preset "${arg}"; available presets: ${ids.length ? ids.join(', ') : '(none)'} ` +
          '(or give a path to a campaign JSON file)',
      );
    }
    const campaign = readCampaignFile(file, `campaigns/${arg}.json`, arg);
    cache.set(arg, campaign);
    return campaign;
  }
  const file = path.resolve(arg);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw new CampaignError(`${arg}: no such campaign file (nor a preset id; presets: ${listPresets().join(', ')})`, arg);
  }
  return readCampaignFile(file, arg);
}

function readCampaignFile(file: string, shown: string, expectedId?: string): Campaign {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CampaignError(`${shown}: cannot read the file: ${(e as Error).message}`, shown);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a BOM from a Windows editor
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    let where = '';
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      const column = before.length - before.lastIndexOf('\n');
      where = ` (line ${line}, column ${column})`;
    }
    throw new CampaignError(`${shown}: invalid JSON${where}: ${msg}`, shown, [`invalid JSON${where}: ${msg}`]);
  }
  return parseCampaign(data, shown, expectedId);
}

/**
 * Validates campaign data (already parsed JSON) against the schema and the checks below;
 * returns the campaign deeply frozen. `shown` names the source in error messages.
 */
export function parseCampaign(data: unknown, shown = 'campaign', expectedId?: string): Campaign {
  const result = campaignSchema.safeParse(data);
  if (!result.success) throw errorFor(shown, result.error.issues.flatMap(describeIssue));
  const problems = checkCampaign(result.data);
  if (expectedId !== undefined && result.data.id !== expectedId)
    problems.unshift(`id: "${result.data.id}" must match the file name (${expectedId})`);
  if (problems.length) throw errorFor(shown, problems);
  return deepFreeze(result.data);
}

function errorFor(shown: string, issues: string[]): CampaignError {
  return new CampaignError(issues.map((i) => `${shown}: ${i}`).join('\n'), shown, issues);
}

/** `standards[0].indicators[1].min`; the empty path is `(root)`. */
export function formatPath(p: readonly PropertyKey[]): string {
  let out = '';
  for (const k of p) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (typeof k === 'string' && /^[A-Za-z_$][\w$]*$/.test(k)) out += out ? `.${k}` : k;
    else out += `[${JSON.stringify(String(k))}]`;
  }
  return out || '(root)';
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((k) => `${formatPath([...issue.path, k])}: unknown field (not in the campaign schema)`);
  return [`${formatPath(issue.path)}: ${issue.message}`];
}

/**
 * Consistency checks the schema does not make: ids unique where they are looked up,
 * levels inside the campaign's unit tree, years inside the period. One line per problem.
 */
export function checkCampaign(c: Campaign): string[] {
  const problems: string[] = [];
  const dup = (ids: string[], where: (i: number) => string, what: string) => {
    const seen = new Set<string>();
    ids.forEach((id, i) => {
      if (seen.has(id)) problems.push(`${where(i)}: duplicate ${what} id "${id}"`);
      seen.add(id);
    });
  };
  dup(c.contentAreas.map((a) => a.id), (i) => `contentAreas[${i}].id`, 'content area');
  dup(c.awards.map((a) => a.id), (i) => `awards[${i}].id`, 'award');
  c.awards.forEach((a, ai) => {
    dup(a.reviews.map((r) => r.id), (i) => `awards[${ai}].reviews[${i}].id`, 'review');
    a.reviews.forEach((r, ri) => {
      if (r.year !== null && (r.year < c.period.from || r.year > c.period.to + 5))
        problems.push(`awards[${ai}].reviews[${ri}].year: ${r.year} is outside the period ${c.period.from}–${c.period.to}`);
    });
  });
  c.standards.forEach((s, si) => {
    dup(s.indicators.map((x) => x.id), (i) => `standards[${si}].indicators[${i}].id`, 'indicator');
  });
  problems.push(...checkLevels(c));
  const levels = new Set(levelsOf(c));
  const awardIds = new Set(c.awards.map((a) => a.id));
  c.dossierParts.forEach((p, pi) => {
    p.appliesTo?.levels?.forEach((l, i) => {
      if (!levels.has(l)) problems.push(`dossierParts[${pi}].appliesTo.levels[${i}]: level "${l}" is not a level of this campaign (${[...levels].join(', ')})`);
    });
    p.appliesTo?.awards?.forEach((a, i) => {
      if (!awardIds.has(a)) problems.push(`dossierParts[${pi}].appliesTo.awards[${i}]: award "${a}" is not in awards (${[...awardIds].join(', ')})`);
    });
  });
  if (c.launchYear < c.period.from || c.launchYear > c.period.to)
    problems.push(`launchYear: ${c.launchYear} is outside the period ${c.period.from}–${c.period.to}`);
  dup(c.reportingYears.map(String), (i) => `reportingYears[${i}]`, 'reporting year');
  return problems;
}

/**
 * Every level the file names is a level of its hierarchy (its own, or the default tree),
 * and the unit tree's levels: the hierarchy itself (ids unique, parent rules between its
 * own levels, a label for a level the bot does not know), then unitLevels, then each field
 * naming a level (issuer, participants, standards, offices).
 */
function checkLevels(c: Campaign): string[] {
  const problems: string[] = [];
  const h = hierarchyOf(c);
  const own = new Set(levelsOf(h));
  if (c.hierarchy) {
    const seen = new Set<string>();
    c.hierarchy.levels.forEach((l, i) => {
      if (seen.has(l.id)) problems.push(`hierarchy.levels[${i}].id: duplicate level id "${l.id}"`);
      seen.add(l.id);
      if (!l.label && !isKnownLevel(l.id))
        problems.push(`hierarchy.levels[${i}].label: level "${l.id}" is not one the bot knows (${KNOWN_LEVELS.join(', ')}); give its label {vi, en}`);
    });
    for (const [child, parents] of Object.entries(c.hierarchy.parents)) {
      if (!own.has(child)) problems.push(`hierarchy.parents.${child}: "${child}" is not in hierarchy.levels`);
      parents.forEach((p, i) => {
        if (!own.has(p)) problems.push(`hierarchy.parents.${child}[${i}]: "${p}" is not in hierarchy.levels`);
      });
    }
  }
  const levelList = [...own].join(', ');
  const tree = new Set(c.unitLevels);
  c.unitLevels.forEach((l, i) => {
    if (!own.has(l)) problems.push(`unitLevels[${i}]: level "${l}" is not a level of the campaign's hierarchy (${levelList})`);
  });
  const seen = new Set<string>();
  c.unitLevels.forEach((l, i) => {
    if (seen.has(l)) problems.push(`unitLevels[${i}]: duplicate unit level id "${l}"`);
    seen.add(l);
  });
  const named = (level: string, where: string) => {
    if (!own.has(level)) problems.push(`${where}: level "${level}" is not a level of the campaign's hierarchy (${levelList})`);
    else if (!tree.has(level)) problems.push(`${where}: level "${level}" is not in unitLevels (${c.unitLevels.join(', ')})`);
  };
  named(c.issuer.level, 'issuer.level');
  c.participants.collectives.forEach((l, i) => named(l, `participants.collectives[${i}]`));
  c.standards.forEach((s, i) => named(s.level, `standards[${i}].level`));
  named(c.standingOffice.level, 'standingOffice.level');
  named(c.appraisalOffice.level, 'appraisalOffice.level');
  // An office of a review chain may sit above the campaign's own tree (a commune plan's
  // award of the level above goes through that level's office): it must be a level of the hierarchy.
  c.offices?.forEach((o, i) => {
    if (!own.has(o.level)) problems.push(`offices[${i}].level: level "${o.level}" is not a level of the campaign's hierarchy (${levelList})`);
  });
  return problems;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
