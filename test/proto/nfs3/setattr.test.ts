import fc from 'fast-check';
import { NfsStat3, TimeHow } from '../../../src/proto/nfs3/constants.js';
import { SETATTR } from '../../../src/proto/nfs3/setattr.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { fileHandle, nfsResult, nfsTime3, sattr3, wccData } from '../../helpers/nfs3-arbitraries.js';
import { FATTR, FATTR_HEX, FH, FH_HEX, SATTR_NONE_HEX, WCC_ATTR, WCC_ATTR_HEX } from '../../helpers/nfs3-fixtures.js';

checkArgsFixture(
  SETATTR,
  'every kind of change, guarded',
  hex`
    ${FH_HEX}                 // object
    00000001 000001ed         // new_attributes.mode: set, 0755
    00000000                  // new_attributes.uid: not set
    00000001 00000064         // new_attributes.gid: set, 100
    00000001 0000000000000400 // new_attributes.size: set, 1024
    00000001                  // new_attributes.atime: SET_TO_SERVER_TIME
    00000002 65000000 00000000 // new_attributes.mtime: SET_TO_CLIENT_TIME
    00000001                  // guard.check: TRUE
    65000002 00000003         // guard.obj_ctime
  `,
  {
    object: FH,
    newAttributes: {
      mode: 0o755,
      gid: 100,
      size: 1024n,
      atime: { how: TimeHow.SET_TO_SERVER_TIME },
      mtime: { how: TimeHow.SET_TO_CLIENT_TIME, time: { seconds: 0x65000000, nseconds: 0 } },
    },
    guard: { seconds: 0x65000002, nseconds: 3 },
  },
);

checkArgsFixture(
  SETATTR,
  'nothing, unguarded',
  hex`
    ${FH_HEX}                 // object
    ${SATTR_NONE_HEX}         // new_attributes
    00000000                  // guard.check: FALSE
  `,
  { object: FH, newAttributes: {} },
);

checkResultFixture(
  SETATTR,
  'OK',
  hex`
    00000000                  // status NFS3_OK
    00000001                  // obj_wcc.before: present
    ${WCC_ATTR_HEX}
    00000001                  // obj_wcc.after: present
    ${FATTR_HEX}
  `,
  { status: NfsStat3.OK, objWcc: { before: WCC_ATTR, after: FATTR } },
);

checkResultFixture(
  SETATTR,
  'NOT_SYNC',
  hex`
    00002712                  // status NFS3ERR_NOT_SYNC
    00000000                  // obj_wcc.before: absent
    00000001                  // obj_wcc.after: present
    ${FATTR_HEX}
  `,
  { status: NfsStat3.NOT_SYNC, objWcc: { after: FATTR } },
);

checkCodecProperties(
  SETATTR,
  fc.record({ object: fileHandle, newAttributes: sattr3, guard: fc.option(nfsTime3, { nil: undefined }) }),
  nfsResult(fc.record({ objWcc: wccData }), fc.record({ objWcc: wccData })),
);
