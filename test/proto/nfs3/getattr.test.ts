import fc from 'fast-check';
import { NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { GETATTR } from '../../../src/proto/nfs3/getattr.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { fattr3, fileHandle, nfsResult } from '../../helpers/nfs3-arbitraries.js';
import { FATTR, FATTR_HEX, FH, FH_HEX } from '../../helpers/nfs3-fixtures.js';

checkArgsFixture(GETATTR, 'object', hex`${FH_HEX}`, { object: FH });

checkResultFixture(
  GETATTR,
  'OK',
  hex`
    00000000                // status NFS3_OK
    ${FATTR_HEX}            // obj_attributes
  `,
  { status: NfsStat3.OK, objAttributes: FATTR },
);

checkResultFixture(
  GETATTR,
  'STALE (resfail is void)',
  hex`
    00000046                // status NFS3ERR_STALE
  `,
  { status: NfsStat3.STALE },
);

checkCodecProperties(
  GETATTR,
  fc.record({ object: fileHandle }),
  nfsResult(fc.record({ objAttributes: fattr3 }), fc.constant({})),
);
