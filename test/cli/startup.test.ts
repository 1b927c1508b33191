import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { compiled, runSync, PROCESS_TEST_TIMEOUT } from '../helpers/process.js';

/** Issue #12 item 8: `npm run cli -- --help` costs a few tenths of a second, not 5 s of CPU. */

/** What a command may load only when it runs: the app's weight (and tsx-era start-up cost). */
const HEAVY = /node_modules\/(ioredis|bullmq|grammy|@grammyjs|exceljs|express|zod|pino|date-fns|csv-parse|axios|undici|prom-client)\/|dist\/(src\/(app|config|store\/index|redis|engine|services|channels\/(zalo|telegram\/channel))|jobs|flows)\b/;

/** Runs the compiled CLI and returns its output with the list of every module it loaded. */
function cliImports(args: string[]) {
  const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-imports-')), 'imports.txt');
  fs.writeFileSync(log, '');
  const hooks = pathToFileURL(compiled('test/fixtures/import-log-hooks.ts')).href;
  const r = runSync('src/cli/index.ts', args, {
    node: ['--import', `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(hooks)})`],
    env: { ...process.env, IMPORT_LOG: log },
  });
  const imports = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
  return { ...r, imports, heavy: imports.filter((u) => HEAVY.test(u)) };
}

describe('npm run cli starts fast: commands load their modules when they run', { timeout: PROCESS_TEST_TIMEOUT }, () => {
  it('--help lists every command without loading config, Redis, the store, BullMQ, grammY, exceljs or date-fns', () => {
    const r = cliImports(['--help']);
    expect(r.status, r.stderr).toBe(0);
    for (const command of ['audit:dump', 'export', 'invite:create', 'reminders:run', 'outbox:status', 'people:revoke', 'telegram:set-webhook', 'units:import', 'zalo:status'])
      expect(r.stdout).toContain(`  ${command} `);
    // The Telegram facts in set-webhook's help come from a module without grammY.
    expect(r.stdout).toContain('message, edited_message, callback_query, my_chat_member');
    expect(r.imports.some((u) => u.includes('/commander/'))).toBe(true);
    expect(r.heavy).toEqual([]);
  });

  it("a command's own help and a usage error load nothing heavy either; a command that runs does (the check sees it)", () => {
    const help = cliImports(['telegram:set-webhook', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('/webhooks/telegram');
    expect(help.heavy).toEqual([]);

    const missing = cliImports(['audit:dump']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("required option '--from <date>' not specified");
    expect(missing.heavy).toEqual([]);

    const ran = cliImports(['reminders:preview', '--at', 'tomorrow']);
    expect(ran.stderr).toContain('--at must be a time like');
    expect(ran.status).toBe(1);
    expect(ran.heavy.some((u) => u.includes('node_modules/date-fns'))).toBe(true);
  });
});

describe('scripts/run.mjs (npm start, worker, cli, chat): compiled JS, compiled again only when the sources changed', { timeout: PROCESS_TEST_TIMEOUT }, () => {
  const root = PROJECT_ROOT;

  /** A two-file project next to the real scripts/ and tsconfigs, sharing node_modules (typescript). */
  function project() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-mjs-'));
    fs.mkdirSync(path.join(dir, 'scripts'));
    fs.mkdirSync(path.join(dir, 'src'));
    for (const f of ['scripts/run.mjs', 'scripts/dist.mjs', 'tsconfig.json', 'tsconfig.build.json']) fs.copyFileSync(path.join(root, f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
    fs.writeFileSync(path.join(dir, 'src/greeting.ts'), "export const greeting: string = 'xin chào';\n");
    fs.writeFileSync(
      path.join(dir, 'src/main.ts'),
      "import { greeting } from './greeting.js';\nconsole.log(`${greeting} ${process.argv.slice(2).join(' ')} ${import.meta.filename}`);\nprocess.exitCode = 3;\n",
    );
    const run = () => spawnSync(process.execPath, ['scripts/run.mjs', 'src/main.ts', 'a', '--b'], { cwd: dir, encoding: 'utf8', timeout: PROCESS_TEST_TIMEOUT - 10_000 });
    return { dir, run };
  }

  it('compiles on the first run, then runs dist/ directly; a changed file (even with its old mtime) is compiled again', () => {
    const { dir, run } = project();
    let r = run();
    expect(r.stderr).toContain('Compiling TypeScript');
    expect(r.stdout).toBe(`xin chào a --b ${path.join(fs.realpathSync(dir), 'dist/src/main.js')}\n`);
    expect(r.status).toBe(3);

    r = run();
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('xin chào a --b');

    const file = path.join(dir, 'src/greeting.ts');
    const { atime, mtime } = fs.statSync(file);
    fs.writeFileSync(file, "export const greeting: string = 'chào anh';\n");
    fs.utimesSync(file, atime, mtime);
    r = run();
    expect(r.stderr).toContain('Compiling TypeScript');
    expect(r.stdout).toContain('chào anh a --b');
  });

  it('without TypeScript (a production install), a dist/ built before still runs, with a warning; none at all is a clear error', () => {
    const { dir, run } = project();
    expect(run().status).toBe(3);
    fs.unlinkSync(path.join(dir, 'node_modules'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.writeFileSync(path.join(dir, 'src/greeting.ts'), "export const greeting: string = 'chào anh';\n");
    let r = run();
    expect(r.stderr).toContain('TypeScript is not installed');
    expect(r.stdout).toContain('xin chào a --b');
    expect(r.status).toBe(3);

    fs.rmSync(path.join(dir, 'dist'), { recursive: true });
    r = run();
    expect(r.stderr).toContain('dist/ is missing or out of date and TypeScript is not installed: run `npm ci`');
    expect(r.stdout).toBe('');
    expect(r.status).toBe(1);
  });

  it('a type error is reported and the emitted code still runs, as under tsx', () => {
    const { dir, run } = project();
    fs.writeFileSync(path.join(dir, 'src/greeting.ts'), 'export const greeting: string = 42 as unknown as number;\n');
    const r = run();
    expect(r.stderr).toMatch(/error TS2322/);
    expect(r.stderr).toContain('running the compiled code anyway');
    expect(r.stdout).toContain('42 a --b');
    expect(r.status).toBe(3);
  });
});
