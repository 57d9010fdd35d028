import fc from 'fast-check';
import { NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { LOOKUP } from '../../../src/proto/nfs3/lookup.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { dirOpArgs, fileHandle, nfsResult, postOpAttr } from '../../helpers/nfs3-arbitraries.js';
import { FATTR, FATTR_HEX, FH, FH2, FH2_HEX, FH_HEX } from '../../helpers/nfs3-fixtures.js';

checkArgsFixture(
  LOOKUP,
  'name of 3 bytes (padded)',
  hex`
    ${FH_HEX}                 // what.dir
    00000003 666f6f00         // what.name "foo" + 1 byte pad
  `,
  { what: { dir: FH, name: Buffer.from('foo') } },
);

checkArgsFixture(
  LOOKUP,
  'name of 4 bytes (no pad)',
  hex`
    ${FH_HEX}                 // what.dir
    00000004 2e2e2e2e         // what.name "...."
  `,
  { what: { dir: FH, name: Buffer.from('....') } },
);

checkResultFixture(
  LOOKUP,
  'OK',
  hex`
    00000000                  // status NFS3_OK
    ${FH2_HEX}                // object
    00000001                  // obj_attributes: present
    ${FATTR_HEX}
    00000000                  // dir_attributes: absent
  `,
  { status: NfsStat3.OK, object: FH2, objAttributes: FATTR },
);

checkResultFixture(
  LOOKUP,
  'NOENT',
  hex`
    00000002                  // status NFS3ERR_NOENT
    00000001                  // dir_attributes: present
    ${FATTR_HEX}
  `,
  { status: NfsStat3.NOENT, dirAttributes: FATTR },
);

checkCodecProperties(
  LOOKUP,
  fc.record({ what: dirOpArgs }),
  nfsResult(
    fc.record({ object: fileHandle, objAttributes: postOpAttr, dirAttributes: postOpAttr }),
    fc.record({ dirAttributes: postOpAttr }),
  ),
);
