/**
 * HandleCodec with its caches: a remembered result is only ever returned for
 * the exact bytes that were verified or issued, never for a near miss, and
 * never aliases the caller's buffer.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { statusOf } from '../../src/backend/errors.js';
import { NfsStat3 } from '../../src/proto/nfs3/constants.js';
import { HandleCodec } from '../../src/server/handles.js';

const SECRET = Buffer.alloc(32, 7);

function badHandle(codec: HandleCodec, fh: Buffer): void {
  assert.throws(() => codec.decode(fh), (err: unknown) => statusOf(err) === NfsStat3.BADHANDLE);
}

describe('HandleCodec', () => {
  it('issues the same bytes for the same handle as a fresh codec with the same secret (restarts)', () => {
    const a = new HandleCodec(SECRET);
    const backend = randomBytes(13);
    const first = a.encode(3, backend);
    assert.ok(a.encode(3, Buffer.from(backend)).equals(first));
    assert.ok(new HandleCodec(SECRET).encode(3, backend).equals(first));
    assert.ok(!a.encode(4, backend).equals(first), 'another export, another handle');
    // Remembered by the Buffer object too: still per export.
    assert.ok(a.encode(3, backend, true).equals(first));
    assert.ok(!a.encode(4, backend, true).equals(first), 'the same Buffer for another export');
    assert.ok(a.encode(3, backend, true).equals(first), 'the same Buffer for the first export again');
    assert.ok(a.encode(4, backend, true).equals(new HandleCodec(SECRET).encode(4, backend)), 'and for the other');
    assert.ok(!new HandleCodec(Buffer.alloc(32, 8)).encode(3, backend).equals(first), 'another secret, another MAC');
  });

  it('rejects every single-byte change of a handle it has already verified', () => {
    const codec = new HandleCodec(SECRET);
    const fh = codec.encode(1, randomBytes(20));
    assert.equal(codec.decode(fh).exportId, 1);
    assert.equal(codec.decode(fh).exportId, 1, 'again, from the cache');
    for (let i = 0; i < fh.length; i++) {
      const bad = Buffer.from(fh);
      bad[i] ^= 0x01;
      badHandle(codec, bad);
    }
    badHandle(codec, fh.subarray(0, fh.length - 4));
    badHandle(codec, Buffer.concat([fh, Buffer.alloc(4)]));
  });

  it('a decoded backend handle is its own copy: reusing the request buffer changes nothing', () => {
    const codec = new HandleCodec(SECRET);
    const backend = randomBytes(16);
    const wire = Buffer.from(codec.encode(9, backend));
    const decoded = codec.decode(wire);
    wire.fill(0);
    assert.ok(decoded.backendHandle.equals(backend));
    assert.ok(codec.decode(codec.encode(9, backend)).backendHandle.equals(backend));
  });

  it('stays exact past its bound: many more handles than it remembers all round-trip', () => {
    const codec = new HandleCodec(SECRET);
    const handles = Array.from({ length: 40_000 }, (_, i) => {
      const b = Buffer.alloc(8);
      b.writeUInt32BE(i, 0);
      return b;
    });
    const issued = handles.map((b) => codec.encode(2, b));
    for (let round = 0; round < 2; round++) {
      handles.forEach((b, i) => {
        const d = codec.decode(issued[i]!);
        assert.equal(d.exportId, 2);
        assert.ok(d.backendHandle.equals(b));
      });
    }
    const fresh = new HandleCodec(SECRET);
    handles.forEach((b, i) => {
      assert.ok(codec.encode(2, b).equals(issued[i]!));
      assert.ok(fresh.encode(2, b).equals(issued[i]!));
    });
  });
});
