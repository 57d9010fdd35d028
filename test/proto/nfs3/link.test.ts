import fc from 'fast-check';
import { NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { LINK } from '../../../src/proto/nfs3/link.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { dirOpArgs, fileHandle, nfsResult, postOpAttr, wccData } from '../../helpers/nfs3-arbitraries.js';
import { FATTR, FH, FH_HEX } from '../../helpers/nfs3-fixtures.js';
import { EMPTY_WCC_HEX, POST_OP_ATTR_HEX, WCC, WCC_HEX } from '../../helpers/nfs3-wcc-fixtures.js';

checkArgsFixture(
  LINK,
  'LINK3args',
  hex(`
    00000004                  // file length 4
    cafebabe                  // file data
    ${FH_HEX}                 // link.dir
    00000007                  // link.name length 7
    68617264 6c6e6b 00        // "hardlnk" + 1 byte padding
  `),
  { file: Buffer.from('cafebabe', 'hex'), link: { dir: FH, name: Buffer.from('hardlnk') } },
);

checkResultFixture(
  LINK,
  'LINK3resok',
  hex(`
    00000000                  // status NFS3_OK
    ${POST_OP_ATTR_HEX}       // file_attributes
    ${WCC_HEX}                // linkdir_wcc
  `),
  { status: NfsStat3.OK, fileAttributes: FATTR, linkdirWcc: WCC },
);

checkResultFixture(
  LINK,
  'LINK3resfail',
  hex(`
    0000001f                  // status NFS3ERR_MLINK (31)
    00000000                  // file_attributes: post_op_attr FALSE
    ${EMPTY_WCC_HEX}          // linkdir_wcc
  `),
  { status: NfsStat3.MLINK, linkdirWcc: {} },
);

const attrs = fc.record({ fileAttributes: postOpAttr, linkdirWcc: wccData });
checkCodecProperties(LINK, fc.record({ file: fileHandle, link: dirOpArgs }), nfsResult(attrs, attrs));
