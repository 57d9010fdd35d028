import fc from 'fast-check';
import { NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { PATHCONF } from '../../../src/proto/nfs3/pathconf.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { fileHandle, nfsResult, postOpAttr, u32 } from '../../helpers/nfs3-arbitraries.js';
import { FATTR, FH, FH_HEX } from '../../helpers/nfs3-fixtures.js';
import { POST_OP_ATTR_HEX } from '../../helpers/nfs3-wcc-fixtures.js';

checkArgsFixture(PATHCONF, 'PATHCONF3args', hex(`${FH_HEX} // object`), { object: FH });

checkResultFixture(
  PATHCONF,
  'PATHCONF3resok',
  hex(`
    00000000                  // status NFS3_OK
    ${POST_OP_ATTR_HEX}       // obj_attributes
    0000fde8                  // linkmax 65000
    000000ff                  // name_max 255
    00000001                  // no_trunc TRUE
    00000001                  // chown_restricted TRUE
    00000000                  // case_insensitive FALSE
    00000001                  // case_preserving TRUE
  `),
  {
    status: NfsStat3.OK,
    objAttributes: FATTR,
    linkmax: 65000,
    nameMax: 255,
    noTrunc: true,
    chownRestricted: true,
    caseInsensitive: false,
    casePreserving: true,
  },
);

checkResultFixture(
  PATHCONF,
  'PATHCONF3resfail',
  hex(`
    0000000d                  // status NFS3ERR_ACCES (13)
    00000000                  // obj_attributes: FALSE
  `),
  { status: NfsStat3.ACCES },
);

checkCodecProperties(
  PATHCONF,
  fc.record({ object: fileHandle }),
  nfsResult(
    fc.record({
      objAttributes: postOpAttr,
      linkmax: u32,
      nameMax: u32,
      noTrunc: fc.boolean(),
      chownRestricted: fc.boolean(),
      caseInsensitive: fc.boolean(),
      casePreserving: fc.boolean(),
    }),
    fc.record({ objAttributes: postOpAttr }),
  ),
);
