import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROCESS_TEST_TIMEOUT, run } from '../helpers/process.js';
import { testRedis } from '../helpers/redis.js';
import { createStore, importUnitsCsv, parseLevel, type Actor, type ImportResult } from '../../src/store/index.js';
import { DEFAULT_HIERARCHY, hierarchyOf } from '../../src/domain/levels.js';
import { loadCampaign } from '../../src/campaign/index.js';

const cli: Actor = { id: 'cli', role: 'admin', channel: 'cli' };
const FIXTURE = path.resolve('test/fixtures/units-binh-thanh.csv');

const errorsOf = (r: ImportResult) => (r.ok ? [] : r.errors);

describe('importUnitsCsv', () => {
  const { redis, ns } = testRedis();
  const store = createStore(redis, { prefix: ns });
  afterAll(() => redis.quit());

  it('imports the Bình Thành fixture (BOM, quotes, Vietnamese level names, children before parents)', async () => {
    const result = await importUnitsCsv(store, fs.readFileSync(FIXTURE, 'utf8'), cli);
    expect(errorsOf(result)).toEqual([]);
    expect(result).toMatchObject({ ok: true, count: 11 });
    const tn = (await store.units.getByCode('TN'))!;
    const dh = (await store.units.getByCode('TN-DH'))!;
    const bt = (await store.units.getByCode('TN-DH-BT'))!;
    expect([tn.level, tn.parentId, tn.name]).toEqual(['province', null, 'Tỉnh Thái Nguyên']);
    expect([dh.level, dh.parentId]).toEqual(['district', tn.id]);
    expect([bt.level, bt.parentId, bt.name]).toEqual(['commune', dh.id, 'UBND xã Bình Thành']);
    const hamlets = await store.units.children(bt.id);
    expect(hamlets.map((u) => `${u.level}:${u.name}`)).toEqual([
      'commune_agency:Ban Chỉ đạo chuyển đổi số, xã Bình Thành',
      'hamlet:Xóm Bình Nguyên',
      'hamlet:Xóm Bình Tiến',
      'hamlet:Xóm Đồng Hoàng',
      'hamlet:Xóm Khau Lầu',
      'hamlet:Xóm Làng Mới',
      'hamlet:Xóm Na Mòn',
    ]);
    const team = (await store.units.getByCode('TN-DH-BT-X01-CNS'))!;
    expect(team.level).toBe('tech_team');
    expect(team.parentId).toBe((await store.units.getByCode('TN-DH-BT-X01'))!.id);
    expect((await store.units.subtree(tn.id)).length).toBe(11);
    expect((await store.units.findByName('xom na'))[0]?.name).toBe('Xóm Na Mòn');
    expect((await store.units.findByName('binh thanh'))[0]?.name).toBe('UBND xã Bình Thành');
  });

  it('a second file may hang units under units already in the store', async () => {
    const result = await importUnitsCsv(store, 'name,level,parent,code\nXóm Quan Lang,hamlet,tn-dh-bt,TN-DH-BT-X14\n', cli);
    expect(result).toMatchObject({ ok: true, count: 1 });
    expect((await store.units.getByCode('TN-DH-BT-X14'))?.parentId).toBe((await store.units.getByCode('TN-DH-BT'))!.id);
  });

  it('one bad row: nothing is imported and the row is reported', async () => {
    const { redis: r, ns: p } = testRedis();
    const s = createStore(r, { prefix: p });
    const csv = ['name,level,parent,code', 'Tỉnh A,tỉnh,,A', 'Huyện B,huyện,A,A-B', 'Xã C,xã,A-B,A-B-C', 'Xóm D,làng,A-B-C,A-B-C-D', 'Xóm E,xóm,A-B-C,A-B-C-E'].join('\n');
    const result = await importUnitsCsv(s, csv, cli);
    expect(result.ok).toBe(false);
    expect(errorsOf(result)).toEqual([expect.stringMatching(/^row 5: level "làng" is not a level of this campaign; its levels are province \(Tỉnh\), department .*hamlet \(Xóm, ấp, thôn\)/)]);
    expect(result.ok ? null : result.rows).toEqual([{ row: 5, message: expect.any(String) }]);
    expect(await s.units.count()).toBe(0);
    expect(await r.keys(`${p}:*`)).toEqual([]);
    await r.quit();
  });

  it('reports every kind of problem, with file line numbers', async () => {
    const { redis: r, ns: p } = testRedis();
    const s = createStore(r, { prefix: p });
    expect(await importUnitsCsv(s, 'name,level,parent,code\nTỉnh Thái Nguyên,tỉnh,,TN\nHuyện Định Hóa,huyện,TN,TN-DH\nXã Bình Thành,xã,TN-DH,TN-DH-BT\n', cli)).toMatchObject({ ok: true });
    const csv = [
      'name,level,parent,code', // 1
      'Tỉnh Mới,province,,NEW', // 2 ok
      ',district,NEW,N1', // 3 missing name
      'Huyện Hai,,NEW,N2', // 4 missing level
      'Huyện Ba,district,NEW,', // 5 missing code
      'Tỉnh Bốn,province,,new', // 6 duplicate in the file (codes ignore case)
      'Huyện Năm,district,NEW,TN', // 7 code already in the store
      'Xóm Sáu,hamlet,NOWHERE,N6', // 8 unknown parent
      'Xóm Bảy,hamlet,NEW,N7', // 9 hamlet under a province
      'Tổ Tám,tech_team,N9,N8', // 10 loop N8 → N9 → N8 (and levels that cannot nest)
      'Xóm Chín,hamlet,N8,N9', // 11 loop
      'Xóm Mười,hamlet,N10,N10', // 12 its own parent
      '"Xóm ""Mười một""",hamlet,TN-DH-BT,N11', // 13 ok (quotes; parent in the store)
    ].join('\r\n');
    const result = await importUnitsCsv(s, csv, cli);
    expect(errorsOf(result)).toEqual([
      'row 3: name is missing',
      expect.stringMatching(/^row 4: level is missing \(one of province \(Tỉnh\), .*hamlet \(Xóm, ấp, thôn\)/),
      'row 5: code is missing',
      'row 6: code "new" is already used on row 2',
      expect.stringMatching(/^row 7: code "TN" is already used by unit u_\d+ in the store$/),
      'row 8: parent "NOWHERE" is neither in the file nor in the store',
      'row 9: a hamlet cannot be under "NEW" (a province); in this campaign its parent must be commune',
      'row 10: parent chain loops back to "N8"',
      'row 11: a hamlet cannot be under "N8" (a tech_team); in this campaign its parent must be commune',
      'row 11: parent chain loops back to "N9"',
      'row 12: a unit cannot be its own parent ("N10")',
    ]);
    expect(await s.units.count()).toBe(3);
    expect(await s.units.getByCode('NEW')).toBeNull();
    expect(await s.units.getByCode('N11')).toBeNull();
    await r.quit();
  });

  it('missing columns, empty files and Vietnamese headers', async () => {
    expect(errorsOf(await importUnitsCsv(store, 'name,parent\nA,\n', cli))).toEqual(['row 1: missing column(s): level, code (expected name, level, parent, code)']);
    expect(errorsOf(await importUnitsCsv(store, 'name,level,parent,code\n', cli))).toEqual(['the file has no units']);
    expect(errorsOf(await importUnitsCsv(store, '', cli))).toEqual([expect.stringMatching(/missing column/)]);
    expect(errorsOf(await importUnitsCsv(store, 'name,level,code\n"unterminated,xã,Q\n', cli))[0]).toMatch(/not a readable CSV file/);
    const vi = await importUnitsCsv(store, 'Tên,Cấp,Mã cha,Mã\nTổ công nghệ số xóm Bình Tiến,Tổ công nghệ số,TN-DH-BT-X03,TN-DH-BT-X03-CNS\n', cli);
    expect(vi).toMatchObject({ ok: true, count: 1 });
  });

  it('dry run checks everything and writes nothing', async () => {
    const before = await store.units.count();
    const result = await importUnitsCsv(store, 'name,level,parent,code\nXóm Pác Cáp,xóm,TN-DH-BT,TN-DH-BT-X07\n', cli, { dryRun: true });
    expect(result).toMatchObject({ ok: true, count: 1 });
    expect(await store.units.count()).toBe(before);
    expect(await store.units.getByCode('TN-DH-BT-X07')).toBeNull();
  });

  it('parseLevel accepts English ids and Vietnamese names with or without diacritics', () => {
    const cases: [string, string | null][] = [
      ['tỉnh', 'province'],
      ['TINH', 'province'],
      ['huyện', 'district'],
      ['Xã', 'commune'],
      ['phường', 'commune'],
      ['xóm', 'hamlet'],
      ['thôn', 'hamlet'],
      ['ấp', 'hamlet'],
      ['sở', 'department'],
      ['doanh nghiệp', 'enterprise'],
      ['Tổ công nghệ số', 'tech_team'],
      ['tech-team', 'tech_team'],
      ['district_agency', 'district_agency'],
      ['làng', null],
      ['', null],
    ];
    for (const [text, level] of cases) expect(parseLevel(text, DEFAULT_HIERARCHY), text).toBe(level);
  });
});

describe('importUnitsCsv in a two-level campaign (thai-nguyen-2026: no district)', () => {
  const hierarchy = hierarchyOf(loadCampaign('thai-nguyen-2026'));
  const DEMO = fs.readFileSync(path.resolve('campaigns/demo/thai-nguyen-2026.csv'), 'utf8');
  const fresh = () => {
    const { redis, ns } = testRedis();
    return { redis, ns, store: createStore(redis, { prefix: ns, hierarchy }) };
  };

  it('imports its demo tree (with the offices column): province → commune or ward → hamlet', async () => {
    const { redis, store } = fresh();
    const result = await importUnitsCsv(store, DEMO, cli);
    expect(errorsOf(result)).toEqual([]);
    const tn = (await store.units.getByCode('TN'))!;
    const bt = (await store.units.getByCode('TN-BT'))!;
    const pdp = (await store.units.getByCode('TN-PDP'))!;
    expect([bt.level, bt.parentId, bt.name]).toEqual(['commune', tn.id, 'UBND xã Bình Thành']);
    expect([pdp.level, pdp.parentId]).toEqual(['ward', tn.id]);
    expect((await store.units.getByCode('TN-BT-X01'))).toMatchObject({ level: 'hamlet', parentId: bt.id });
    expect((await store.units.getByCode('TN-PDP-T01'))).toMatchObject({ level: 'hamlet', parentId: pdp.id, name: 'Tổ dân phố số 1' });
    expect((await store.units.all()).filter((u) => u.level.startsWith('district'))).toEqual([]);
    await redis.quit();
  });

  it('refuses a district with a clear message, and imports nothing', async () => {
    const { redis, ns, store } = fresh();
    const csv = [
      'name,level,parent,code',
      'Tỉnh Thái Nguyên,tỉnh,,TN',
      'Huyện Định Hóa,huyện,TN,TN-DH',
      'Huyện Phú Lương,district,TN,TN-PL',
      'Xã Bình Thành,xã,TN-DH,TN-DH-BT',
      'Xóm Lạc,xóm,TN,TN-XL',
    ].join('\n');
    const result = await importUnitsCsv(store, csv, cli);
    expect(errorsOf(result)).toEqual([
      'row 3: level "huyện" (district) is not a level of this campaign; its levels are province (Tỉnh), department (Sở, ban, ngành tỉnh), commune (Xã), ward (Phường), commune_agency (Cơ quan, đơn vị cấp xã, phường), hamlet (Thôn, xóm, tổ dân phố), tech_team (Tổ công nghệ số cộng đồng)',
      expect.stringMatching(/^row 4: level "district" \(district\) is not a level of this campaign; its levels are province/),
      'row 6: a hamlet cannot be under "TN" (a province); in this campaign its parent must be commune or ward',
    ]);
    expect(await redis.keys(`${ns}:*`)).toEqual([]);
    await redis.quit();
  });

  it('the campaign decides: in the 2021–2025 tree a hamlet straight under a district is refused (communes may sit under the province: the 2025 mergers)', async () => {
    const { redis: r, ns: p } = testRedis();
    const old = createStore(r, { prefix: p });
    const result = await importUnitsCsv(old, 'name,level,parent,code\nTỉnh A,tỉnh,,A\nHuyện C,huyện,A,A-C\nThôn D,thôn,A-C,A-C-D\n', cli);
    expect(errorsOf(result)).toEqual(['row 4: a hamlet cannot be under "A-C" (a district); in this campaign its parent must be commune']);
    await r.quit();
  });

  it('parseLevel reads names in the campaign\'s terms: "phường" is a ward here and a commune in the old tree', () => {
    expect(parseLevel('phường', hierarchy)).toBe('ward');
    expect(parseLevel('Phường', DEFAULT_HIERARCHY)).toBe('commune');
    expect(parseLevel('tổ dân phố', hierarchy)).toBe('hamlet');
    expect(parseLevel('Thôn, xóm, tổ dân phố', hierarchy)).toBe('hamlet'); // the campaign's own label
    expect(parseLevel('Ward', hierarchy)).toBe('ward');
    expect(parseLevel('huyện', hierarchy)).toBeNull();
    expect(parseLevel('district', hierarchy)).toBeNull();
    expect(parseLevel('doanh nghiệp', hierarchy)).toBeNull(); // not a level of this campaign
    expect(parseLevel('phòng', hierarchy)).toBe('commune_agency'); // a commune's Phòng, there being no district
    expect(parseLevel('phòng', DEFAULT_HIERARCHY)).toBe('district_agency');
  });
});

describe('CLI units:import (end to end)', { timeout: PROCESS_TEST_TIMEOUT }, () => {
  const { redis, url, ns } = testRedis();
  const store = createStore(redis, { prefix: ns });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thidua-cli-'));
  afterAll(async () => {
    await redis.quit();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const cliRun = async (args: string[], env: Record<string, string> = {}) => {
    const r = await run('src/cli/index.ts', args, { env: { ...process.env, REDIS_URL: url, STORE_PREFIX: ns, DATA_DIR: dir, ...env } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('imports a file and says how many', async () => {
    const res = await cliRun(['units:import', FIXTURE]);
    expect(res.stdout.trim()).toBe('Imported 11 units');
    expect(res.code).toBe(0);
    expect(await store.units.count()).toBe(11);
    expect((await store.audit.list({ count: 1 }))[0]).toMatchObject({ actor: 'cli', channel: 'cli', action: 'unit.import' });
  });

  it('prints per-row errors, exits 1, imports nothing', async () => {
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'name,level,parent,code\nXóm Nà Linh,xóm,TN-DH-BT,TN-DH-BT-X09\nXóm Lạ,village,TN-DH-BT,TN-DH-BT-X99\n');
    const res = await cliRun(['units:import', bad]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/row 3: level "village" is not a level of this campaign/);
    expect(res.stderr).toMatch(/Nothing imported/);
    expect(await store.units.count()).toBe(11);
    expect(await store.units.getByCode('TN-DH-BT-X09')).toBeNull();
  });

  it('follows CAMPAIGN: the two-level preset imports its demo tree and refuses a district', async () => {
    const { redis: r, ns: p } = testRedis();
    const env = { CAMPAIGN: 'thai-nguyen-2026', STORE_PREFIX: p };
    const bad = path.join(dir, 'district.csv');
    fs.writeFileSync(bad, 'name,level,parent,code\nTỉnh Thái Nguyên,tỉnh,,TN\nHuyện Định Hóa,huyện,TN,TN-DH\n');
    const refused = await cliRun(['units:import', bad], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/row 3: level "huyện" \(district\) is not a level of this campaign/);
    const res = await cliRun(['units:import', 'campaigns/demo/thai-nguyen-2026.csv'], env);
    expect(res.stdout.trim()).toBe('Imported 17 units');
    expect(res.code).toBe(0);
    await r.quit();
  });

  it('bad configuration: prints the message and exits 1', async () => {
    const res = await cliRun(['units:import', FIXTURE], { REDIS_URL: 'http://nope' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/Invalid configuration: REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/);
    const res2 = await cliRun(['units:import', FIXTURE], { STORE_PREFIX: 'bad prefix!' });
    expect(res2.code).toBe(1);
    expect(res2.stderr).toMatch(/Invalid configuration: STORE_PREFIX/);
  });
});
