import { it, expect } from 'vitest';
import { startCluster } from '../helpers/redis-cluster.js';
import { createRedis } from '../../src/redis/connection.js';
import { createStore } from '../../src/store/index.js';
it('smoke', async () => {
  const t0 = Date.now();
  const c = await startCluster();
  console.log('cluster up in', Date.now() - t0, c.url);
  const r = createRedis(c.url);
  await r.set('{x}a', '1');
  expect(await r.get('{x}a')).toBe('1');
  const store = createStore(r, { prefix: '{x}' });
  const u = await store.units.create({ code: 'A', name: 'Xã A', level: 'commune' }, { id: 'cli', role: 'admin', channel: 'cli' });
  console.log(u, await c.slotOwners('{x}'));
  const bad = createStore(r, { prefix: 'x' });
  await expect(bad.units.create({ code: 'A', name: 'Xã A', level: 'commune' }, { id: 'cli', role: 'admin', channel: 'cli' })).rejects.toThrow(/CROSSSLOT|same slot/);
  r.disconnect();
  await c.stop();
}, 60000);
