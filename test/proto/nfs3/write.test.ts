import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { NfsStat3, StableHow } from '../../../src/proto/nfs3/constants.js';
import { WRITE } from '../../../src/proto/nfs3/write.js';
import { XdrError, XdrReader } from '../../../src/xdr/reader.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { bytes, fileHandle, nfsResult, stableHow, u32, u64, verifier8, wccData } from '../../helpers/nfs3-arbitraries.js';
import { FATTR, FATTR_HEX, FH, FH_HEX, WCC_ATTR, WCC_ATTR_HEX } from '../../helpers/nfs3-fixtures.js';

checkArgsFixture(
  WRITE,
  'FILE_SYNC',
  hex`
    ${FH_HEX}                 // file
    0000000100000000          // offset 2^32
    00000003                  // count 3
    00000002                  // stable FILE_SYNC
    00000003 61626300         // data "abc" + 1 byte pad
  `,
  { file: FH, offset: 0x1_0000_0000n, count: 3, stable: StableHow.FILE_SYNC, data: Buffer.from('abc') },
);

checkArgsFixture(
  WRITE,
  'count decoded as sent, even when it disagrees with the data',
  hex`
    ${FH_HEX}                 // file
    0000000000000000          // offset 0
    00000008                  // count 8
    00000000                  // stable UNSTABLE
    00000004 77787980         // data 4 bytes
  `,
  { file: FH, offset: 0n, count: 8, stable: StableHow.UNSTABLE, data: Buffer.from('77787980', 'hex') },
);

checkResultFixture(
  WRITE,
  'OK, DATA_SYNC',
  hex`
    00000000                  // status NFS3_OK
    00000001                  // file_wcc.before: present
    ${WCC_ATTR_HEX}
    00000000                  // file_wcc.after: absent
    00000003                  // count 3
    00000001                  // committed DATA_SYNC
    0011223344556677          // verf
  `,
  {
    status: NfsStat3.OK,
    fileWcc: { before: WCC_ATTR },
    count: 3,
    committed: StableHow.DATA_SYNC,
    verf: Buffer.from('0011223344556677', 'hex'),
  },
);

checkResultFixture(
  WRITE,
  'NOSPC',
  hex`
    0000001c                  // status NFS3ERR_NOSPC
    00000000                  // file_wcc.before: absent
    00000001                  // file_wcc.after: present
    ${FATTR_HEX}
  `,
  { status: NfsStat3.NOSPC, fileWcc: { after: FATTR } },
);

test('WRITE args: an unknown stable_how is an XdrError', () => {
  const bad = hex`
    ${FH_HEX}
    0000000000000000          // offset
    00000000                  // count
    00000003                  // stable: no such stable_how
    00000000                  // data length 0
  `;
  assert.throws(() => WRITE.readArgs(new XdrReader(bad)), XdrError);
});

test('WRITE args: data longer than the input is an XdrError, not an allocation', () => {
  const bad = hex`
    ${FH_HEX}
    0000000000000000          // offset
    00100000                  // count 1 MiB
    00000000                  // stable UNSTABLE
    00100000                  // data length 1 MiB, none of it present
  `;
  assert.throws(() => WRITE.readArgs(new XdrReader(bad)), XdrError);
});

checkCodecProperties(
  WRITE,
  fc.record({ file: fileHandle, offset: u64, count: u32, stable: stableHow, data: bytes(64) }),
  nfsResult(
    fc.record({ fileWcc: wccData, count: u32, committed: stableHow, verf: verifier8 }),
    fc.record({ fileWcc: wccData }),
  ),
);
