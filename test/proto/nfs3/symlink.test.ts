import fc from 'fast-check';
import { NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { SYMLINK } from '../../../src/proto/nfs3/symlink.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { dirOpArgs, sattr3, wirePath, newObjectResult } from '../../helpers/nfs3-arbitraries.js';
import { FATTR, FATTR_HEX, FH, FH2, FH2_HEX, FH_HEX, SATTR_NONE_HEX } from '../../helpers/nfs3-fixtures.js';

checkArgsFixture(
  SYMLINK,
  'relative target',
  hex`
    ${FH_HEX}                 // where.dir
    00000002 6c6e0000         // where.name "ln" + 2 bytes pad
    ${SATTR_NONE_HEX}         // symlink.symlink_attributes
    00000004 2e2e2f74         // symlink.symlink_data "../t"
  `,
  {
    where: { dir: FH, name: Buffer.from('ln') },
    symlink: { symlinkAttributes: {}, symlinkData: Buffer.from('../t') },
  },
);

checkResultFixture(
  SYMLINK,
  'OK',
  hex`
    00000000                  // status NFS3_OK
    00000001                  // obj: handle follows
    ${FH2_HEX}
    00000000                  // obj_attributes: absent
    00000000                  // dir_wcc.before: absent
    00000001                  // dir_wcc.after: present
    ${FATTR_HEX}
  `,
  { status: NfsStat3.OK, obj: FH2, dirWcc: { after: FATTR } },
);

checkResultFixture(
  SYMLINK,
  'NAMETOOLONG',
  hex`
    0000003f                  // status NFS3ERR_NAMETOOLONG
    00000000                  // dir_wcc.before: absent
    00000001                  // dir_wcc.after: present
    ${FATTR_HEX}
  `,
  { status: NfsStat3.NAMETOOLONG, dirWcc: { after: FATTR } },
);

checkCodecProperties(
  SYMLINK,
  fc.record({ where: dirOpArgs, symlink: fc.record({ symlinkAttributes: sattr3, symlinkData: wirePath }) }),
  newObjectResult,
);
