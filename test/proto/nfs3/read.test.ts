import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { READ, type ReadResult } from '../../../src/proto/nfs3/read.js';
import { XdrWriter } from '../../../src/xdr/writer.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { bytes, fileHandle, nfsResult, postOpAttr, u32, u64 } from '../../helpers/nfs3-arbitraries.js';
import { FATTR, FATTR_HEX, FH, FH_HEX } from '../../helpers/nfs3-fixtures.js';

checkArgsFixture(
  READ,
  'offset above 2^32',
  hex`
    ${FH_HEX}                 // file
    0000000100001000          // offset 2^32 + 4096
    00000400                  // count 1024
  `,
  { file: FH, offset: 0x1_0000_1000n, count: 1024 },
);

checkResultFixture(
  READ,
  'OK at EOF',
  hex`
    00000000                  // status NFS3_OK
    00000001                  // file_attributes: present
    ${FATTR_HEX}
    00000005                  // count 5
    00000001                  // eof TRUE
    00000005 68656c6c6f000000 // data "hello" + 3 bytes pad
  `,
  { status: NfsStat3.OK, fileAttributes: FATTR, count: 5, eof: true, data: Buffer.from('hello') },
);

checkResultFixture(
  READ,
  'ISDIR',
  hex`
    00000015                  // status NFS3ERR_ISDIR
    00000000                  // file_attributes: absent
  `,
  { status: NfsStat3.ISDIR },
);

test('READ result: large data is framed by reference, not copied', () => {
  const data = Buffer.alloc(64 << 10, 7);
  const res: ReadResult = { status: NfsStat3.OK, count: data.length, eof: false, data };
  const w = new XdrWriter();
  READ.writeResult(w, res);
  assert.ok(w.segments().some((seg) => seg.buffer === data.buffer && seg.byteOffset === data.byteOffset));
});

checkCodecProperties(
  READ,
  fc.record({ file: fileHandle, offset: u64, count: u32 }),
  nfsResult(
    fc.record({ fileAttributes: postOpAttr, count: u32, eof: fc.boolean(), data: bytes(64) }),
    fc.record({ fileAttributes: postOpAttr }),
  ),
);
