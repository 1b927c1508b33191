import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { distPath } from '../../scripts/dist.mjs';

/**
 * Our entry points (and test fixtures) as real OS processes: the JavaScript that the
 * global setup (test/setup/build.ts) compiled into dist/, run with plain `node`. That
 * starts in well under a second of CPU, where tsx spent 3–5 s transpiling at every start.
 *
 * No fixed start-up budget: on a loaded 2-core machine a start can take many seconds, so
 * we wait for the event itself (the process exits, or prints its readiness line), and
 * only the test's timeout, PROCESS_TEST_TIMEOUT, decides that something hangs.
 */
export const PROCESS_TEST_TIMEOUT = 180_000;

/** `src/cli/index.ts` → dist/src/cli/index.js, which the global setup has built. */
export function compiled(entry: string): string {
  const file = distPath(entry);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run the tests with vitest (its global setup compiles dist/)`);
  return file;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed. */
  input?: string;
  /** Extra node options before the script (e.g. --import). */
  node?: string[];
}

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `entry` to its end and returns its exit code and output. Synchronous, as the
 * tests' CLI calls are; the limit only stops a hung process (spawnSync has no other).
 */
export function runSync(entry: string, args: string[] = [], opts: RunOptions = {}): Ran {
  const r = spawnSync(process.execPath, [...(opts.node ?? []), compiled(entry), ...args], {
    env: opts.env ?? process.env,
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: PROCESS_TEST_TIMEOUT - 10_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `npm run cli -- …args`. */
export const cli = (args: string[], opts: RunOptions = {}) => runSync('src/cli/index.ts', args, opts);

/** Like runSync, without blocking this process (for several processes at once). */
export function run(entry: string, args: string[] = [], opts: RunOptions = {}): Promise<Ran> {
  const { child, exited, output } = start(entry, args, opts);
  child.stdin?.end(opts.input ?? '');
  return exited.then((status) => ({ status, ...output() }));
}

export interface Started {
  child: ChildProcess;
  /** Everything printed so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves with the match once stdout or stderr matches; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  /** The exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Starts `entry` and returns at once; see waitFor for its readiness line. */
export function start(entry: string, args: string[] = [], opts: RunOptions = {}): Started {
  const child = spawn(process.execPath, [...(opts.node ?? []), compiled(entry), ...args], {
    env: opts.env ?? process.env,
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let closed = false;
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  child.stdout!.on('data', (d: Buffer) => ((stdout += d), notify()));
  child.stderr!.on('data', (d: Buffer) => ((stderr += d), notify()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    // 'close', not 'exit': all output has been read by then.
    child.once('close', (code) => ((closed = true), resolve(code), notify()));
  });
  return {
    child,
    output: () => ({ stdout, stderr }),
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = pattern.exec(stdout) ?? pattern.exec(stderr);
          if (m) return waiters.delete(check), resolve(m);
          if (closed) waiters.delete(check), reject(new Error(`${entry} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${stdout}${stderr}`));
        };
        waiters.add(check);
        check();
      }),
  };
}
