import type { Command } from 'commander';
import { CliError } from '../errors.js';

/**
 * Operator commands for the jobs. `--at` takes an ISO time; without a zone it is read as
 * Vietnam time (`2024-11-28T08:00` = 08:00 in Hà Nội), and `now` is the store's clock (the
 * demo store's simulated one). The `run` commands only queue
 * messages: the workers of `npm start` or `npm run worker` send them.
 */

// Loaded when a command runs, not for --help: date-fns (via parseAt), config, Redis, store, queues.
const parseAt = async (text: string, clock: import('../../clock.js').Clock) => (await import('../at.js')).parseAt(text, clock);
const formatVnDateTime = async (at: Date) => (await import('../../domain/time.js')).formatVnDateTime(at, 'vi');
const withJobs: typeof import('../jobs-context.js').withJobs = async (fn) => (await import('../jobs-context.js')).withJobs(fn);

const firstLine = (text: string) => text.split('\n')[0]!.slice(0, 160);

function printPass(r: { planned: number; queued: number; skipped: number; disabled: number }, what: string): void {
  console.log(`${what}: ${r.planned} planned, ${r.queued} queued, ${r.skipped} already sent or queued, ${r.disabled} on channels not enabled here`);
  if (r.queued) console.log('The workers of `npm start` or `npm run worker` send them at the channel rate.');
}

export function register(program: Command): void {
  program
    .command('reminders:preview')
    .description('list who would be reminded of what at a time (the reminder in effect for each open deadline); sends nothing')
    .option('--at <time>', 'ISO time; without a zone, Vietnam time', 'now')
    .action(async (opts: { at: string }) => {
      await withJobs(async ({ jobs, clock }) => {
        const at = await parseAt(opts.at, clock);
        const { messages } = await jobs.previewReminders(at);
        console.log(`Reminders at ${await formatVnDateTime(at)} (Vietnam time): ${messages.length}`);
        for (const m of messages)
          console.log(
            [`${m.reminder.kind} ${m.reminder.year} D-${m.reminder.offsetDays}`, `${m.subject.type} ${m.subject.name ?? m.subject.id}`, `${m.channel}:${m.userId}`, firstLine(m.reply.text)].join('\t'),
          );
      });
    });

  program
    .command('reminders:run')
    .description('run the reminder pass for a time now (a missed run, a test); each reminder is queued at most once')
    .option('--at <time>', 'ISO time; without a zone, Vietnam time', 'now')
    .action(async (opts: { at: string }) => {
      await withJobs(async ({ jobs, clock }) => {
        const at = await parseAt(opts.at, clock);
        printPass(await jobs.runReminders(at), `Reminders at ${await formatVnDateTime(at)}`);
      });
    });

  program
    .command('alerts:run')
    .description('send staff the incomplete-dossier digests of the alert in effect at a time')
    .option('--at <time>', 'ISO time; without a zone, Vietnam time', 'now')
    .option('--year <year>', 'only the dossiers of this year')
    .option('--dry-run', 'print the digests (and where their charts were drawn), queue nothing')
    .action(async (opts: { at: string; year?: string; dryRun?: boolean }) => {
      const year = opts.year ? Number(opts.year) : undefined;
      await withJobs(async ({ jobs, clock }) => {
        const at = await parseAt(opts.at, clock);
        if (opts.dryRun) {
          const { alert, messages } = await jobs.previewAlerts(at, year);
          if (!alert) return console.log('No dossier deadline is in its alert window at that time.');
          console.log(`Staff alert ${alert.year} D-${alert.offsetDays}: ${messages.length} message(s)`);
          // A chart is named by its file under DATA_DIR, to look at before it is sent.
          for (const m of messages) console.log(`--- ${m.channel}:${m.userId}\n${m.reply.text}${m.reply.file ? `\n[${m.reply.file.path}]` : ''}`);
          return;
        }
        const r = await jobs.runAlerts(at, year);
        if (!r.alert) return console.log('No dossier deadline is in its alert window at that time.');
        printPass(r, `Staff alert ${r.alert.year} D-${r.alert.offsetDays}`);
      });
    });

  program
    .command('broadcast:status')
    .description('where an announcement stands: sent, failed, unreachable, pending')
    .argument('<id>', 'the number shown to the admin (#12 → 12)')
    .action(async (id: string) => {
      await withJobs(async ({ jobs }) => {
        const s = await jobs.broadcasts.status(id.replace(/^#/, ''));
        if (!s) throw new CliError(`No announcement #${id}`);
        console.log(`#${s.id}\t${s.status}\tcreated ${s.createdAt}${s.finishedAt ? `\tfinished ${s.finishedAt}` : ''}`);
        console.log(`audience: ${JSON.stringify(s.audience)}\tby ${s.by.channel}\ttext: ${firstLine(s.text)}`);
        console.log(`total ${s.total}\tsent ${s.sent}\tfailed ${s.failed}\tunreachable ${s.unreachable}\tcancelled ${s.cancelled}\tpending ${s.pending}\tresent ${s.resent}`);
        for (const [c, n] of Object.entries(s.perChannel)) console.log(`  ${c}: total ${n.total}, sent ${n.sent}, failed ${n.failed}, unreachable ${n.unreachable}`);
      });
    });

  program
    .command('broadcast:cancel')
    .description('stop an announcement that is being sent')
    .argument('<id>', 'the announcement number')
    .action(async (id: string) => {
      await withJobs(async ({ jobs }) => {
        const r = await jobs.broadcasts.cancel(id.replace(/^#/, ''), 'cli');
        if (r === 'not_found') throw new CliError(`No announcement #${id}`);
        console.log({ cancelled: `Announcement #${id} stopped`, already_cancelled: `Announcement #${id} was already stopped`, finished: `Announcement #${id} had already finished` }[r]);
      });
    });

  program
    .command('outbox:status')
    .description('queued, active, delayed and failed messages per channel, and what has been sent so far')
    .action(async () => {
      const [{ configuredChannels }, { byOutcome }] = await Promise.all([import('../jobs-context.js'), import('../../../jobs/outbox.js')]);
      await withJobs(async ({ jobs, config }) => {
        const counts = await jobs.outbox.counts(configuredChannels(config));
        for (const [c, n] of Object.entries(counts)) console.log(`${c}\t${Object.entries(n).map(([k, v]) => `${k} ${v}`).join('\t')}`);
        const totals = await jobs.outbox.totals();
        const o = byOutcome(totals);
        console.log(`since the start: sent ${o.sent ?? 0}, unreachable ${o.unreachable ?? 0}, failed ${o.failed ?? 0}, resent after a crash ${o.resent ?? 0}`);
        const running = await jobs.broadcasts.running();
        for (const s of running) console.log(`announcement #${s.id} ${s.status}: ${s.total - s.pending}/${s.total}`);
      });
    });
}
