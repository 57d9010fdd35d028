import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { RecordDecoder, recordHeader, RecordTooLarge } from '../../src/rpc/record.js';
import { borrow, giveBack } from '../../src/xdr/lent-buffers.js';
import { hex, NUM_RUNS } from '../helpers/codec-properties.js';

function collect(max = 1 << 20): { dec: RecordDecoder; records: Buffer[] } {
  const records: Buffer[] = [];
  return { dec: new RecordDecoder(max, (r) => records.push(Buffer.from(r))), records };
}

/** Frames each record as fragments of the given sizes. */
function frame(record: Buffer, fragmentSizes: number[]): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (let i = 0; i < fragmentSizes.length; i++) {
    const last = i === fragmentSizes.length - 1;
    const len = last ? record.length - at : Math.min(fragmentSizes[i]!, record.length - at);
    const h = Buffer.alloc(4);
    h.writeUInt32BE(((last ? 0x80000000 : 0) | len) >>> 0);
    parts.push(h, record.subarray(at, at + len));
    at += len;
  }
  return Buffer.concat(parts);
}

describe('RPC record marking (RFC 5531 section 11)', () => {
  test('a single-fragment record', () => {
    const { dec, records } = collect();
    dec.push(hex`
      80000008            # last fragment, 8 bytes
      00000001 00000002   # payload
    `);
    assert.deepEqual(records, [hex`00000001 00000002`]);
  });

  test('a record in three fragments', () => {
    const { dec, records } = collect();
    dec.push(hex`
      00000002 aabb       # fragment 1 of 2 bytes, more follow
      00000001 cc         # fragment 2 of 1 byte
      80000003 ddeeff     # last fragment
    `);
    assert.deepEqual(records, [hex`aabbccddeeff`]);
  });

  test('an empty last fragment ends a record', () => {
    const { dec, records } = collect();
    dec.push(hex`00000002 aabb 80000000`);
    assert.deepEqual(records, [hex`aabb`]);
  });

  test('header writes a single last fragment', () => {
    assert.deepEqual(recordHeader(5), hex`80000005`);
  });

  test('records arrive whole whatever the chunking and fragmenting', () => {
    const recordArb = fc.uint8Array({ minLength: 0, maxLength: 300 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(recordArb, fc.array(fc.integer({ min: 0, max: 80 }), { maxLength: 4 })), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }),
        (recs, cuts) => {
          const stream = Buffer.concat(recs.map(([r, sizes]) => frame(r, [...sizes, 0])));
          const { dec, records } = collect();
          let at = 0;
          let i = 0;
          while (at < stream.length) {
            const n = cuts[i++ % cuts.length]!;
            dec.push(stream.subarray(at, at + n));
            at += n;
          }
          assert.deepEqual(records, recs.map(([r]) => r));
          assert.equal(dec.buffered, 0);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  test('large records arrive whole whatever the chunking, each joined in a buffer of its own', () => {
    const big = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff));
    const recs = [big(70_000, 1), hex`0a0b0c`, big(200_000, 2), big(65_536, 3), hex`0d`];
    const stream = Buffer.concat([frame(recs[0]!, [0]), frame(recs[1]!, [0]), frame(recs[2]!, [50_000, 0]), frame(recs[3]!, [0]), frame(recs[4]!, [0])]);
    for (const cut of [1, 1000, 8191, 65_536, 100_001]) {
      const seen: Buffer[] = [];
      const dec = new RecordDecoder(1 << 20, (r) => seen.push(r));
      for (let at = 0; at < stream.length; at += cut) dec.push(stream.subarray(at, at + cut));
      assert.deepEqual(seen, recs, `chunks of ${cut}`);
      assert.equal(dec.buffered, 0);
      if (cut < 65_536) {
        // Joined from several chunks: the buffers of records 0 and 3 may be reused once they are done with.
        for (const i of [0, 3]) new Uint8Array(seen[i]!.buffer).fill(0);
        assert.deepEqual([seen[1], seen[2], seen[4]], [recs[1], recs[2], recs[4]], 'nothing else lives in those buffers');
        giveBack(seen[0]!);
        assert.equal(borrow(70_004).buffer, seen[0]!.buffer, 'a lent buffer');
      }
    }
  });

  test('a stream split at every byte boundary yields the same records', () => {
    const stream = Buffer.concat([frame(hex`0102030405`, [2, 0]), frame(hex`06070809`, [0])]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const { dec, records } = collect();
      dec.push(stream.subarray(0, cut));
      dec.push(stream.subarray(cut));
      assert.deepEqual(records, [hex`0102030405`, hex`06070809`], `cut at ${cut}`);
    }
  });

  test('a fragment announcing more than the limit is refused before it is buffered', () => {
    const { dec } = collect(1024);
    assert.throws(() => dec.push(hex`80000401`), RecordTooLarge);
  });

  test('fragments that together exceed the limit are refused', () => {
    const { dec } = collect(8);
    dec.push(hex`00000006 000000000000`);
    assert.throws(() => dec.push(hex`80000003`), RecordTooLarge);
  });
});
