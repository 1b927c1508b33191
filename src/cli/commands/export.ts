import path from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../errors.js';

export function register(program: Command): void {
  program
    .command('export')
    .description("write an office's (or everything's) registrations, reports, dossiers and idle units for one year")
    .requiredOption('--year <year>', 'reporting year')
    .requiredOption('--out <file>', 'a .xlsx file, or a directory for CSV files with --csv')
    .option('--office <code>', 'only the units under this office (unit code); default: all units')
    .option('--csv', 'one CSV file per table instead of a workbook')
    .option('--lang <lang>', 'vi or en headers', 'vi')
    .action(async (opts: { year: string; out: string; office?: string; csv?: boolean; lang: string }) => {
      if (opts.lang !== 'vi' && opts.lang !== 'en') throw new CliError('--lang must be vi or en');
      const [{ withStore }, { loadCampaign }, { exportSheets, writeCsv, writeXlsx }] = await Promise.all([
        import('../context.js'),
        import('../../campaign/load.js'),
        import('../../services/export.js'),
      ]);
      await withStore(async ({ store, config, clock }) => {
        const campaign = loadCampaign(config.CAMPAIGN);
        const year = Number(opts.year);
        if (!campaign.reportingYears.includes(year)) throw new CliError(`--year must be one of ${campaign.reportingYears.join(', ')} for ${campaign.id}`);
        const office = opts.office ? await store.units.getByCode(opts.office) : null;
        if (opts.office && !office) throw new CliError(`No unit with code ${opts.office}`);
        const sheets = await exportSheets(store, campaign, office?.id ?? null, year, opts.lang as 'vi' | 'en', clock.now());
        if (opts.csv) {
          const names = ['registrations', 'reports', 'nominations', 'idle-units'];
          for (const [i, sheet] of sheets.entries()) await writeCsv(sheet, path.join(opts.out, `${names[i]}.csv`));
          console.log(`Wrote ${sheets.length} CSV files to ${opts.out}`);
        } else {
          await writeXlsx(sheets, opts.out);
          console.log(`Wrote ${opts.out}`);
        }
      });
    });
}
