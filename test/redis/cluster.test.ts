import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { clusterPrefixProblem, hashTag, isClusterUrl, parseClusterUrl } from '../../src/redis/cluster.js';

describe('REDIS_URL naming a Redis Cluster', () => {
  it('seeds, credentials, TLS and the replica wait are read from the URL', () => {
    expect(parseClusterUrl('redis-cluster://10.0.0.1:7000,10.0.0.2:7001')).toEqual({
      nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }],
      tls: false,
      waitReplicas: 1,
      waitMs: 1000,
    });
    expect(parseClusterUrl('rediss-cluster://app:p%40ss@redis.example:6380,[::1]:6381/?wait=0&wait_ms=250')).toEqual({
      nodes: [{ host: 'redis.example', port: 6380 }, { host: '::1', port: 6381 }],
      username: 'app',
      password: 'p@ss',
      tls: true,
      waitReplicas: 0,
      waitMs: 250,
    });
    expect(isClusterUrl('redis://127.0.0.1:6379')).toBe(false);
  });

  it('a malformed cluster URL stops the process with one line naming REDIS_URL, never the password', () => {
    for (const [url, why] of [
      ['redis-cluster://', 'no host:port'],
      ['redis-cluster://h1,h2:7000', '"h1" is not host:port'],
      ['redis-cluster://h1:99999', '"h1:99999" is not host:port'],
      ['redis-cluster://:secret@h1:7000?wait=x', 'wait must be a whole number'],
      ['redis-cluster://h1:7000?timeout=5', 'unknown option "timeout"'],
    ] as const) {
      let message = '';
      try {
        parseConfig({ REDIS_URL: url });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, url).toMatch(/^Invalid configuration: REDIS_URL must be a valid redis-cluster:\/\/ URL: /);
      expect(message, url).toContain(why);
      expect(message).not.toContain('secret');
    }
  });

  it('a prefix shares one slot only with a non-empty hash tag; the single-Redis default is unchanged', () => {
    expect(hashTag('{td}')).toBe('td');
    expect(hashTag('app{td}-sandbox')).toBe('td');
    expect(hashTag('{}td')).toBeNull();
    expect(hashTag('td')).toBeNull();
    expect(clusterPrefixProblem('{td}-sandbox')).toBeNull();
    expect(clusterPrefixProblem('td')).toContain('e.g. {td}');
    expect(parseConfig({}).STORE_PREFIX).toBe('td');
    expect(parseConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).STORE_PREFIX).toBe('td');
    expect(parseConfig({ REDIS_URL: 'redis://127.0.0.1:6379', STORE_PREFIX: 'plain' }).STORE_PREFIX).toBe('plain');
  });
});
