import assert from 'node:assert/strict';
import { test } from 'node:test';
import { borrow, giveBack } from '../../src/xdr/lent-buffers.js';

test('a large buffer given back is lent again, once', () => {
  const a = borrow(1024 * 1024);
  assert.equal(a.length, 1024 * 1024);
  giveBack(a.subarray(0, 100));
  giveBack(a);
  const b = borrow(1000 * 1000);
  assert.equal(b.length, 1000 * 1000);
  assert.equal(b.buffer, a.buffer, 'reused');
  const c = borrow(1024 * 1024);
  assert.notEqual(c.buffer, a.buffer, 'given back twice, lent once');
});

test('buffers it did not lend, and small ones, are never reused', () => {
  const foreign = Buffer.allocUnsafeSlow(1024 * 1024);
  giveBack(foreign);
  assert.notEqual(borrow(1024 * 1024).buffer, foreign.buffer);
  const small = borrow(100);
  assert.equal(small.length, 100);
  assert.ok(small.buffer.byteLength < 64 * 1024, "from Node's own pool, not lent");
});

test('a buffer still lent is not handed out again', () => {
  const a = borrow(200 * 1024);
  const b = borrow(200 * 1024);
  assert.notEqual(a.buffer, b.buffer);
  giveBack(b);
  assert.equal(borrow(200 * 1024 - 100).buffer, b.buffer, 'same size class');
});
