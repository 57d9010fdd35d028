import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { RMDIR } from '../../../src/proto/nfs3/rmdir.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { dirOpArgs, nfsResult, wccData } from '../../helpers/nfs3-arbitraries.js';
import { FATTR, FATTR_HEX, FH, FH_HEX } from '../../helpers/nfs3-fixtures.js';
import { WCC, WCC_HEX } from '../../helpers/nfs3-wcc-fixtures.js';

test('RMDIR is procedure 13', () => assert.equal(RMDIR.proc, 13));

checkArgsFixture(
  RMDIR,
  'RMDIR3args',
  hex(`
    ${FH_HEX}                 // object.dir
    00000004                  // object.name length 4
    64697231                  // "dir1", no padding
  `),
  { object: { dir: FH, name: Buffer.from('dir1') } },
);

checkResultFixture(
  RMDIR,
  'RMDIR3resok',
  hex(`
    00000000                  // status NFS3_OK
    ${WCC_HEX}                // dir_wcc
  `),
  { status: NfsStat3.OK, dirWcc: WCC },
);

checkResultFixture(
  RMDIR,
  'RMDIR3resfail',
  hex(`
    00000042                  // status NFS3ERR_NOTEMPTY (66)
    00000000                  // dir_wcc.before: pre_op_attr FALSE
    00000001                  // dir_wcc.after: post_op_attr TRUE
    ${FATTR_HEX}
  `),
  { status: NfsStat3.NOTEMPTY, dirWcc: { after: FATTR } },
);

const dirWcc = fc.record({ dirWcc: wccData });
checkCodecProperties(RMDIR, fc.record({ object: dirOpArgs }), nfsResult(dirWcc, dirWcc));
