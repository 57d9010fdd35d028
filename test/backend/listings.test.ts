/**
 * The local backend's listing cache: when a directory listing is used again
 * and when it is read afresh (src/backend/local/listings.ts).
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { ListingCache } from '../../src/backend/local/listings.js';
import { Listing, RawStat } from '../../src/backend/local/native.js';

/** Directory attributes with this inode number and mtime seconds (all else zero). */
function dirStat(ino: number, mtime = 0): RawStat {
  const raw = Buffer.alloc(112);
  raw.writeBigUInt64LE(BigInt(ino), 40);
  raw.writeBigInt64LE(BigInt(mtime), 64);
  return new RawStat(raw);
}

function listing(wd: number): Listing {
  return new Listing(dirStat(1), 2n, new BigUint64Array(1), new BigUint64Array(1), new Uint32Array(1), Buffer.from([1, 0x61]), wd);
}

describe('listing cache', () => {
  const dir = Buffer.from('dir handle');

  function cache(dropped: Listing[] = [], maxEntries = 100, watchesSeeAll = true): ListingCache {
    return new ListingCache({ maxEntries, maxAgeMs: 20, onDrop: (l) => dropped.push(l), watchesSeeAll });
  }

  it('an unwatched listing is read again once older than maxAgeMs, even with the directory unchanged', async () => {
    const c = cache();
    const first = await c.get(dir, dirStat(1), async () => listing(-1));
    assert.equal(await c.get(dir, dirStat(1), async () => listing(-1)), first);
    await sleep(40);
    assert.notEqual(await c.get(dir, dirStat(1), async () => listing(-1)), first);
  });

  it('a watched listing stays past maxAgeMs while no name was added, removed or renamed', async () => {
    const c = cache();
    const first = await c.get(dir, dirStat(1), async () => listing(5));
    await sleep(40);
    assert.equal(await c.get(dir, dirStat(1), async () => listing(5)), first);
    first.membersChanged = true;
    assert.notEqual(await c.get(dir, dirStat(1), async () => listing(5)), first);
  });

  it('on a filesystem others can change (network, FUSE) a watched listing still ages out', async () => {
    const c = cache([], 100, false);
    const first = await c.get(dir, dirStat(1), async () => listing(5));
    assert.equal(await c.get(dir, dirStat(1), async () => listing(5)), first);
    await sleep(40);
    assert.notEqual(await c.get(dir, dirStat(1), async () => listing(5)), first);
  });

  it('a changed directory is read again, watched or not', async () => {
    const c = cache();
    const first = await c.get(dir, dirStat(1, 100), async () => listing(5));
    assert.notEqual(await c.get(dir, dirStat(1, 101), async () => listing(5)), first);
  });

  it('says which listings it drops, and which were too large to keep', async () => {
    const dropped: Listing[] = [];
    const c = cache(dropped, 1);
    const a = await c.get(dir, dirStat(1), async () => listing(5));
    const b = await c.get(Buffer.from('other'), dirStat(2), async () => listing(6));
    assert.deepEqual(dropped, [a], 'the oldest made room');
    const big = new Listing(dirStat(3), 2n, new BigUint64Array(2), new BigUint64Array(2), new Uint32Array(2), Buffer.from([1, 0x61, 1, 0x62]), 7);
    await c.get(Buffer.from('big'), dirStat(3), async () => big);
    assert.deepEqual(dropped, [a, big], 'too large to keep');
    c.clear();
    assert.deepEqual(dropped, [a, big, b]);
  });
});
