import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CreateMode, NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { CREATE, type CreateHow3 } from '../../../src/proto/nfs3/create.js';
import { XdrError, XdrReader } from '../../../src/xdr/reader.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { dirOpArgs, sattr3, verifier8, newObjectResult } from '../../helpers/nfs3-arbitraries.js';
import { FATTR, FATTR_HEX, FH, FH2, FH2_HEX, FH_HEX, SATTR_MODE_HEX, WCC_ATTR, WCC_ATTR_HEX } from '../../helpers/nfs3-fixtures.js';

const where = { dir: FH, name: Buffer.from('new') };
const WHERE_HEX = `
  ${FH_HEX}                   // where.dir
  00000003 6e657700           // where.name "new" + 1 byte pad
`;

checkArgsFixture(
  CREATE,
  'UNCHECKED',
  hex`
    ${WHERE_HEX}
    00000000                  // how.mode UNCHECKED
    ${SATTR_MODE_HEX}         // how.obj_attributes
  `,
  { where, how: { mode: CreateMode.UNCHECKED, objAttributes: { mode: 0o644 } } },
);

checkArgsFixture(
  CREATE,
  'GUARDED',
  hex`
    ${WHERE_HEX}
    00000001                  // how.mode GUARDED
    ${SATTR_MODE_HEX}         // how.obj_attributes
  `,
  { where, how: { mode: CreateMode.GUARDED, objAttributes: { mode: 0o644 } } },
);

checkArgsFixture(
  CREATE,
  'EXCLUSIVE',
  hex`
    ${WHERE_HEX}
    00000002                  // how.mode EXCLUSIVE
    8899aabbccddeeff          // how.verf
  `,
  { where, how: { mode: CreateMode.EXCLUSIVE, verf: Buffer.from('8899aabbccddeeff', 'hex') } },
);

checkResultFixture(
  CREATE,
  'OK',
  hex`
    00000000                  // status NFS3_OK
    00000001                  // obj: handle follows
    ${FH2_HEX}
    00000001                  // obj_attributes: present
    ${FATTR_HEX}
    00000001                  // dir_wcc.before: present
    ${WCC_ATTR_HEX}
    00000001                  // dir_wcc.after: present
    ${FATTR_HEX}
  `,
  { status: NfsStat3.OK, obj: FH2, objAttributes: FATTR, dirWcc: { before: WCC_ATTR, after: FATTR } },
);

checkResultFixture(
  CREATE,
  'EXIST',
  hex`
    00000011                  // status NFS3ERR_EXIST
    00000000                  // dir_wcc.before: absent
    00000001                  // dir_wcc.after: present
    ${FATTR_HEX}
  `,
  { status: NfsStat3.EXIST, dirWcc: { after: FATTR } },
);

test('CREATE args: an unknown createmode3 is an XdrError', () => {
  const bad = hex`
    ${WHERE_HEX}
    00000003                  // how.mode: no such createmode3
  `;
  assert.throws(() => CREATE.readArgs(new XdrReader(bad)), XdrError);
});

const how: fc.Arbitrary<CreateHow3> = fc.oneof(
  fc.record({ mode: fc.constantFrom(CreateMode.UNCHECKED, CreateMode.GUARDED), objAttributes: sattr3 }),
  fc.record({ mode: fc.constant(CreateMode.EXCLUSIVE as const), verf: verifier8 }),
);

checkCodecProperties(CREATE, fc.record({ where: dirOpArgs, how }), newObjectResult);
