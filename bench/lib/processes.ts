/**
 * Servers under test in their own processes, as replicas run: the parent spawns this
 * same compiled script with a mode; the child says READY with its port over IPC and
 * answers CPU questions with its own process.cpuUsage().
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';

type FromChild = { ready: number } | { cpu: NodeJS.CpuUsage } | Record<string, unknown>;

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  /** User + system CPU the process has used so far, ms (its own process.cpuUsage()). */
  cpuMs(): Promise<number>;
  /** Every other message the child sends. */
  onMessage(listener: (m: Record<string, unknown>) => void): void;
  stop(): Promise<void>;
}

/** Child side: tells the parent the port, and answers 'cpu' with process.cpuUsage(). */
export function serverReady(port: number): void {
  process.on('message', (m) => {
    if (m === 'cpu') process.send!({ cpu: process.cpuUsage() });
  });
  // Exits cleanly, so --cpu-prof can write its profile.
  process.on('SIGTERM', () => process.exit(0));
  process.send!({ ready: port });
}

/** Parent side: runs `script mode ...args` and waits for its READY. */
export function startServer(script: string, args: string[], opts: { execArgv?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<ServerProcess> {
  const child = fork(script, args, { execArgv: opts.execArgv ?? [], env: opts.env ?? process.env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const listeners: ((m: Record<string, unknown>) => void)[] = [];
  let cpuWaiters: ((ms: number) => void)[] = [];
  return new Promise((resolve, reject) => {
    child.on('message', (m: FromChild) => {
      if ('ready' in m && typeof m.ready === 'number') {
        child.off('exit', early);
        resolve({
          child,
          port: m.ready,
          cpuMs: () =>
            new Promise((r) => {
              cpuWaiters.push(r);
              child.send('cpu');
            }),
          onMessage: (l) => void listeners.push(l),
          stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', () => r()), child.kill('SIGTERM')))),
        });
      } else if ('cpu' in m && m.cpu && typeof m.cpu === 'object') {
        const { user, system } = m.cpu as NodeJS.CpuUsage;
        const waiting = cpuWaiters;
        cpuWaiters = [];
        for (const w of waiting) w((user + system) / 1000);
      } else for (const l of listeners) l(m as Record<string, unknown>);
    });
    const early = (code: number | null) => reject(new Error(`${args[0] ?? script} exited with ${code} before it was ready`));
    child.once('exit', early);
  });
}

/** A `worker` process (`npm run worker`'s entry, as given), resolved once it logs that it started. */
export async function spawnWorker(args: string[], env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...args, '--no-schedules'], { env: { ...process.env, SIMULATOR: 'off', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('worker started')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${out.slice(-500)}`)));
  });
  return child;
}
