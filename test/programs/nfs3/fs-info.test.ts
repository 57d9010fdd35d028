/** FSSTAT, FSINFO, PATHCONF and COMMIT: values mapped from the backend and the server limits. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Backend } from '../../../src/backend/backend.js';
import { FSF3_CANSETTIME, FSF3_HOMOGENEOUS, FSF3_LINK, FSF3_SYMLINK, NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import type { Fattr3 } from '../../../src/proto/nfs3/types.js';
import { commit } from '../../../src/programs/nfs3/commit.js';
import { fsinfo } from '../../../src/programs/nfs3/fsinfo.js';
import { fsstat } from '../../../src/programs/nfs3/fsstat.js';
import { pathconf } from '../../../src/programs/nfs3/pathconf.js';
import { errno } from '../../helpers/errno.js';
import { fakeBackend } from '../../helpers/fake-backend.js';
import { FATTR, WCC_ATTR } from '../../helpers/nfs3-fixtures.js';
import { callProc, testEnv } from '../../helpers/nfs3-env.js';

const ROOT = Buffer.from('root');
const OTHER_ATTRS: Fattr3 = { ...FATTR, fileid: 12345n };

function setup(methods: Partial<Backend>, readOnly = false) {
  const t = testEnv({ readMax: 256 << 10, writeMax: 128 << 10, dirPreferred: 32 << 10 });
  const fake = fakeBackend({ getattr: async () => OTHER_ATTRS, ...methods });
  const fh = t.addExport('/e', fake.backend, { readOnly }).fh(ROOT);
  return { t, fake, fh };
}

describe('FSSTAT', () => {
  test('maps the backend counts', async () => {
    const { t, fh } = setup({
      async fsstat() {
        return {
          totalBytes: 1n << 40n,
          freeBytes: 3n,
          availBytes: 2n,
          totalFiles: 100n,
          freeFiles: 10n,
          availFiles: 9n,
          invarsec: 0,
          attrs: FATTR,
        };
      },
    });
    assert.deepEqual(await callProc(fsstat(t.support), { fsroot: fh }), {
      status: NfsStat3.OK,
      objAttributes: FATTR,
      tbytes: 1n << 40n,
      fbytes: 3n,
      abytes: 2n,
      tfiles: 100n,
      ffiles: 10n,
      afiles: 9n,
      invarsec: 0,
    });
  });

  test('a failure carries the object attributes when they can be had', async () => {
    const { t, fh } = setup({
      async fsstat() {
        throw errno('EIO');
      },
    });
    assert.deepEqual(await callProc(fsstat(t.support), { fsroot: fh }), { status: NfsStat3.IO, objAttributes: OTHER_ATTRS });
  });

  test('a failure with unreadable attributes leaves them out', async () => {
    const { t, fh } = setup({
      async fsstat() {
        throw errno('ESTALE');
      },
      async getattr() {
        throw errno('ESTALE');
      },
    });
    assert.deepEqual(await callProc(fsstat(t.support), { fsroot: fh }), { status: NfsStat3.STALE, objAttributes: undefined });
  });
});

describe('FSINFO', () => {
  const PROPS = FSF3_LINK | FSF3_SYMLINK | FSF3_HOMOGENEOUS | FSF3_CANSETTIME;

  test('transfer sizes from the server limits, the rest from the backend', async () => {
    const { t, fh } = setup({
      async fsinfo() {
        return { maxFileSize: (1n << 63n) - 1n, timeDelta: { seconds: 0, nseconds: 1 }, properties: PROPS };
      },
    });
    assert.deepEqual(await callProc(fsinfo(t.support), { fsroot: fh }), {
      status: NfsStat3.OK,
      objAttributes: OTHER_ATTRS,
      rtmax: 256 << 10,
      rtpref: 256 << 10,
      rtmult: 4096,
      wtmax: 128 << 10,
      wtpref: 128 << 10,
      wtmult: 4096,
      dtpref: 32 << 10,
      maxfilesize: (1n << 63n) - 1n,
      timeDelta: { seconds: 0, nseconds: 1 },
      properties: PROPS,
    });
  });

  test('a failure maps and carries attributes', async () => {
    const { t, fh } = setup({
      async fsinfo() {
        throw errno('EACCES');
      },
    });
    assert.deepEqual(await callProc(fsinfo(t.support), { fsroot: fh }), { status: NfsStat3.ACCES, objAttributes: OTHER_ATTRS });
  });

  test('works on a read-only export', async () => {
    const { t, fh } = setup(
      { fsinfo: async () => ({ maxFileSize: 1n, timeDelta: { seconds: 1, nseconds: 0 }, properties: 0, attrs: FATTR }) },
      true,
    );
    const res = await callProc(fsinfo(t.support), { fsroot: fh });
    assert.equal(res.status, NfsStat3.OK);
    assert.deepEqual(res.objAttributes, FATTR);
  });
});

describe('PATHCONF', () => {
  test('maps the backend values', async () => {
    const { t, fh } = setup({
      async pathconf() {
        return { linkMax: 65000, nameMax: 255, noTrunc: true, chownRestricted: true, caseInsensitive: false, casePreserving: true };
      },
    });
    assert.deepEqual(await callProc(pathconf(t.support), { object: fh }), {
      status: NfsStat3.OK,
      objAttributes: OTHER_ATTRS,
      linkmax: 65000,
      nameMax: 255,
      noTrunc: true,
      chownRestricted: true,
      caseInsensitive: false,
      casePreserving: true,
    });
  });

  test('a stale handle is STALE', async () => {
    const { t, fh } = setup({
      async pathconf() {
        throw errno('ESTALE');
      },
      async getattr() {
        throw errno('ESTALE');
      },
    });
    assert.deepEqual(await callProc(pathconf(t.support), { object: fh }), { status: NfsStat3.STALE, objAttributes: undefined });
  });
});

describe('COMMIT', () => {
  const VERF = Buffer.from('0011223344556677', 'hex');
  const wcc = { before: WCC_ATTR, after: FATTR };

  test('passes offset and count; returns the backend verifier and wcc', async () => {
    const { t, fh, fake } = setup({ commit: async () => ({ verifier: VERF, wcc }) });
    const res = await callProc(commit(t.support), { file: fh, offset: 4096n, count: 8192 });
    assert.deepEqual(res, { status: NfsStat3.OK, fileWcc: wcc, verf: VERF });
    assert.deepEqual(fake.calls.find((c) => c.method === 'commit')!.args.slice(0, 3), [ROOT, 4096n, 8192]);
  });

  test('a failed flush maps to its status with the file attributes', async () => {
    const { t, fh } = setup({
      async commit() {
        throw errno('EIO');
      },
    });
    const res = await callProc(commit(t.support), { file: fh, offset: 0n, count: 0 });
    assert.deepEqual(res, { status: NfsStat3.IO, fileWcc: { after: OTHER_ATTRS } });
  });

  test('an offset beyond 2^63 - 1 is INVAL', async () => {
    const { t, fh, fake } = setup({ commit: async () => ({ verifier: VERF, wcc }) });
    const res = await callProc(commit(t.support), { file: fh, offset: 1n << 63n, count: 0 });
    assert.deepEqual(res, { status: NfsStat3.INVAL, fileWcc: { after: OTHER_ATTRS } });
    assert.ok(!fake.calls.some((c) => c.method === 'commit'));
  });

  test('a read-only export is ROFS, as knfsd', async () => {
    const { t, fh } = setup({ commit: async () => ({ verifier: VERF, wcc }) }, true);
    const res = await callProc(commit(t.support), { file: fh, offset: 0n, count: 0 });
    assert.deepEqual(res, { status: NfsStat3.ROFS, fileWcc: { after: OTHER_ATTRS } });
  });
});
