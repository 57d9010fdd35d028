import fc from 'fast-check';
import { NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { READDIRPLUS, type Entryplus3 } from '../../../src/proto/nfs3/readdirplus.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import {
  fileHandle,
  nfsResult,
  postOpAttr,
  postOpFh,
  u32,
  u64,
  verifier8,
  wireName,
} from '../../helpers/nfs3-arbitraries.js';
import { FATTR, FH, FH_HEX } from '../../helpers/nfs3-fixtures.js';
import { POST_OP_ATTR_HEX } from '../../helpers/nfs3-wcc-fixtures.js';

const VERF = Buffer.from('0000000000000001', 'hex');

checkArgsFixture(
  READDIRPLUS,
  'READDIRPLUS3args',
  hex(`
    ${FH_HEX}                 // dir
    0000000000000000          // cookie 0
    0000000000000000          // cookieverf
    00000400                  // dircount 1024
    00002000                  // maxcount 8192
  `),
  { dir: FH, cookie: 0n, cookieverf: Buffer.alloc(8), dircount: 1024, maxcount: 8192 },
);

checkResultFixture(
  READDIRPLUS,
  'READDIRPLUS3resok',
  hex(`
    00000000                  // status NFS3_OK
    00000000                  // dir_attributes: FALSE
    0000000000000001          // cookieverf
    00000001                  // entries: value follows
    0000000000000042          //   fileid 66
    00000003                  //   name length 3
    78797a00                  //   "xyz" + 1 byte padding
    0000000000000007          //   cookie 7
    ${POST_OP_ATTR_HEX}       //   name_attributes
    00000001                  //   name_handle: handle_follows TRUE
    ${FH_HEX}                 //   handle
    00000001                  // nextentry: value follows
    0000000000000043          //   fileid 67
    00000002                  //   name length 2
    2e2e0000                  //   ".." + 2 bytes padding
    0000000000000008          //   cookie 8
    00000000                  //   name_attributes: FALSE
    00000000                  //   name_handle: FALSE
    00000000                  // nextentry: none
    00000000                  // eof FALSE
  `),
  {
    status: NfsStat3.OK,
    cookieverf: VERF,
    reply: {
      entries: [
        { fileid: 66n, name: Buffer.from('xyz'), cookie: 7n, nameAttributes: FATTR, nameHandle: FH },
        { fileid: 67n, name: Buffer.from('..'), cookie: 8n },
      ],
      eof: false,
    },
  },
);

checkResultFixture(
  READDIRPLUS,
  'READDIRPLUS3resfail',
  hex(`
    00002715                  // status NFS3ERR_TOOSMALL (10005)
    00000000                  // dir_attributes: FALSE
  `),
  { status: NfsStat3.TOOSMALL },
);

const entryplus3: fc.Arbitrary<Entryplus3> = fc.record({
  fileid: u64,
  name: wireName,
  cookie: u64,
  nameAttributes: postOpAttr,
  nameHandle: postOpFh,
});

checkCodecProperties(
  READDIRPLUS,
  fc.record({ dir: fileHandle, cookie: u64, cookieverf: verifier8, dircount: u32, maxcount: u32 }),
  nfsResult(
    fc.record({
      dirAttributes: postOpAttr,
      cookieverf: verifier8,
      reply: fc.record({ entries: fc.array(entryplus3, { maxLength: 4 }), eof: fc.boolean() }),
    }),
    fc.record({ dirAttributes: postOpAttr }),
  ),
);
