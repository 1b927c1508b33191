import path from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../errors.js';

export function register(program: Command): void {
  program
    .command('export')
    .description("write an office's (or everything's) registrations, reports, dossiers and idle units for one year")
    .requiredOption('--year <year>', 'reporting year')
    .option('--out <file>', 'a .xlsx file, or a directory for CSV files with --csv')
    .option('--zip <file>', 'a .zip council pack: the workbook and one folder per dossier with its stored files (DATA_DIR)')
    .option('--office <code>', 'only the units under this office (unit code); default: all units')
    .option('--csv', 'one CSV file per table instead of a workbook')
    .option('--lang <lang>', 'vi or en headers', 'vi')
    .action(async (opts: { year: string; out?: string; zip?: string; office?: string; csv?: boolean; lang: string }) => {
      if (!opts.out && !opts.zip) throw new CliError('give --out, --zip or both');
      if (opts.csv && !opts.out) throw new CliError('--csv needs --out <directory>');
      if (opts.lang !== 'vi' && opts.lang !== 'en') throw new CliError('--lang must be vi or en');
      const [{ withStore }, { loadCampaign }, { exportSheets, writeCsv, writeXlsx }, { writeCouncilZip }, { FileStore }] = await Promise.all([
        import('../context.js'),
        import('../../campaign/load.js'),
        import('../../services/export.js'),
        import('../../services/export-zip.js'),
        import('../../files.js'),
      ]);
      await withStore(async ({ store, config, clock }) => {
        const campaign = loadCampaign(config.CAMPAIGN);
        const year = Number(opts.year);
        if (!campaign.reportingYears.includes(year)) throw new CliError(`--year must be one of ${campaign.reportingYears.join(', ')} for ${campaign.id}`);
        const office = opts.office ? await store.units.getByCode(opts.office) : null;
        if (opts.office && !office) throw new CliError(`No unit with code ${opts.office}`);
        const lang = opts.lang as 'vi' | 'en';
        if (opts.zip) {
          const base = `${campaign.id}-${year}-${office?.code ?? 'all'}`;
          const made = await writeCouncilZip(store, new FileStore(config.dataDir), campaign, office?.id ?? null, year, lang, clock.now(), opts.zip, `${base}.xlsx`);
          console.log(`Wrote ${opts.zip}: the workbook and ${made.dossiers} dossiers (${made.files} files)`);
          for (const p of made.missing) console.error(`Missing from DATA_DIR, left out: ${p}`);
        }
        if (!opts.out) return;
        const sheets = await exportSheets(store, campaign, office?.id ?? null, year, lang, clock.now());
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
