import assert from 'node:assert/strict';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { test } from 'node:test';
import { noteReceived } from '../../src/net/received-garbage.js';

function minorCollections(during: () => void): Promise<number> {
  return new Promise((resolve) => {
    const seen: PerformanceEntry[] = [];
    const obs = new PerformanceObserver((list) => seen.push(...list.getEntries()));
    obs.observe({ entryTypes: ['gc'] });
    during();
    setTimeout(() => {
      obs.disconnect();
      resolve(seen.filter((e) => (e as unknown as { detail: { kind: number } }).detail.kind === constants.NODE_PERFORMANCE_GC_MINOR).length);
    }, 200);
  });
}

test('a young-generation collection follows every 8 MiB received', async () => {
  const n = await minorCollections(() => {
    for (let i = 0; i < 3 * 8 * 64; i++) noteReceived(16 * 1024);
  });
  assert.ok(n >= 3, `${n} minor collections`);
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'gc is not exposed to other code');
});
