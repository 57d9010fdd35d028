import fc from 'fast-check';
import { NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { MKDIR } from '../../../src/proto/nfs3/mkdir.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { dirOpArgs, sattr3, newObjectResult } from '../../helpers/nfs3-arbitraries.js';
import { FH, FH_HEX, SATTR_MODE_HEX } from '../../helpers/nfs3-fixtures.js';

checkArgsFixture(
  MKDIR,
  'mode 0644',
  hex`
    ${FH_HEX}                 // where.dir
    00000005 7375626469000000 // where.name "subdi" + 3 bytes pad
    ${SATTR_MODE_HEX}         // attributes
  `,
  { where: { dir: FH, name: Buffer.from('subdi') }, attributes: { mode: 0o644 } },
);

checkResultFixture(
  MKDIR,
  'OK with nothing optional',
  hex`
    00000000                  // status NFS3_OK
    00000000                  // obj: no handle
    00000000                  // obj_attributes: absent
    00000000                  // dir_wcc.before: absent
    00000000                  // dir_wcc.after: absent
  `,
  { status: NfsStat3.OK, dirWcc: {} },
);

checkResultFixture(
  MKDIR,
  'ROFS',
  hex`
    0000001e                  // status NFS3ERR_ROFS
    00000000                  // dir_wcc.before: absent
    00000000                  // dir_wcc.after: absent
  `,
  { status: NfsStat3.ROFS, dirWcc: {} },
);

checkCodecProperties(MKDIR, fc.record({ where: dirOpArgs, attributes: sattr3 }), newObjectResult);
