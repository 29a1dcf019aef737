/**
 * A bounded least-recently-used cache of expensive, asynchronously created
 * resources (onnxruntime sessions). An evicted resource is released only once
 * no caller is still using it, so eviction never pulls a session out from under
 * a running `run()`.
 */

interface Entry<T> {
  value: Promise<T>;
  users: number;
  evicted: boolean;
}

/** How the cache creates and frees its resources. */
export interface SessionCacheOptions<T> {
  /** Most resources kept alive at once (in-use evicted ones excepted). */
  capacity: number;
  /** Frees a resource; errors are ignored (it is being thrown away). */
  release: (value: T) => Promise<void> | void;
}

/**
 * LRU cache with use counting.
 *
 * @example
 * ```ts
 * const cache = new SessionCache<Session>({ capacity: 8, release: (s) => s.release() });
 * const result = await cache.use('key', () => createSession(), (s) => s.run(feeds));
 * ```
 */
export class SessionCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly options: SessionCacheOptions<T>) {
    if (!Number.isSafeInteger(options.capacity) || options.capacity < 1) {
      throw new RangeError(
        `SessionCache capacity: expected a positive integer, got ${options.capacity}`,
      );
    }
  }

  /** Number of cached (not evicted) resources. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Runs `task` with the resource for `key`, creating it with `create` on a
   * miss. A failed creation is not cached, so the next call retries.
   */
  async use<R>(key: string, create: () => Promise<T>, task: (value: T) => Promise<R>): Promise<R> {
    const entry = this.acquire(key, create);
    try {
      return await task(await entry.value);
    } finally {
      entry.users--;
      if (entry.evicted && entry.users === 0) this.free(entry);
    }
  }

  /** Evicts and releases everything not in use (the rest is released after use). */
  clear(): void {
    for (const [key, entry] of this.entries) this.evict(key, entry);
  }

  private acquire(key: string, create: () => Promise<T>): Entry<T> {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = { value: create(), users: 0, evicted: false };
      const created = entry;
      // A failed creation must not poison the key: drop it so the next call retries.
      created.value.catch(() => {
        if (this.entries.get(key) === created) this.entries.delete(key);
      });
    } else {
      // Re-inserting moves the key to the most recently used end of the Map.
      this.entries.delete(key);
    }
    this.entries.set(key, entry);
    entry.users++;
    this.trim();
    return entry;
  }

  private trim(): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.options.capacity) break;
      this.evict(key, entry);
    }
  }

  private evict(key: string, entry: Entry<T>): void {
    this.entries.delete(key);
    entry.evicted = true;
    if (entry.users === 0) this.free(entry);
  }

  private free(entry: Entry<T>): void {
    entry.value.then(
      (value) => Promise.resolve(this.options.release(value)).catch(() => undefined),
      () => undefined,
    );
  }
}
