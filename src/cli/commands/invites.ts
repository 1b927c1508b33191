import type { Command } from 'commander';
import { CliError } from '../errors.js';

const ROLES = ['officer', 'staff', 'admin'] as const;

export function register(program: Command): void {
  program
    .command('invite:create')
    .description('issue a one-time invite code (printed once; only its hash is stored)')
    .requiredOption('--role <role>', `officer (acts for a unit), staff (reviews an office's units) or admin`)
    .option('--unit <code>', 'the unit (officer) or office (staff), by its code')
    .option('--days <n>', 'days before the code expires', '7')
    .action(async (opts: { role: string; unit?: string; days: string }) => {
      const role = ROLES.find((r) => r === opts.role);
      if (!role) throw new CliError(`--role must be one of ${ROLES.join(', ')}`);
      const days = Number(opts.days);
      if (!Number.isInteger(days) || days < 1 || days > 90) throw new CliError('--days must be a whole number from 1 to 90');
      if (role !== 'admin' && !opts.unit) throw new CliError(`--unit <code> is required for role ${role}`);
      const [{ withStore }, { CLI_ACTOR }] = await Promise.all([import('../context.js'), import('../../store/index.js')]);
      await withStore(async ({ store }) => {
        const unit = opts.unit ? await store.units.getByCode(opts.unit) : null;
        if (opts.unit && !unit) throw new CliError(`No unit with code ${opts.unit} (try: npm run cli -- units:find <name>)`);
        // A code hashed with another secret than the bot's would never work.
        await store.invites.checkSecret().catch((err: Error) => {
          throw new CliError(err.message);
        });
        const code = await store.invites.create({ role, unitId: unit?.id ?? null, ttlDays: days, createdBy: CLI_ACTOR.id }, CLI_ACTOR);
        console.log(code);
        console.error(`One-time ${role} code${unit ? ` for ${unit.name}` : ''}, valid ${days} days. Give it to the person; they send it to the bot.`);
      });
    });
}
