import fc from 'fast-check';
import { NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { COMMIT } from '../../../src/proto/nfs3/commit.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { fileHandle, nfsResult, u32, u64, verifier8, wccData } from '../../helpers/nfs3-arbitraries.js';
import { FH, FH_HEX } from '../../helpers/nfs3-fixtures.js';
import { EMPTY_WCC_HEX, WCC, WCC_HEX } from '../../helpers/nfs3-wcc-fixtures.js';

checkArgsFixture(
  COMMIT,
  'COMMIT3args',
  hex(`
    ${FH_HEX}                 // file
    0000000100000000          // offset 2^32
    00000000                  // count 0 (to end of file)
  `),
  { file: FH, offset: 1n << 32n, count: 0 },
);

checkResultFixture(
  COMMIT,
  'COMMIT3resok',
  hex(`
    00000000                  // status NFS3_OK
    ${WCC_HEX}                // file_wcc
    deadbeef00c0ffee          // verf
  `),
  { status: NfsStat3.OK, fileWcc: WCC, verf: Buffer.from('deadbeef00c0ffee', 'hex') },
);

checkResultFixture(
  COMMIT,
  'COMMIT3resfail',
  hex(`
    00000005                  // status NFS3ERR_IO
    ${EMPTY_WCC_HEX}          // file_wcc
  `),
  { status: NfsStat3.IO, fileWcc: {} },
);

checkCodecProperties(
  COMMIT,
  fc.record({ file: fileHandle, offset: u64, count: u32 }),
  nfsResult(fc.record({ fileWcc: wccData, verf: verifier8 }), fc.record({ fileWcc: wccData })),
);
