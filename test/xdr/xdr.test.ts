import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { XdrError, XdrReader } from '../../src/xdr/reader.js';
import { XdrWriter } from '../../src/xdr/writer.js';
import { checkFixture, hex, NUM_RUNS } from '../helpers/codec-properties.js';

describe('XDR primitives (RFC 4506 section 4)', () => {
  checkFixture('unsigned int', (r) => r.u32(), (w, v: number) => w.u32(v), hex`fffffffe`, 0xfffffffe);
  checkFixture('int', (r) => r.i32(), (w, v: number) => w.i32(v), hex`ffffffff`, -1);
  checkFixture('bool', (r) => r.bool(), (w, v: boolean) => w.bool(v), hex`00000001`, true);
  checkFixture(
    'unsigned hyper',
    (r) => r.u64(),
    (w, v: bigint) => w.u64(v),
    hex`80000000 00000001`,
    0x8000000000000001n,
  );
  checkFixture('hyper', (r) => r.i64(), (w, v: bigint) => w.i64(v), hex`ffffffff fffffffe`, -2n);
  checkFixture(
    'variable opaque with padding',
    (r) => r.opaque(8),
    (w, v: Buffer) => w.opaque(v),
    hex`
      00000005      # length
      6162636465    # "abcde"
      000000        # padding to a multiple of 4
    `,
    Buffer.from('abcde'),
  );
  checkFixture(
    'string',
    (r) => r.string(16),
    (w, v: string) => w.string(v),
    hex`00000003 e282ac00`,
    '\u20ac',
  );
  checkFixture(
    'optional present and array',
    (r) => r.optional((x) => x.array(4, (y) => y.u32())),
    (w, v: number[] | undefined) => w.optional(v, (x, a) => x.array(a, (y, n) => y.u32(n))),
    hex`
      00000001      # present
      00000002      # count
      0000000a 0000000b
    `,
    [10, 11],
  );

  test('u64n reads values up to 2^53 exactly', () => {
    const w = new XdrWriter();
    w.u64n(2 ** 53 - 1);
    assert.equal(new XdrReader(w.toBuffer()).u64n(), 2 ** 53 - 1);
  });
});

describe('XDR bounds on hostile input', () => {
  test('an opaque longer than its bound is refused before any slicing', () => {
    assert.throws(() => new XdrReader(hex`00000009 00000000 00000000 00000000`).opaque(8), XdrError);
  });
  test('an opaque longer than the bytes left is refused', () => {
    assert.throws(() => new XdrReader(hex`7fffffff 00000000`).opaque(0xffffffff), XdrError);
  });
  test('an array count beyond its bound is refused', () => {
    assert.throws(() => new XdrReader(hex`00000011`).array(16, (r) => r.u32()), XdrError);
  });
  test('an array count the input cannot hold is refused without allocating', () => {
    assert.throws(() => new XdrReader(hex`0fffffff 00000000`).array(0x7fffffff, (r) => r.u32()), XdrError);
  });
  test('a boolean other than 0 or 1 is refused', () => {
    assert.throws(() => new XdrReader(hex`00000002`).bool(), XdrError);
  });
  test('an enum outside its set is refused', () => {
    assert.throws(() => new XdrReader(hex`00000009`).enumOf(new Set([1, 2]), 'thing'), XdrError);
  });
  test('a reader never reads past its end bound', () => {
    const buf = hex`00000001 00000002`;
    const r = new XdrReader(buf, 0, 4);
    assert.equal(r.u32(), 1);
    assert.throws(() => r.u32(), XdrError);
  });
});

describe('XdrWriter segments', () => {
  test('large opaque payloads are referenced, not copied', () => {
    const payload = Buffer.alloc(1 << 20, 7);
    const w = new XdrWriter();
    w.u32(1).opaque(payload).u32(2);
    const segs = w.segments();
    assert.ok(segs.some((s) => s.buffer === payload.buffer), 'payload segment shares memory with the input');
  });

  test('segments concatenate to the same bytes as a copy would', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 5000 }), { maxLength: 6 }), (chunks) => {
        const w = new XdrWriter(16);
        for (const c of chunks) w.u32(c.length).opaque(c);
        const got = w.toBuffer();
        const r = new XdrReader(got);
        for (const c of chunks) {
          assert.equal(r.u32(), c.length);
          assert.deepEqual(new Uint8Array(r.opaque(c.length)), c);
        }
        assert.equal(r.remaining, 0);
        assert.equal(got.length, w.length);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('XdrWriter chunk growth', () => {
  test('fields written across a chunk boundary land in order (regression: a write used the chunk it had before growing)', () => {
    const w = new XdrWriter(8);
    w.u32(1).u32(2).u32(3).u64(4n).i64(-5n).i32(-6);
    assert.equal(w.toBuffer().toString('hex'), '000000010000000200000003' + '0000000000000004' + 'fffffffffffffffb' + 'fffffffa');
  });
});

describe('XdrWriter chunk sizing', () => {
  test('many small fields make few segments (regression: every field after the first chunk got its own buffer)', () => {
    const w = new XdrWriter();
    for (let i = 0; i < 2000; i++) w.u32(i).u64(BigInt(i));
    const segs = w.segments();
    assert.ok(segs.length <= 8, `${segs.length} segments for 24,000 bytes`);
    const r = new XdrReader(Buffer.concat(segs));
    for (let i = 0; i < 2000; i++) {
      assert.equal(r.u32(), i);
      assert.equal(r.u64(), BigInt(i));
    }
  });
});
