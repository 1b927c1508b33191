import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const env = (extra: Record<string, string>) => {
  const e: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', ...extra };
  delete e.REDIS_URL;
  return e;
};

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

describe('npm start (src/main.ts) as a real process', () => {
  it('with no environment: starts its embedded Redis, says where it listens, and stops both on SIGINT', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-main-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: env({ DATA_DIR: dataDir, PORT: '0' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const deadline = Date.now() + 30_000;
    while (!/listening on http:\/\/localhost:\d+\//.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const url = /listening on (http:\/\/localhost:\d+\/)/.exec(out)?.[1];
    expect(url, out).toBeDefined();
    const redisPort = Number(/"url":"redis:\/\/127\.0\.0\.1:(\d+)"/.exec(out)?.[1]);
    expect(out).toContain('started embedded redis-server');
    expect(await portOpen(redisPort)).toBe(true);
    const health = await fetch(new URL('healthz', url!)).then((r) => r.json());
    expect(health).toMatchObject({ ok: true, status: 'ok', redis: { ok: true, writable: true }, workers: { ok: true, alive: 1 } });
    expect(fs.existsSync(path.join(dataDir, 'redis', 'appendonlydir'))).toBe(true);

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toContain('"msg":"stopped"');
    expect(await portOpen(redisPort)).toBe(false);
  }, 60_000);

  it('an invalid variable stops it with one line naming the variable', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: env({ PORT: 'abc' }), encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^Invalid configuration: PORT must be /);
  });
});
