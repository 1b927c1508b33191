import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../errors.js';

type Lang = 'vi' | 'en';
const langOf = (s: string | undefined): Lang => (s === 'en' ? 'en' : 'vi');

/**
 * campaign:check prints every problem of a campaign file with its field path, or what
 * officers will see; campaign:new asks the questions of a plan and writes the file.
 * Both speak Vietnamese, English with --lang en (docs/campaigns.md).
 */
export function register(program: Command): void {
  program
    .command('campaign:check')
    .description('check a campaign file: every problem with its field, or a plain summary of what officers will see (exit 1 when invalid)')
    .argument('<file>', 'a campaign JSON file, or a preset id')
    .option('--lang <lang>', 'vi (default) or en', 'vi')
    .action(async (file: string, opts: { lang?: string }) => {
      const ok = await checkAndSummarize(file, langOf(opts.lang));
      if (!ok) process.exitCode = 1;
    });

  program
    .command('campaign:new')
    .description('ask the questions of a plan and write campaigns/<id>.json (or --out), then check it')
    .option('--answers <file.json>', 'take the answers from a JSON file instead of asking ({"question id": "answer"})')
    .option('--out <file.json>', 'where to write the campaign (default campaigns/<id>.json)')
    .option('--force', 'overwrite an existing file')
    .option('--lang <lang>', 'vi (default) or en', 'vi')
    .action(async (opts: { answers?: string; out?: string; force?: boolean; lang?: string }) => {
      const lang = langOf(opts.lang);
      const [{ t }, { presetPath }, wizard, { buildCampaign }] = await Promise.all([
        import('../../i18n.js'),
        import('../../campaign/load.js'),
        import('../campaign/wizard.js'),
        import('../campaign/build.js'),
      ]);
      const target = (id: string) => (opts.out ? path.resolve(opts.out) : presetPath(id));
      // Asked while the answers are still there to change: never after every question.
      const taken = (key: string, value: unknown) =>
        !opts.force && (key === 'id' ? !opts.out && fs.existsSync(target(String(value))) : false) ? t(lang, 'wizard.exists', { file: target(String(value)) }) : null;
      if (opts.out && !opts.force && fs.existsSync(opts.out)) throw new CliError(t(lang, 'wizard.exists', { file: opts.out }));

      let source: import('../campaign/wizard.js').AnswerSource;
      if (opts.answers) {
        let data: unknown;
        try {
          data = JSON.parse(fs.readFileSync(opts.answers, 'utf8'));
        } catch {
          throw new CliError(t(lang, 'wizard.answers_unreadable', { file: opts.answers }));
        }
        if (!data || typeof data !== 'object' || Array.isArray(data)) throw new CliError(t(lang, 'wizard.answers_unreadable', { file: opts.answers }));
        source = new wizard.FileAnswers(data as Record<string, unknown>, lang);
      } else {
        console.log(t(lang, 'wizard.intro'));
        source = await wizard.terminalAnswers();
      }
      let collected: import('../campaign/wizard.js').Collected;
      try {
        collected = await wizard.collect(lang, source, taken);
      } catch (err) {
        if (!(err instanceof wizard.WizardStopped)) throw err;
        if (source instanceof wizard.FileAnswers) {
          for (const p of source.problems) console.error(p);
          throw new CliError(t(lang, 'wizard.answers_invalid', { count: source.problems.length }));
        }
        throw new CliError(t(lang, 'wizard.aborted'));
      }
      if (source instanceof wizard.FileAnswers && source.problems.length) {
        for (const p of source.problems) console.error(p);
        throw new CliError(t(lang, 'wizard.answers_invalid', { count: source.problems.length }));
      }
      const campaign = buildCampaign(collected.values, collected.quotes, t(lang, 'wizard.note'));
      const file = target(String(campaign.id));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, `${JSON.stringify(campaign, null, 2)}\n`);
      console.log(t(lang, 'wizard.written', { file }));
      if (!(await checkAndSummarize(file, lang))) process.exitCode = 1;
    });
}

/** Prints the problems (and returns false) or the summary (and returns true). */
async function checkAndSummarize(arg: string, lang: Lang): Promise<boolean> {
  const [{ t }, { campaignFile, checkCampaignText }, { summarize }] = await Promise.all([
    import('../../i18n.js'),
    import('../campaign/check.js'),
    import('../campaign/summary.js'),
  ]);
  const file = campaignFile(arg);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new CliError(t(lang, 'check.cannot_read', { file: arg }));
  }
  const result = checkCampaignText(text, lang);
  if (!result.ok) {
    for (const p of result.problems) console.log(t(lang, 'check.problem', { path: p.path, text: p.text }));
    console.log(t(lang, 'check.invalid', { file: arg, count: result.problems.length }));
    return false;
  }
  console.log(t(lang, 'check.valid', { file: arg }));
  for (const line of summarize(result.campaign, result.extras, lang)) console.log(line);
  return true;
}
