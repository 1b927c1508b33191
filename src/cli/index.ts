import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { StoreError } from '../store/errors.js';
import { CliError } from './errors.js';

/**
 * `npm run cli -- <command>`. Adding a command: a file in ./commands exporting
 * `register(program: Command): void`, and one line below.
 *
 * Start-up must stay fast (`--help` in well under a second): a command file imports at its
 * top only commander, types and light helpers; what its action needs (config, Redis, the
 * store, BullMQ, grammY, exceljs…) it imports inside the action with `await import(…)`.
 * test/cli/startup.test.ts fails when --help loads any of those.
 */
const COMMAND_FILES: (() => Promise<{ register: (program: Command) => void }>)[] = [
  () => import('./commands/audit.js'),
  () => import('./commands/campaign.js'),
  () => import('./commands/export.js'),
  () => import('./commands/invites.js'),
  () => import('./commands/jobs.js'),
  () => import('./commands/people.js'),
  () => import('./commands/telegram.js'),
  () => import('./commands/units.js'),
  () => import('./commands/zalo.js'),
];

export async function buildProgram(): Promise<Command> {
  const program = new Command('thidua')
    .description('thidua-bot administration')
    .showHelpAfterError()
    .exitOverride();
  for (const file of await Promise.all(COMMAND_FILES.map((load) => load()))) file.register(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CliError) {
      console.error(err.message);
      return err.exitCode;
    }
    // commander already printed usage errors and help.
    if (err instanceof CommanderError) return err.exitCode;
    // Loaded here, not at the top: --help must not pay for zod. A command that threw it has loaded it anyway.
    const { ConfigError } = await import('../config/index.js');
    if (err instanceof ConfigError || err instanceof StoreError) {
      console.error(err.message);
      return 1;
    }
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
