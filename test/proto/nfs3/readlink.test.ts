import fc from 'fast-check';
import { NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { READLINK } from '../../../src/proto/nfs3/readlink.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { fileHandle, nfsResult, postOpAttr, wirePath } from '../../helpers/nfs3-arbitraries.js';
import { FATTR, FATTR_HEX, FH, FH_HEX } from '../../helpers/nfs3-fixtures.js';

checkArgsFixture(READLINK, 'symlink', hex`${FH_HEX}`, { symlink: FH });

checkResultFixture(
  READLINK,
  'OK, target not UTF-8',
  hex`
    00000000                  // status NFS3_OK
    00000001                  // symlink_attributes: present
    ${FATTR_HEX}
    00000005 612f62ff63000000 // data "a/b\\xffc" + 3 bytes pad
  `,
  { status: NfsStat3.OK, symlinkAttributes: FATTR, data: Buffer.from([0x61, 0x2f, 0x62, 0xff, 0x63]) },
);

checkResultFixture(
  READLINK,
  'INVAL',
  hex`
    00000016                  // status NFS3ERR_INVAL
    00000001                  // symlink_attributes: present
    ${FATTR_HEX}
  `,
  { status: NfsStat3.INVAL, symlinkAttributes: FATTR },
);

checkCodecProperties(
  READLINK,
  fc.record({ symlink: fileHandle }),
  nfsResult(
    fc.record({ symlinkAttributes: postOpAttr, data: wirePath }),
    fc.record({ symlinkAttributes: postOpAttr }),
  ),
);
