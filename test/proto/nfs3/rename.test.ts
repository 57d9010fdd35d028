import fc from 'fast-check';
import { NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { RENAME } from '../../../src/proto/nfs3/rename.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { dirOpArgs, nfsResult, wccData } from '../../helpers/nfs3-arbitraries.js';
import { FATTR, FATTR_HEX, FH, FH_HEX } from '../../helpers/nfs3-fixtures.js';
import { EMPTY_WCC_HEX, WCC, WCC_HEX } from '../../helpers/nfs3-wcc-fixtures.js';

checkArgsFixture(
  RENAME,
  'RENAME3args',
  hex(`
    ${FH_HEX}                 // from.dir
    00000001                  // from.name length 1
    61 000000                 // "a" + 3 bytes padding
    0000000c                  // to.dir length 12
    0a0b0c0d 0e0f1011 12131415 // to.dir data
    00000006                  // to.name length 6
    6e65772d6e6d 0000         // "new-nm" + 2 bytes padding
  `),
  {
    from: { dir: FH, name: Buffer.from('a') },
    to: { dir: Buffer.from('0a0b0c0d0e0f101112131415', 'hex'), name: Buffer.from('new-nm') },
  },
);

checkResultFixture(
  RENAME,
  'RENAME3resok',
  hex(`
    00000000                  // status NFS3_OK
    ${WCC_HEX}                // fromdir_wcc
    00000000                  // todir_wcc.before: FALSE
    00000001                  // todir_wcc.after: TRUE
    ${FATTR_HEX}
  `),
  { status: NfsStat3.OK, fromdirWcc: WCC, todirWcc: { after: FATTR } },
);

checkResultFixture(
  RENAME,
  'RENAME3resfail',
  hex(`
    00000012                  // status NFS3ERR_XDEV (18)
    ${WCC_HEX}                // fromdir_wcc
    ${EMPTY_WCC_HEX}          // todir_wcc
  `),
  { status: NfsStat3.XDEV, fromdirWcc: WCC, todirWcc: {} },
);

const wccs = fc.record({ fromdirWcc: wccData, todirWcc: wccData });
checkCodecProperties(RENAME, fc.record({ from: dirOpArgs, to: dirOpArgs }), nfsResult(wccs, wccs));
