import fc from 'fast-check';
import { NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { REMOVE } from '../../../src/proto/nfs3/remove.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { dirOpArgs, nfsResult, wccData } from '../../helpers/nfs3-arbitraries.js';
import { FH, FH_HEX } from '../../helpers/nfs3-fixtures.js';
import { EMPTY_WCC_HEX, WCC, WCC_HEX } from '../../helpers/nfs3-wcc-fixtures.js';

checkArgsFixture(
  REMOVE,
  'REMOVE3args',
  hex(`
    ${FH_HEX}                 // object.dir
    00000005                  // object.name length 5
    612e747874 000000         // "a.txt" + 3 bytes padding
  `),
  { object: { dir: FH, name: Buffer.from('a.txt') } },
);

checkResultFixture(
  REMOVE,
  'REMOVE3resok',
  hex(`
    00000000                  // status NFS3_OK
    ${WCC_HEX}                // dir_wcc
  `),
  { status: NfsStat3.OK, dirWcc: WCC },
);

checkResultFixture(
  REMOVE,
  'REMOVE3resfail',
  hex(`
    00000002                  // status NFS3ERR_NOENT
    ${EMPTY_WCC_HEX}          // dir_wcc
  `),
  { status: NfsStat3.NOENT, dirWcc: {} },
);

const dirWcc = fc.record({ dirWcc: wccData });
checkCodecProperties(REMOVE, fc.record({ object: dirOpArgs }), nfsResult(dirWcc, dirWcc));
