import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteArena } from '../../src/xdr/byte-arena.js';

test('copies hold the bytes given, independent of the source and of each other', () => {
  const arena = new ByteArena(256);
  const src = Buffer.from('handle-1');
  const a = arena.copy(src);
  const b = arena.concat([Buffer.from('rep'), Buffer.from(''), Buffer.from('ly')]);
  src.fill(0);
  assert.deepEqual(a, Buffer.from('handle-1'));
  assert.deepEqual(b, Buffer.from('reply'));
  assert.deepEqual(arena.copy(new Uint8Array(0)), Buffer.alloc(0));
});

test('small copies share slabs of the arena only, not the process-wide buffer pool', () => {
  const arena = new ByteArena(256);
  const pooled = Buffer.from('x');
  const copies = Array.from({ length: 40 }, (_, i) => arena.copy(Buffer.from(`entry ${i}`)));
  assert.notEqual(copies[0]!.buffer, pooled.buffer);
  assert.equal(copies[0]!.buffer, copies[1]!.buffer, 'consecutive copies share a slab');
  assert.equal(copies[0]!.buffer.byteLength, 256);
  assert.notEqual(copies[0]!.buffer, copies[39]!.buffer, 'a full slab is replaced, not grown');
  copies.forEach((c, i) => assert.equal(c.toString(), `entry ${i}`));
});

test('a copy larger than an eighth of a slab gets an allocation of its own', () => {
  const arena = new ByteArena(256);
  for (const n of [33, 300]) {
    const big = Buffer.alloc(n, 7);
    const c = arena.copy(big);
    assert.deepEqual(c, big);
    assert.equal(c.buffer.byteLength, n);
  }
  assert.equal(arena.copy(Buffer.alloc(32, 1)).buffer.byteLength, 256);
});
