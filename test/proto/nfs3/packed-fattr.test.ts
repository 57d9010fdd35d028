/** PackedFattr: a fattr3 held as its XDR bytes reads and writes as the plain fattr3 it encodes. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { FATTR3_BYTES, PackedFattr, readFattr, writeFattr } from '../../../src/proto/nfs3/common.js';
import { XdrReader } from '../../../src/xdr/reader.js';
import { XdrWriter } from '../../../src/xdr/writer.js';
import { fattr3 } from '../../helpers/nfs3-arbitraries.js';
import { hex } from '../../helpers/codec-properties.js';
import { FATTR, FATTR_HEX } from '../../helpers/nfs3-fixtures.js';

function encode(a: Parameters<typeof writeFattr>[1]): Buffer {
  const w = new XdrWriter();
  writeFattr(w, a);
  return w.toBuffer();
}

it('the fixture: fields decode from the bytes, and the bytes are written as they are', () => {
  const p = new PackedFattr(hex`${FATTR_HEX}`);
  assert.deepEqual(p.toJSON(), FATTR);
  for (const k of Object.keys(FATTR) as (keyof typeof FATTR)[]) assert.deepEqual(p[k], FATTR[k], k);
  assert.deepEqual(encode(p), encode(FATTR));
});

it('any fattr3: packed from its encoding, it reads back the same and encodes to the same bytes', () => {
  fc.assert(
    fc.property(fattr3, (a) => {
      const bytes = encode(a);
      const p = new PackedFattr(bytes);
      assert.deepEqual(p.toJSON(), readFattr(new XdrReader(bytes)));
      assert.deepEqual(encode(p), bytes);
    }),
  );
});

it('two are deepStrictEqual exactly when their bytes are', () => {
  const a = new PackedFattr(hex`${FATTR_HEX}`);
  const b = Buffer.from(a.xdr);
  assert.deepEqual(new PackedFattr(b), a);
  b[FATTR3_BYTES - 1]! ^= 1;
  assert.notDeepEqual(new PackedFattr(b), a);
});

it('refuses anything but 84 bytes', () => {
  assert.throws(() => new PackedFattr(Buffer.alloc(83)), RangeError);
  assert.throws(() => new PackedFattr(Buffer.alloc(88)), RangeError);
});
