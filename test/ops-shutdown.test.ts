import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('graceful shutdown of npm start (src/main.ts) as a real process', () => {
  it('SIGTERM while a request is in flight: that request completes with its replies, new ones are refused, exit code 0', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-shutdown-'));
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', DATA_DIR: dataDir, PORT: '0' };
    delete env.REDIS_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const deadline = Date.now() + 30_000;
    while (!/listening on http:\/\/localhost:\d+\//.test(out) && Date.now() < deadline) await sleep(100);
    const port = Number(/listening on http:\/\/localhost:(\d+)\//.exec(out)?.[1]);
    expect(port, out).toBeGreaterThan(0);
    const redisPort = Number(/"url":"redis:\/\/127\.0\.0\.1:(\d+)"/.exec(out)?.[1]);

    // A simulator message whose body arrives slowly: the request is in flight when SIGTERM comes.
    const body = Buffer.from(JSON.stringify({ user: 'can-bo-don-vi', text: 'menu' }));
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/sim/api/send', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.write(body.subarray(0, 10));
      setTimeout(() => req.end(body.subarray(10)), 1_500);
    });
    await sleep(300);
    child.kill('SIGTERM');
    await sleep(500);
    expect(child.exitCode).toBeNull();
    expect(out).toContain('"signal":"SIGTERM"');
    // Nothing new is taken: the listener is closed (or the request is answered 503).
    const fresh = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status, () => 'refused');
    expect([503, 'refused']).toContain(fresh);

    const r = await response;
    expect(r.status).toBe(200);
    expect((JSON.parse(r.body) as { replies: unknown[] }).replies.length).toBeGreaterThan(0);
    expect(await exited).toBe(0);
    expect(out).toContain('"msg":"stopped"');
    expect(await portOpen(redisPort)).toBe(false);
  }, 60_000);
});
