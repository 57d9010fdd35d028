/**
 * A Backend test double: a test supplies only the methods its procedure
 * should reach; calling any other one throws, so a handler that touches the
 * backend more than it should fails the test. Calls are recorded in order.
 */
import type { Backend } from '../../src/backend/backend.js';

export interface FakeBackend {
  backend: Backend;
  /** Method name and arguments of every call, in order. */
  calls: { method: keyof Backend; args: unknown[] }[];
}

export function fakeBackend(methods: Partial<Backend>): FakeBackend {
  const calls: FakeBackend['calls'] = [];
  const backend = new Proxy(methods, {
    get(target, prop) {
      // Not a thenable: a Backend returned from an async function must stay a Backend.
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      const method = prop as keyof Backend;
      const impl = target[method] as ((...args: unknown[]) => unknown) | undefined;
      return (...args: unknown[]) => {
        calls.push({ method, args });
        if (!impl) throw new Error(`fake backend: unexpected call to ${method}`);
        return impl.apply(target, args);
      };
    },
  }) as Backend;
  return { backend, calls };
}
