import { describe, expect, it } from 'vitest';
import { SessionCache } from './session-cache.ts';

function tracked(capacity: number) {
  const released: string[] = [];
  let created = 0;
  const cache = new SessionCache<string>({ capacity, release: (v) => void released.push(v) });
  const create = (name: string) => () => {
    created++;
    return Promise.resolve(name);
  };
  const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { cache, released, create, flush, createdCount: () => created };
}

describe('SessionCache', () => {
  it('reuses a cached resource and evicts the least recently used beyond capacity', async () => {
    const t = tracked(2);
    const id = async (v: string) => v;
    await t.cache.use('a', t.create('a'), id);
    await t.cache.use('b', t.create('b'), id);
    await t.cache.use('a', t.create('a2'), id); // hit: 'a' becomes most recent
    expect(t.createdCount()).toBe(2);
    await t.cache.use('c', t.create('c'), id); // evicts 'b'
    await t.flush();
    expect(t.released).toEqual(['b']);
    expect(t.cache.size).toBe(2);
  });

  it('releases an evicted resource only after its running task ends', async () => {
    const t = tracked(1);
    let finish: () => void = () => undefined;
    const running = t.cache.use('a', t.create('a'), () => new Promise<void>((r) => (finish = r)));
    await t.flush();
    await t.cache.use('b', t.create('b'), async () => undefined); // evicts 'a' while in use
    await t.flush();
    expect(t.released).toEqual([]);
    finish();
    await running;
    await t.flush();
    expect(t.released).toEqual(['a']);
  });

  it('does not cache a failed creation', async () => {
    const t = tracked(2);
    const failing = () => Promise.reject(new Error('boom'));
    await expect(t.cache.use('a', failing, async (v) => v)).rejects.toThrow('boom');
    await t.flush();
    expect(await t.cache.use('a', t.create('a'), async (v) => v)).toBe('a');
  });
});
