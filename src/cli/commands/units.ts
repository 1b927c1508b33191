import fs from 'node:fs';
import type { Command } from 'commander';
import { CliError } from '../errors.js';

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function register(program: Command): void {
  program
    .command('units:import')
    .description("import units from a CSV file with columns name, level, parent (parent code), code; levels and parents follow the campaign's hierarchy; all or nothing")
    .argument('<file.csv>', 'the unit list')
    .option('--dry-run', 'check the file, write nothing')
    .action(async (file: string, opts: { dryRun?: boolean }) => {
      const text = readText(file);
      const [{ withStore }, { CLI_ACTOR, importUnitsCsv }] = await Promise.all([import('../context.js'), import('../../store/index.js')]);
      await withStore(async ({ store }) => {
        const result = await importUnitsCsv(store, text, CLI_ACTOR, { dryRun: opts.dryRun ?? false });
        if (!result.ok) {
          for (const line of result.errors) console.error(line);
          throw new CliError(`Nothing imported: ${result.errors.length} problem(s) in ${file}`);
        }
        console.log(opts.dryRun ? `OK: ${result.count} units would be imported` : `Imported ${result.count} units`);
      }, { claim: !opts.dryRun });
    });

  program
    .command('units:merge')
    .description('apply a dated merger of units from a CSV file (columns old, new, date, source; new_name, new_level, new_parent to create the new unit); all or nothing')
    .argument('<file.csv>', 'the mapping, e.g. campaigns/demo/tu-ky-2021-2025.merge.csv')
    .option('--dry-run', 'check the file, write nothing')
    .action(async (file: string, opts: { dryRun?: boolean }) => {
      const text = readText(file);
      const { mergeUnits } = await import('../merge.js');
      await mergeUnits(file, text, opts.dryRun ?? false);
    });

  program
    .command('units:find')
    .description('find units by name (diacritics and case do not matter)')
    .argument('<query...>', 'words of the name')
    .option('-n, --limit <n>', 'at most this many', '10')
    .option('-l, --level <level>', 'only this level (e.g. commune, xã)')
    .action(async (words: string[], opts: { limit: string; level?: string }) => {
      const [{ withStore }, { parseLevel }, { levelsOf }] = await Promise.all([
        import('../context.js'),
        import('../../store/import-units.js'),
        import('../../domain/levels.js'),
      ]);
      await withStore(async ({ store }) => {
        let levels: string[] | undefined;
        if (opts.level) {
          const level = parseLevel(opts.level, store.hierarchy);
          if (!level) throw new CliError(`Unknown level "${opts.level}" (this campaign's levels: ${levelsOf(store.hierarchy).join(', ')})`);
          levels = [level];
        }
        const found = await store.units.findByNameScored(words.join(' '), { limit: Number(opts.limit) || 10, ...(levels && { levels }) });
        if (found.length === 0) console.log('No unit found');
        for (const { unit, match } of found) console.log(`${unit.id}\t${unit.code}\t${unit.level}\t${unit.name}\t(${match})`);
      });
    });
}
