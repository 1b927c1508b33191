import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { ConfigError } from '../config/index.js';
import { StoreError } from '../store/index.js';
import { CliError } from './context.js';

/**
 * `npm run cli -- <command>`. Every file in ./commands exports
 * `register(program: Command): void` and adds its own commands; nothing here changes
 * when a command is added.
 */
export async function buildProgram(): Promise<Command> {
  const program = new Command('thidua')
    .description('thidua-bot administration')
    .showHelpAfterError()
    .exitOverride();
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'commands');
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.(ts|js|mjs)$/.test(f) && !/\.(d|test|spec)\.[mc]?[tj]s$/.test(f))
    .sort();
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { register?: (p: Command) => void };
    if (typeof mod.register === 'function') mod.register(program);
  }
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof CliError || err instanceof StoreError) {
      console.error(err.message);
      return err instanceof CliError ? err.exitCode : 1;
    }
    // commander already printed usage errors and help.
    if (err instanceof Error && 'exitCode' in err && typeof (err as { exitCode: unknown }).exitCode === 'number')
      return (err as { exitCode: number }).exitCode;
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
