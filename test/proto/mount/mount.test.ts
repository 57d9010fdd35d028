import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { ExportNode, MountBody } from '../../../src/proto/mount/common.js';
import { FHSIZE, MountStat3 } from '../../../src/proto/mount/constants.js';
import {
  MOUNTPROC_DUMP,
  MOUNTPROC_EXPORT,
  MOUNTPROC_MNT,
  MOUNTPROC_UMNT,
  MOUNTPROC_UMNTALL,
  type FhStatus,
} from '../../../src/proto/mount/v1.js';
import {
  MOUNTPROC3_DUMP,
  MOUNTPROC3_EXPORT,
  MOUNTPROC3_MNT,
  MOUNTPROC3_NULL,
  MOUNTPROC3_UMNT,
  MOUNTPROC3_UMNTALL,
  type MountRes3,
} from '../../../src/proto/mount/v3.js';
import { XdrError, XdrReader } from '../../../src/xdr/reader.js';
import { XdrWriter } from '../../../src/xdr/writer.js';
import {
  checkArgsFixture,
  checkCodecProperties,
  checkResultFixture,
  encodeWith,
  hex,
} from '../../helpers/codec-properties.js';
import { bytes } from '../../helpers/nfs3-arbitraries.js';

const EXPORT_PATH_HEX = `00000007 2f657870 6f727400 // "/export"`;

const failStatus = fc.constantFrom(
  ...(Object.values(MountStat3).filter((v) => typeof v === 'number' && v !== MountStat3.OK) as Exclude<
    MountStat3,
    MountStat3.OK
  >[]),
);
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const dirpath = fc.string({ maxLength: 60 });
const name = fc.string({ maxLength: 30 });
const mountBody: fc.Arbitrary<MountBody> = fc.record({ hostname: name, directory: dirpath });
const exportNode: fc.Arbitrary<ExportNode> = fc.record({ dir: dirpath, groups: fc.array(name, { maxLength: 4 }) });

describe('MOUNTPROC3_MNT', () => {
  checkArgsFixture(MOUNTPROC3_MNT, 'dirpath', hex(EXPORT_PATH_HEX), '/export');
  checkResultFixture(
    MOUNTPROC3_MNT,
    'MNT3_OK',
    hex`
      00000000  // fhs_status MNT3_OK
      00000008 01020304 05060708  // fhandle3, 8 bytes
      00000001  // auth_flavors: 1 element
      00000001  //   AUTH_SYS
    `,
    { status: MountStat3.OK, fhandle: Buffer.from('0102030405060708', 'hex'), authFlavors: [1] },
  );
  checkResultFixture(MOUNTPROC3_MNT, 'MNT3ERR_NOENT', hex`00000002 // MNT3ERR_NOENT, no body`, {
    status: MountStat3.NOENT,
  });
  checkResultFixture(MOUNTPROC3_MNT, 'MNT3ERR_SERVERFAULT', hex`00002716 // 10006`, {
    status: MountStat3.SERVERFAULT,
  });
  const res3: fc.Arbitrary<MountRes3> = fc.oneof(
    fc
      .record({ fhandle: bytes(64), authFlavors: fc.array(int32, { maxLength: 4 }) })
      .map((ok): MountRes3 => ({ status: MountStat3.OK, ...ok })),
    failStatus.map((status): MountRes3 => ({ status })),
  );
  checkCodecProperties(MOUNTPROC3_MNT, dirpath, res3);
});

describe('MOUNTPROC3_UMNT', () => {
  checkArgsFixture(MOUNTPROC3_UMNT, 'dirpath', hex(EXPORT_PATH_HEX), '/export');
  checkResultFixture(MOUNTPROC3_UMNT, 'void reply', hex``, undefined);
  test('the reply is zero bytes: no status word', () => {
    assert.equal(encodeWith(MOUNTPROC3_UMNT.writeResult, undefined).length, 0);
  });
  checkCodecProperties(MOUNTPROC3_UMNT, dirpath, fc.constant(undefined));
});

describe('MOUNTPROC3_UMNTALL', () => {
  checkArgsFixture(MOUNTPROC3_UMNTALL, 'void', hex``, undefined);
  checkResultFixture(MOUNTPROC3_UMNTALL, 'void', hex``, undefined);
});

