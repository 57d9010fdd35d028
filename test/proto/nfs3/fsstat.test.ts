import fc from 'fast-check';
import { NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { FSSTAT } from '../../../src/proto/nfs3/fsstat.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { fileHandle, nfsResult, postOpAttr, u32, u64 } from '../../helpers/nfs3-arbitraries.js';
import { FATTR, FH, FH_HEX } from '../../helpers/nfs3-fixtures.js';
import { POST_OP_ATTR_HEX } from '../../helpers/nfs3-wcc-fixtures.js';

checkArgsFixture(FSSTAT, 'FSSTAT3args', hex(`${FH_HEX} // fsroot`), { fsroot: FH });

checkResultFixture(
  FSSTAT,
  'FSSTAT3resok',
  hex(`
    00000000                  // status NFS3_OK
    ${POST_OP_ATTR_HEX}       // obj_attributes
    0000010000000000          // tbytes 1 TiB
    0000008000000000          // fbytes 512 GiB
    0000007f00000000          // abytes 508 GiB
    0000000000989680          // tfiles 10,000,000
    00000000004c4b40          // ffiles 5,000,000
    00000000004c4b3f          // afiles 4,999,999
    00000000                  // invarsec 0
  `),
  {
    status: NfsStat3.OK,
    objAttributes: FATTR,
    tbytes: 1n << 40n,
    fbytes: 1n << 39n,
    abytes: 0x7f00000000n,
    tfiles: 10_000_000n,
    ffiles: 5_000_000n,
    afiles: 4_999_999n,
    invarsec: 0,
  },
);

checkResultFixture(
  FSSTAT,
  'FSSTAT3resfail',
  hex(`
    00000046                  // status NFS3ERR_STALE (70)
    00000000                  // obj_attributes: FALSE
  `),
  { status: NfsStat3.STALE },
);

checkCodecProperties(
  FSSTAT,
  fc.record({ fsroot: fileHandle }),
  nfsResult(
    fc.record({
      objAttributes: postOpAttr,
      tbytes: u64,
      fbytes: u64,
      abytes: u64,
      tfiles: u64,
      ffiles: u64,
      afiles: u64,
      invarsec: u32,
    }),
    fc.record({ objAttributes: postOpAttr }),
  ),
);
