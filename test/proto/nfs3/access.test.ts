import fc from 'fast-check';
import { ACCESS } from '../../../src/proto/nfs3/access.js';
import { NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { fileHandle, nfsResult, postOpAttr, u32 } from '../../helpers/nfs3-arbitraries.js';
import { FATTR, FATTR_HEX, FH, FH_HEX } from '../../helpers/nfs3-fixtures.js';

checkArgsFixture(
  ACCESS,
  'all six bits',
  hex`
    ${FH_HEX}                 // object
    0000003f                  // access: READ|LOOKUP|MODIFY|EXTEND|DELETE|EXECUTE
  `,
  { object: FH, access: 0x3f },
);

checkResultFixture(
  ACCESS,
  'OK',
  hex`
    00000000                  // status NFS3_OK
    00000001                  // obj_attributes: present
    ${FATTR_HEX}
    00000003                  // access: READ|LOOKUP
  `,
  { status: NfsStat3.OK, objAttributes: FATTR, access: 3 },
);

checkResultFixture(
  ACCESS,
  'BADHANDLE',
  hex`
    00002711                  // status NFS3ERR_BADHANDLE
    00000000                  // obj_attributes: absent
  `,
  { status: NfsStat3.BADHANDLE },
);

checkCodecProperties(
  ACCESS,
  fc.record({ object: fileHandle, access: u32 }),
  nfsResult(fc.record({ objAttributes: postOpAttr, access: u32 }), fc.record({ objAttributes: postOpAttr })),
);