describe('MOUNTPROC3_DUMP', () => {
  checkResultFixture(
    MOUNTPROC3_DUMP,
    'two mounts',
    hex`
      00000001  // value follows
      00000009 3132372e 302e302e 31000000  // ml_hostname "127.0.0.1"
      00000007 2f657870 6f727400  // ml_directory "/export"
      00000001  // next follows
      00000003 3a3a3100  // ml_hostname "::1"
      00000004 2f737276  // ml_directory "/srv"
      00000000  // end of list
    `,
    [
      { hostname: '127.0.0.1', directory: '/export' },
      { hostname: '::1', directory: '/srv' },
    ],
  );
  checkResultFixture(MOUNTPROC3_DUMP, 'empty', hex`00000000`, []);
  checkCodecProperties(MOUNTPROC3_DUMP, fc.constant(undefined), fc.array(mountBody, { maxLength: 4 }));
});

describe('MOUNTPROC3_EXPORT', () => {
  checkResultFixture(
    MOUNTPROC3_EXPORT,
    'two exports',
    hex`
      00000001  // value follows
      00000007 2f657870 6f727400  // ex_dir "/export"
      00000001  // ex_groups: value follows
      00000001 2a000000  //   gr_name "*"
      00000000  //   end of groups
      00000001  // next follows
      00000004 2f737276  // ex_dir "/srv"
      00000001  // ex_groups: value follows
      00000005 686f7374 61000000  //   gr_name "hosta"
      00000001  //   next follows
      0000000a 31302e30 2e302e30 2f380000  //   gr_name "10.0.0.0/8"
      00000000  //   end of groups
      00000000  // end of list
    `,
    [
      { dir: '/export', groups: ['*'] },
      { dir: '/srv', groups: ['hosta', '10.0.0.0/8'] },
    ],
  );
  checkCodecProperties(MOUNTPROC3_EXPORT, fc.constant(undefined), fc.array(exportNode, { maxLength: 3 }));
});

describe('MOUNTPROC3_NULL', () => {
  checkResultFixture(MOUNTPROC3_NULL, 'void', hex``, undefined);
});

describe('MOUNTPROC_MNT (version 1)', () => {
  const fh = Buffer.alloc(FHSIZE);
  fh.write('0102030405060708', 'hex');
  checkArgsFixture(MOUNTPROC_MNT, 'dirpath', hex(EXPORT_PATH_HEX), '/export');
  checkResultFixture(
    MOUNTPROC_MNT,
    'ok',
    hex`
      00000000  // fhs_status 0
      01020304 05060708 00000000 00000000  // fhandle: 32 bytes, no length word
      00000000 00000000 00000000 00000000
    `,
    { status: MountStat3.OK, fhandle: fh },
  );
  checkResultFixture(MOUNTPROC_MNT, 'EACCES', hex`0000000d // 13`, { status: MountStat3.ACCES });
  test('a handle of any other length than 32 is refused', () => {
    const short: FhStatus = { status: MountStat3.OK, fhandle: Buffer.alloc(24) };
    assert.throws(() => MOUNTPROC_MNT.writeResult(new XdrWriter(), short), RangeError);
  });
  const fhStatus: fc.Arbitrary<FhStatus> = fc.oneof(
    bytes(FHSIZE, FHSIZE).map((fhandle): FhStatus => ({ status: MountStat3.OK, fhandle })),
    failStatus.map((status): FhStatus => ({ status })),
  );
  checkCodecProperties(MOUNTPROC_MNT, dirpath, fhStatus);
});

test('version 1 DUMP, UMNT, UMNTALL and EXPORT are the version 3 codecs', () => {
  assert.equal(MOUNTPROC_DUMP, MOUNTPROC3_DUMP);
  assert.equal(MOUNTPROC_UMNT, MOUNTPROC3_UMNT);
  assert.equal(MOUNTPROC_UMNTALL, MOUNTPROC3_UMNTALL);
  assert.equal(MOUNTPROC_EXPORT, MOUNTPROC3_EXPORT);
});

test('a dirpath longer than MNTPATHLEN is refused', () => {
  const long = encodeWith(MOUNTPROC3_MNT.writeArgs, '/' + 'a'.repeat(1024));
  assert.throws(() => MOUNTPROC3_MNT.readArgs(new XdrReader(long)), XdrError);
});
