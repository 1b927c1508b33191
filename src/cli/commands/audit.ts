import type { Command } from 'commander';
import { CliError } from '../errors.js';

/** ISO date or date-time; a bare date means that day from 00:00 Vietnam time. */
function instant(s: string, endOfDay: boolean): Date {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(s) ? new Date(`${s}T${endOfDay ? '23:59:59.999' : '00:00:00'}+07:00`) : new Date(s);
  if (Number.isNaN(d.getTime())) throw new CliError(`Not a date: ${s} (use 2025-12-01 or an ISO time)`);
  return d;
}

export function register(program: Command): void {
  program
    .command('audit:dump')
    .description('print the audit trail (who, role, channel, what, before/after, when) as JSON lines')
    .requiredOption('--from <date>', 'first day (Vietnam time) or ISO time')
    .option('--to <date>', 'last day (Vietnam time) or ISO time; default now')
    .option('--entity <id>', 'only changes to this record: a dossier by its number (12, "Hồ sơ số 12") or any record id (u_3, n_12)')
    .option('-n, --count <n>', 'at most this many entries', '100000')
    .action(async (opts: { from: string; to?: string; entity?: string; count: string }) => {
      const from = instant(opts.from, false);
      const to = opts.to ? instant(opts.to, true) : null;
      const [{ withStore }, { dossierNumber, nominationId }] = await Promise.all([import('../context.js'), import('../../domain/dossier.js')]);
      // A dossier as people name it ("12", "Hồ sơ số 12"); any other record by its id.
      const entityId = opts.entity && (nominationId(opts.entity) ?? opts.entity.trim());
      await withStore(async ({ store, clock }) => {
        // Entries carry the store's clock (the demo's simulated one), so "now" is that clock's.
        const entries = await store.audit.list({ from, to: to ?? clock.now(), count: Number(opts.count) || 100000, ...(entityId && { entityId }) });
        // A dossier's entries also carry its number, as staff read it (/hoso 12).
        for (const e of entries) console.log(JSON.stringify(e.entity === 'nomination' ? { ...e, dossier: Number(dossierNumber({ id: e.entityId })) } : e));
        console.error(`${entries.length} audit entries`);
      });
    });
}
