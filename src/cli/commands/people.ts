import type { Command } from 'commander';
import type { Channel, Identity, Role } from '../../domain/entities.js';
import { isStoreError } from '../../store/errors.js';
import { CliError } from '../errors.js';

const LISTED = ['admin', 'staff', 'officer'] as const satisfies readonly Role[];
const CHANNELS = ['telegram', 'zalo', 'sim'] as const satisfies readonly Channel[];

/** `telegram:123` → its parts, or a clear refusal. */
function account(raw: string): { channel: Channel; userId: string } {
  const i = raw.indexOf(':');
  const channel = CHANNELS.find((c) => c === raw.slice(0, i));
  const userId = raw.slice(i + 1);
  if (i <= 0 || !channel || !userId) throw new CliError(`Not an account: ${raw} (use <channel>:<user id>, channel one of ${CHANNELS.join(', ')}; see people:list)`);
  return { channel, userId };
}

export function register(program: Command): void {
  program
    .command('people:list')
    .description('chat accounts holding a role: channel:id, role, unit, last message (Vietnam time)')
    .option('--role <role>', `only this role: ${LISTED.join(', ')}`)
    .action(async (opts: { role?: string }) => {
      const role = opts.role === undefined ? undefined : LISTED.find((r) => r === opts.role);
      if (opts.role !== undefined && !role) throw new CliError(`--role must be one of ${LISTED.join(', ')}`);
      const [{ withStore }, { formatVn }] = await Promise.all([import('../context.js'), import('../../domain/time.js')]);
      await withStore(async ({ store, where }) => {
        const roles = role ? [role] : LISTED;
        const rows: Identity[] = [];
        // One role after another, each by account, so the listing reads the same every time.
        for (const r of roles) rows.push(...(await store.identities.listByRole(r)).sort((a, b) => `${a.channel}:${a.userId}`.localeCompare(`${b.channel}:${b.userId}`)));
        for (const i of rows) {
          const unit = i.unitId ? await store.units.get(i.unitId) : null;
          const seen = i.lastInboundAt ? formatVn(new Date(i.lastInboundAt), 'en', true) : 'never';
          console.log([`${i.channel}:${i.userId}`, i.role, unit ? `${unit.code} ${unit.name}` : '-', seen].join('\t'));
        }
        console.error(`${rows.length} ${role ?? 'admin/staff/officer'} account(s) in ${where}`);
      });
    });

  program
    .command('people:revoke')
    .description('end an account\'s role (admin, staff or officer); they need a new invite to join again. Never the last admin')
    .argument('<channel:id>', 'the account, as people:list prints it')
    .action(async (raw: string) => {
      const { channel, userId } = account(raw);
      const [{ withStore }, { CLI_ACTOR }] = await Promise.all([import('../context.js'), import('../../store/index.js')]);
      await withStore(async ({ store, where }) => {
        let before: Identity;
        try {
          before = await store.identities.revoke(channel, userId, CLI_ACTOR);
        } catch (err) {
          if (isStoreError(err, 'not_found')) throw new CliError(`No account ${raw} in ${where}`);
          if (isStoreError(err, 'last_admin')) throw new CliError(`Refused: ${raw} is the last admin. Make someone else an admin first (ADMINS, or invite:create --role admin).`);
          throw err;
        }
        if (before.role === null) console.log(`${raw} had no role; nothing changed (${where})`);
        else
          console.log(
            `Revoked ${before.role} ${raw} (${where})` +
              (before.role === 'admin' ? '. If ADMINS lists this account, remove it there too, or the next start makes it admin again.' : ''),
          );
      });
    });
}
