import fc from 'fast-check';
import { FSF3_CANSETTIME, FSF3_HOMOGENEOUS, FSF3_LINK, FSF3_SYMLINK, NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { FSINFO } from '../../../src/proto/nfs3/fsinfo.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { fileHandle, nfsResult, nfsTime3, postOpAttr, u32, u64 } from '../../helpers/nfs3-arbitraries.js';
import { FATTR, FATTR_HEX, FH, FH_HEX } from '../../helpers/nfs3-fixtures.js';

checkArgsFixture(FSINFO, 'FSINFO3args', hex(`${FH_HEX} // fsroot`), { fsroot: FH });

checkResultFixture(
  FSINFO,
  'FSINFO3resok',
  hex(`
    00000000                  // status NFS3_OK
    00000000                  // obj_attributes: FALSE
    00100000                  // rtmax 1 MiB
    00100000                  // rtpref 1 MiB
    00001000                  // rtmult 4096
    00080000                  // wtmax 512 KiB
    00080000                  // wtpref 512 KiB
    00001000                  // wtmult 4096
    00010000                  // dtpref 64 KiB
    7fffffffffffffff          // maxfilesize 2^63 - 1
    00000000 00000001         // time_delta 0 s, 1 ns
    0000001b                  // properties LINK|SYMLINK|HOMOGENEOUS|CANSETTIME
  `),
  {
    status: NfsStat3.OK,
    rtmax: 1 << 20,
    rtpref: 1 << 20,
    rtmult: 4096,
    wtmax: 512 << 10,
    wtpref: 512 << 10,
    wtmult: 4096,
    dtpref: 64 << 10,
    maxfilesize: (1n << 63n) - 1n,
    timeDelta: { seconds: 0, nseconds: 1 },
    properties: FSF3_LINK | FSF3_SYMLINK | FSF3_HOMOGENEOUS | FSF3_CANSETTIME,
  },
);

checkResultFixture(
  FSINFO,
  'FSINFO3resfail',
  hex(`
    00002711                  // status NFS3ERR_BADHANDLE (10001)
    00000001                  // obj_attributes: TRUE
    ${FATTR_HEX}
  `),
  { status: NfsStat3.BADHANDLE, objAttributes: FATTR },
);

checkCodecProperties(
  FSINFO,
  fc.record({ fsroot: fileHandle }),
  nfsResult(
    fc.record({
      objAttributes: postOpAttr,
      rtmax: u32,
      rtpref: u32,
      rtmult: u32,
      wtmax: u32,
      wtpref: u32,
      wtmult: u32,
      dtpref: u32,
      maxfilesize: u64,
      timeDelta: nfsTime3,
      properties: u32,
    }),
    fc.record({ objAttributes: postOpAttr }),
  ),
);
