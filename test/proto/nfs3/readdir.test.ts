import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { READDIR, type Entry3, type ReaddirResult } from '../../../src/proto/nfs3/readdir.js';
import { XdrError, XdrReader } from '../../../src/xdr/reader.js';
import {
  checkArgsFixture,
  checkCodecProperties,
  checkResultFixture,
  encodeWith,
  hex,
} from '../../helpers/codec-properties.js';
import { fileHandle, nfsResult, postOpAttr, u32, u64, verifier8, wireName } from '../../helpers/nfs3-arbitraries.js';
import { FATTR, FH, FH_HEX } from '../../helpers/nfs3-fixtures.js';
import { POST_OP_ATTR_HEX } from '../../helpers/nfs3-wcc-fixtures.js';

const VERF = Buffer.from('1122334455667788', 'hex');

checkArgsFixture(
  READDIR,
  'READDIR3args',
  hex(`
    ${FH_HEX}                 // dir
    8000000000000003          // cookie 2^63 + 3 (cookies use all 64 bits)
    1122334455667788          // cookieverf
    00001000                  // count 4096
  `),
  { dir: FH, cookie: (1n << 63n) + 3n, cookieverf: VERF, count: 4096 },
);

checkResultFixture(
  READDIR,
  'READDIR3resok with two entries',
  hex(`
    00000000                  // status NFS3_OK
    ${POST_OP_ATTR_HEX}       // dir_attributes
    1122334455667788          // cookieverf
    00000001                  // entries: value follows
    0000000000000002          //   fileid 2
    00000001                  //   name length 1
    2e000000                  //   "." + 3 bytes padding
    0000000000000001          //   cookie 1
    00000001                  // nextentry: value follows
    00000000000000ff          //   fileid 255
    00000008                  //   name length 8
    66696c652e747874          //   "file.txt", no padding
    0000000000000002          //   cookie 2
    00000000                  // nextentry: none
    00000001                  // eof TRUE
  `),
  {
    status: NfsStat3.OK,
    dirAttributes: FATTR,
    cookieverf: VERF,
    reply: {
      entries: [
        { fileid: 2n, name: Buffer.from('.'), cookie: 1n },
        { fileid: 255n, name: Buffer.from('file.txt'), cookie: 2n },
      ],
      eof: true,
    },
  },
);

checkResultFixture(
  READDIR,
  'READDIR3resok empty page, not eof',
  hex(`
    00000000                  // status NFS3_OK
    00000000                  // dir_attributes: FALSE
    0000000000000000          // cookieverf
    00000000                  // entries: none
    00000000                  // eof FALSE
  `),
  { status: NfsStat3.OK, cookieverf: Buffer.alloc(8), reply: { entries: [], eof: false } },
);

checkResultFixture(
  READDIR,
  'READDIR3resfail',
  hex(`
    00002713                  // status NFS3ERR_BAD_COOKIE (10003)
    ${POST_OP_ATTR_HEX}       // dir_attributes
  `),
  { status: NfsStat3.BAD_COOKIE, dirAttributes: FATTR },
);

test('READDIR result refuses a cookie verifier that is not 8 bytes', () => {
  const bad: ReaddirResult = { status: NfsStat3.OK, cookieverf: Buffer.alloc(4), reply: { entries: [], eof: true } };
  assert.throws(() => encodeWith(READDIR.writeResult, bad), RangeError);
});

test('READDIR result decoding stops at the input: a forged endless list is an XdrError', () => {
  // value-follows TRUE and one entry, over and over, with no terminator: the reader must run out, not loop.
  const entry = hex(`
    00000001 0000000000000001 00000001 61000000 0000000000000001
  `);
  const head = hex(`00000000 00000000 0000000000000000`);
  const bytes = Buffer.concat([head, ...new Array<Buffer>(1000).fill(entry)]);
  assert.throws(() => READDIR.readResult(new XdrReader(bytes)), XdrError);
});

const entry3: fc.Arbitrary<Entry3> = fc.record({ fileid: u64, name: wireName, cookie: u64 });

checkCodecProperties(
  READDIR,
  fc.record({ dir: fileHandle, cookie: u64, cookieverf: verifier8, count: u32 }),
  nfsResult(
    fc.record({
      dirAttributes: postOpAttr,
      cookieverf: verifier8,
      reply: fc.record({ entries: fc.array(entry3, { maxLength: 5 }), eof: fc.boolean() }),
    }),
    fc.record({ dirAttributes: postOpAttr }),
  ),
);
