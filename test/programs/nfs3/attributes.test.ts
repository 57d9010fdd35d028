/** GETATTR and SETATTR handlers. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NfsError } from '../../../src/backend/errors.js';
import { NfsStat3, TimeHow } from '../../../src/proto/nfs3/constants.js';
import { getattr } from '../../../src/programs/nfs3/getattr.js';
import { setattr } from '../../../src/programs/nfs3/setattr.js';
import { errno } from '../../helpers/errno.js';
import { fakeBackend } from '../../helpers/fake-backend.js';
import { callProc, testEnv } from '../../helpers/nfs3-env.js';
import { FATTR, WCC_ATTR } from '../../helpers/nfs3-fixtures.js';

const FILE = Buffer.from('file-1');

describe('GETATTR', () => {
  test('returns the backend attributes of the backend handle, acting as the squashed caller', async () => {
    const t = testEnv();
    const fake = fakeBackend({ getattr: async () => FATTR });
    const { fh } = t.addExport('/srv', fake.backend);
    assert.deepEqual(await callProc(getattr(t.support), { object: fh(FILE) }), { status: NfsStat3.OK, objAttributes: FATTR });
    assert.deepEqual(fake.calls[0]?.args, [FILE, { cred: { uid: 65534, gid: 65534, gids: [] } }]);
  });

  for (const [thrown, status] of [
    [errno('ENOENT'), NfsStat3.NOENT],
    [errno('EACCES'), NfsStat3.ACCES],
    [errno('ESTALE'), NfsStat3.STALE],
    [errno('EIO'), NfsStat3.IO],
    [new NfsError(NfsStat3.JUKEBOX), NfsStat3.JUKEBOX],
    [new TypeError('a bug'), NfsStat3.SERVERFAULT],
  ] as const) {
    test(`maps ${thrown.name} ${(thrown as { code?: string }).code ?? thrown.message} to ${NfsStat3[status]}`, async () => {
      const t = testEnv();
      const { fh } = t.addExport('/srv', fakeBackend({ getattr: async () => Promise.reject(thrown) }).backend);
      assert.deepEqual(await callProc(getattr(t.support), { object: fh(FILE) }), { status });
    });
  }

  test('a handle this server never issued is BADHANDLE, without reaching the backend', async () => {
    const t = testEnv();
    const fake = fakeBackend({});
    const { fh } = t.addExport('/srv', fake.backend);
    const forged = Buffer.from(fh(FILE));
    forged[forged.length - 1]! ^= 1;
    assert.deepEqual(await callProc(getattr(t.support), { object: forged }), { status: NfsStat3.BADHANDLE });
    assert.deepEqual(fake.calls, []);
  });

  test('a handle of a removed export is STALE', async () => {
    const t = testEnv();
    const { fh } = t.addExport('/srv', fakeBackend({}).backend);
    t.env.exports.remove('/srv');
    assert.deepEqual(await callProc(getattr(t.support), { object: fh(FILE) }), { status: NfsStat3.STALE });
  });
});

describe('SETATTR', () => {
  const guard = { seconds: 5, nseconds: 6 };
  const newAttributes = { mode: 0o600, mtime: { how: TimeHow.SET_TO_SERVER_TIME as const } };

  test('passes attributes and guard ctime to the backend and returns its wcc', async () => {
    const t = testEnv();
    const wcc = { before: WCC_ATTR, after: FATTR };
    const fake = fakeBackend({ setattr: async () => wcc });
    const { fh } = t.addExport('/srv', fake.backend);
    const res = await callProc(setattr(t.support), { object: fh(FILE), newAttributes, guard });
    assert.deepEqual(res, { status: NfsStat3.OK, objWcc: wcc });
    assert.deepEqual(fake.calls[0]?.args.slice(0, 3), [FILE, newAttributes, guard]);
  });

  test('without a guard the backend gets no guard ctime', async () => {
    const t = testEnv();
    const fake = fakeBackend({ setattr: async () => ({}) });
    const { fh } = t.addExport('/srv', fake.backend);
    await callProc(setattr(t.support), { object: fh(FILE), newAttributes });
    assert.equal(fake.calls[0]?.args[2], undefined);
  });

  test('NOT_SYNC from the guard carries the current attributes', async () => {
    const t = testEnv();
    const fake = fakeBackend({
      setattr: async () => Promise.reject(new NfsError(NfsStat3.NOT_SYNC)),
      getattr: async () => FATTR,
    });
    const { fh } = t.addExport('/srv', fake.backend);
    const res = await callProc(setattr(t.support), { object: fh(FILE), newAttributes, guard });
    assert.deepEqual(res, { status: NfsStat3.NOT_SYNC, objWcc: { after: FATTR } });
  });

  test('a read-only export answers ROFS with post-op attributes and never calls setattr', async () => {
    const t = testEnv();
    const fake = fakeBackend({ getattr: async () => FATTR });
    const { fh } = t.addExport('/srv', fake.backend, { readOnly: true });
    const res = await callProc(setattr(t.support), { object: fh(FILE), newAttributes });
    assert.deepEqual(res, { status: NfsStat3.ROFS, objWcc: { after: FATTR } });
    assert.deepEqual(
      fake.calls.map((c) => c.method),
      ['getattr'],
    );
  });

  test('when even getattr fails, the failure reply has no attributes', async () => {
    const t = testEnv();
    const fake = fakeBackend({
      setattr: async () => Promise.reject(errno('EPERM')),
      getattr: async () => Promise.reject(errno('ESTALE')),
    });
    const { fh } = t.addExport('/srv', fake.backend);
    const res = await callProc(setattr(t.support), { object: fh(FILE), newAttributes });
    assert.deepEqual(res, { status: NfsStat3.PERM, objWcc: { after: undefined } });
  });
});
