import { flowLink } from '../../flows/links.js';
import type { Identity } from '../domain/entities.js';
import { civilOf, formatCivilDate } from '../domain/index.js';
import { t } from '../i18n.js';
import { notify } from '../services/notify.js';
import { CLI_ACTOR, mergeUnitsCsv, type MergedUnit } from '../store/index.js';
import { withStore } from './context.js';
import { CliError } from './errors.js';
import { withJobs } from './jobs-context.js';

/** What a moved officer or staff member is told: which unit they act for now, and a way to say it is wrong. */
function movedMessage(m: MergedUnit, who: Identity) {
  const params = { date: formatCivilDate(civilOf(m.unit.merged!.on), who.lang), old: m.unit.name, new: m.into.name, source: m.unit.merged!.source };
  return {
    text: t(who.lang, who.role === 'staff' ? 'merge.moved_staff' : 'merge.moved_officer', params),
    choices: [{ payload: flowLink('help'), label: t(who.lang, 'merge.wrong_button') }],
  };
}

/** `units:merge`: check the whole file, apply it in one change, tell everyone who was moved (through the outbox). */
export async function mergeUnits(file: string, text: string, dryRun: boolean): Promise<void> {
  const run = async (store: Parameters<typeof mergeUnitsCsv>[0]) => {
    const result = await mergeUnitsCsv(store, text, CLI_ACTOR, { dryRun });
    if (!result.ok) {
      for (const line of result.errors) console.error(line);
      throw new CliError(`Nothing merged: ${result.errors.length} problem(s) in ${file}`);
    }
    for (const m of result.merged) console.log(`${m.unit.code}\t→ ${m.into.code}\t${m.unit.merged!.on}\t${m.unit.name} → ${m.into.name}\t(${m.moved.length} account(s) moved)`);
    const moved = result.merged.reduce((n, m) => n + m.moved.length, 0);
    console.log(
      dryRun
        ? `OK: ${result.merged.length} unit(s) would be merged, ${result.created.length} created, ${moved} account(s) moved`
        : `Merged ${result.merged.length} unit(s), created ${result.created.length}, moved ${moved} account(s)`,
    );
    return result;
  };
  if (dryRun) return void (await withStore(({ store }) => run(store), { claim: false }));
  await withJobs(async ({ store, jobs }) => {
    const result = await run(store);
    for (const m of result.merged)
      for (const who of m.moved) await notify(jobs.outbox, who, movedMessage(m, who), `merge|${m.unit.id}|${who.channel}:${who.userId}`);
  }, { claim: true });
}
