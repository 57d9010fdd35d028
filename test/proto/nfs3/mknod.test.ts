import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Ftype3, NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { MKNOD, type MknodData3 } from '../../../src/proto/nfs3/mknod.js';
import { XdrError, XdrReader } from '../../../src/xdr/reader.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { dirOpArgs, sattr3, specData3, newObjectResult } from '../../helpers/nfs3-arbitraries.js';
import { FATTR, FATTR_HEX, FH, FH_HEX, SATTR_MODE_HEX, WCC_ATTR, WCC_ATTR_HEX } from '../../helpers/nfs3-fixtures.js';

const where = { dir: FH, name: Buffer.from('dev') };
const WHERE_HEX = `
  ${FH_HEX}                   // where.dir
  00000003 64657600           // where.name "dev" + 1 byte pad
`;

checkArgsFixture(
  MKNOD,
  'CHR carries devicedata3',
  hex`
    ${WHERE_HEX}
    00000004                  // what.type NF3CHR
    ${SATTR_MODE_HEX}         // what.device.dev_attributes
    00000001 00000003         // what.device.spec: major 1, minor 3
  `,
  { where, what: { type: Ftype3.CHR, device: { devAttributes: { mode: 0o644 }, spec: { major: 1, minor: 3 } } } },
);

checkArgsFixture(
  MKNOD,
  'FIFO carries only sattr3',
  hex`
    ${WHERE_HEX}
    00000007                  // what.type NF3FIFO
    ${SATTR_MODE_HEX}         // what.pipe_attributes
  `,
  { where, what: { type: Ftype3.FIFO, pipeAttributes: { mode: 0o644 } } },
);

checkArgsFixture(
  MKNOD,
  'REG is the void arm (refused by the server, not the decoder)',
  hex`
    ${WHERE_HEX}
    00000001                  // what.type NF3REG, nothing follows
  `,
  { where, what: { type: Ftype3.REG } },
);

checkResultFixture(
  MKNOD,
  'BADTYPE',
  hex`
    00002717                  // status NFS3ERR_BADTYPE
    00000001                  // dir_wcc.before: present
    ${WCC_ATTR_HEX}
    00000001                  // dir_wcc.after: present
    ${FATTR_HEX}
  `,
  { status: NfsStat3.BADTYPE, dirWcc: { before: WCC_ATTR, after: FATTR } },
);

checkResultFixture(
  MKNOD,
  'OK',
  hex`
    00000000                  // status NFS3_OK
    00000000                  // obj: no handle
    00000001                  // obj_attributes: present
    ${FATTR_HEX}
    00000000                  // dir_wcc.before: absent
    00000000                  // dir_wcc.after: absent
  `,
  { status: NfsStat3.OK, objAttributes: FATTR, dirWcc: {} },
);

test('MKNOD args: a type outside ftype3 is an XdrError', () => {
  const bad = hex`
    ${WHERE_HEX}
    00000008                  // what.type: no such ftype3
  `;
  assert.throws(() => MKNOD.readArgs(new XdrReader(bad)), XdrError);
});

const what: fc.Arbitrary<MknodData3> = fc.oneof(
  fc.record({
    type: fc.constantFrom(Ftype3.CHR as const, Ftype3.BLK as const),
    device: fc.record({ devAttributes: sattr3, spec: specData3 }),
  }),
  fc.record({ type: fc.constantFrom(Ftype3.SOCK as const, Ftype3.FIFO as const), pipeAttributes: sattr3 }),
  fc.record({ type: fc.constantFrom(Ftype3.REG as const, Ftype3.DIR as const, Ftype3.LNK as const) }),
);

checkCodecProperties(MKNOD, fc.record({ where: dirOpArgs, what }), newObjectResult);
