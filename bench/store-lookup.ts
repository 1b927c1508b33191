/**
 * Imports 50,000 units (one atomic CSV import) and times units.findByName.
 * Run: npx tsx bench/store-lookup.ts [units=50000]
 * Uses REDIS_URL if set (keys under a throwaway prefix, deleted afterwards), else a
 * private embedded redis-server in a temp dir.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRedis } from '../src/redis/connection.js';
import { startEmbeddedRedis } from '../src/redis/embedded.js';
import { CLI_ACTOR, createStore, importUnitsCsv } from '../src/store/index.js';
import { deletePrefix } from './lib/redis-prefix.js';

const TOTAL = Number(process.argv[2] ?? 50_000);

// Deterministic pseudo-random names from Vietnamese syllables.
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const SYL = [
  'Bình', 'Thành', 'Na', 'Mòn', 'Đồng', 'Hoàng', 'Tiến', 'Làng', 'Mới', 'Khau', 'Lầu', 'Nguyên', 'Quan', 'Lang',
  'Phú', 'Hòa', 'An', 'Lạc', 'Tân', 'Minh', 'Hưng', 'Đạo', 'Quang', 'Phục', 'Gia', 'Lộc', 'Mỹ', 'Long', 'Hiệp',
  'Trường', 'Xuân', 'Định', 'Hóa', 'Thái', 'Sơn', 'Trung', 'Đông', 'Tây', 'Nam', 'Bắc', 'Kỳ', 'Pác', 'Cáp', 'Nà',
  'Linh', 'Khuôn', 'Tát', 'Bản', 'Vân', 'Yên', 'Thượng', 'Hạ', 'Cao', 'Lãnh', 'Tháp', 'Mười', 'Hải', 'Dương',
] as const;
const name2 = () => `${pick(SYL)} ${pick(SYL)}`;

function buildCsv(total: number): { csv: string; sample: { commune: string; hamlet: string } } {
  const lines = ['name,level,parent,code'];
  const provinces = 4;
  const districts = 10;
  const communes = 20;
  const hamlets = Math.max(1, Math.ceil((total - provinces * (1 + districts * (1 + communes))) / (provinces * districts * communes)));
  let n = 0;
  let commune = '';
  let hamlet = '';
  outer: for (let p = 0; p < provinces; p++) {
    const pc = `P${p}`;
    lines.push(`Tỉnh ${name2()},province,,${pc}`);
    if (++n >= total) break;
    for (let d = 0; d < districts; d++) {
      const dc = `${pc}-D${d}`;
      lines.push(`Huyện ${name2()},district,${pc},${dc}`);
      if (++n >= total) break outer;
      for (let c = 0; c < communes; c++) {
        const cc = `${dc}-C${c}`;
        const cn = `Xã ${name2()}`;
        lines.push(`UBND ${cn},commune,${dc},${cc}`);
        commune ||= cn;
        if (++n >= total) break outer;
        for (let h = 0; h < hamlets; h++) {
          const hn = `Xóm ${name2()}${rnd() < 0.3 ? ` ${h + 1}` : ''}`;
          hamlet ||= hn;
          lines.push(`${hn},hamlet,${cc},${cc}-H${h}`);
          if (++n >= total) break outer;
        }
      }
    }
  }
  return { csv: lines.join('\n'), sample: { commune, hamlet } };
}

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(2);
  const mean = (s.reduce((a, b) => a + b, 0) / s.length).toFixed(2);
  return `mean ${mean} ms  p50 ${q(0.5)}  p95 ${q(0.95)}  max ${q(1)}`;
}

async function main() {
  let stop = async () => {};
  let url = process.env.REDIS_URL;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-bench-'));
  if (!url) {
    const server = await startEmbeddedRedis({ dir: tmp, persistence: false });
    url = server.url;
    stop = () => server.stop();
  }
  const redis = createRedis(url);
  const prefix = `bench${Date.now().toString(36)}`;
  const store = createStore(redis, { prefix });
  try {
    const { csv, sample } = buildCsv(TOTAL);
    const memBefore = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
    let t = performance.now();
    const result = await importUnitsCsv(store, csv, CLI_ACTOR);
    const importMs = performance.now() - t;
    if (!result.ok) throw new Error(result.errors.slice(0, 5).join('\n'));
    const memAfter = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
    console.log(`units: ${result.count} (CSV ${(csv.length / 1e6).toFixed(1)} MB)`);
    console.log(`import (validate + one atomic script): ${(importMs / 1000).toFixed(2)} s`);
    console.log(`redis memory for units + indexes + audit: ${((memAfter - memBefore) / 1e6).toFixed(1)} MB`);
    console.log(`index sizes: names ${await redis.zcard(`${prefix}:units:names`)}, words ${await redis.zcard(`${prefix}:units:words`)}, audit ${await redis.xlen(`${prefix}:audit`)}`);

    const queries: [string, string][] = [
      ['exact commune', sample.commune.replace(/^Xã /, '')],
      ['exact hamlet, no diacritics', sample.hamlet.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/gi, 'd')],
      ['prefix "xom na"', 'xom na'],
      ['word prefix "na mon"', 'na mon'],
      ['one letter "b"', 'b'],
      ['tokens reversed "mon na"', 'mon na'],
      ['substring "inh ti"', 'inh ti'],
      ['no match (full scan)', 'zzqx'],
    ];
    const N = 200;
    for (const [label, q] of queries) {
      const found = await store.units.findByNameScored(q, { limit: 8 });
      const times: number[] = [];
      for (let i = 0; i < N; i++) {
        t = performance.now();
        await store.units.findByName(q, { limit: 8 });
        times.push(performance.now() - t);
      }
      console.log(`findByName ${label.padEnd(30)} ${String(found.length).padStart(2)} hits (${found[0]?.match ?? '-'})  ${stats(times)}`);
    }
    const p0 = (await store.units.getByCode('P0'))!.id;
    const c0 = (await store.units.getByCode('P0-D0-C0'))!.id;
    for (const [label, id] of [['province', p0], ['commune', c0]] as const) {
      const times: number[] = [];
      let size = 0;
      for (let i = 0; i < 20; i++) {
        t = performance.now();
        size = (await store.units.subtree(id)).length;
        times.push(performance.now() - t);
      }
      console.log(`subtree of a ${label} (${size} ids)`.padEnd(42) + stats(times));
    }
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      t = performance.now();
      await store.units.get(c0);
      times.push(performance.now() - t);
    }
    console.log('units.get'.padEnd(42) + stats(times));
  } finally {
    // Clean up the throwaway prefix (only matters with REDIS_URL).
    await deletePrefix(redis, prefix);
    await redis.quit();
    await stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
