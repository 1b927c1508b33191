import type { Logger } from 'pino';
import type { Store } from '../store/index.js';

/**
 * At every start, the bootstrap admins are exactly the ADMINS setting: listed accounts
 * become admins, admins it made before and no longer lists lose the role (audited with
 * actor `config`). Logs counts, never who.
 */
export async function applyAdmins(store: Store, admins: readonly string[], now: Date, log: Logger): Promise<void> {
  const { promoted, demoted } = await store.identities.applyConfigAdmins(admins, now);
  if (promoted.length || demoted.length) log.info({ promoted: promoted.length, demoted: demoted.length }, 'admins follow the ADMINS setting');
  if (demoted.length && (await store.identities.listByRole('admin')).length === 0) log.warn('no admin left: set ADMINS or issue an admin invite (npm run cli -- invite:create --role admin)');
}
