import { createRequire } from 'node:module';

/**
 * A value that is costly to hold (a word list, a dictionary), for requests that are rare: built on first use, kept
 * while it is being used, and let go after `idleMs` without use, so that a node running for months does not carry
 * it for the sake of one sign-up a day. The timer does not keep the process alive.
 */
export interface IdleCache<T> {
  /** The value, built now if it was never built or was let go. Every call restarts the idle time. */
  get(): T;
  /** Whether the value is held right now. */
  readonly held: boolean;
}

export function idleCache<T>(build: () => T, idleMs: number): IdleCache<T> {
  let value: { v: T } | undefined;
  let timer: NodeJS.Timeout | undefined;
  return {
    get() {
      value ??= { v: build() };
      clearTimeout(timer);
      timer = setTimeout(() => (value = undefined), idleMs);
      timer.unref();
      return value.v;
    },
    get held() {
      return value !== undefined;
    },
  };
}

const localRequire = createRequire(import.meta.url);

/**
 * Loads a CommonJS module (or JSON file) and takes it, and every file it loaded, out of Node's module cache again:
 * an `import` stays in memory for the life of the process, this is freed once the caller lets the value go.
 */
export function requireUncached<T>(id: string): T {
  const cache = localRequire.cache;
  const before = new Set(Object.keys(cache));
  try {
    return localRequire(id) as T;
  } finally {
    for (const key of Object.keys(cache)) {
      if (before.has(key)) continue;
      // A loaded module is also listed among its parent's children (here, the module createRequire made).
      const loaded = cache[key];
      const siblings = (loaded as { parent?: { children?: unknown[] } } | undefined)?.parent?.children;
      if (loaded && siblings) siblings.splice(0, siblings.length, ...siblings.filter((m) => m !== loaded));
      delete cache[key];
    }
  }
}
