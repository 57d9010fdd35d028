/** LOOKUP handler. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Ftype3, NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { lookup } from '../../../src/programs/nfs3/lookup.js';
import { errno } from '../../helpers/errno.js';
import { fakeBackend } from '../../helpers/fake-backend.js';
import { callProc, testEnv } from '../../helpers/nfs3-env.js';
import { FATTR } from '../../helpers/nfs3-fixtures.js';

const DIR = Buffer.from('dir-1');
const CHILD = Buffer.from('child-2');
const DIR_ATTR = { ...FATTR, type: Ftype3.DIR, fileid: 1n };

describe('LOOKUP', () => {
  test('answers a client handle for the backend handle found, with both attributes', async () => {
    const t = testEnv();
    const fake = fakeBackend({ lookup: async () => ({ handle: CHILD, attrs: FATTR, dirAttrs: DIR_ATTR }) });
    const { exp, fh } = t.addExport('/srv', fake.backend);
    const res = await callProc(lookup(t.support), { what: { dir: fh(DIR), name: Buffer.from('a') } });
    assert.equal(res.status, NfsStat3.OK);
    if (res.status !== NfsStat3.OK) return;
    assert.deepEqual(t.env.exports.resolve(res.object), { exp, handle: CHILD });
    assert.deepEqual(res.objAttributes, FATTR);
    assert.deepEqual(res.dirAttributes, DIR_ATTR);
    assert.deepEqual(fake.calls[0]?.args.slice(0, 2), [DIR, Buffer.from('a')]);
  });

  test('directory attributes the backend left out are fetched', async () => {
    const t = testEnv();
    const fake = fakeBackend({ lookup: async () => ({ handle: CHILD, attrs: FATTR }), getattr: async () => DIR_ATTR });
    const { fh } = t.addExport('/srv', fake.backend);
    const res = await callProc(lookup(t.support), { what: { dir: fh(DIR), name: Buffer.from('a') } });
    assert.ok(res.status === NfsStat3.OK);
    assert.deepEqual(res.dirAttributes, DIR_ATTR);
    assert.deepEqual(fake.calls[1]?.args[0], DIR);
  });

  for (const name of ['.', '..']) {
    test(`"${name}" reaches the backend`, async () => {
      const t = testEnv();
      const fake = fakeBackend({ lookup: async () => ({ handle: DIR, attrs: DIR_ATTR, dirAttrs: DIR_ATTR }) });
      const { fh } = t.addExport('/srv', fake.backend);
      const res = await callProc(lookup(t.support), { what: { dir: fh(DIR), name: Buffer.from(name) } });
      assert.equal(res.status, NfsStat3.OK);
      assert.deepEqual(fake.calls[0]?.args[1], Buffer.from(name));
    });
  }

  test('a missing name is NOENT with the directory attributes', async () => {
    const t = testEnv();
    const fake = fakeBackend({ lookup: async () => Promise.reject(errno('ENOENT')), getattr: async () => DIR_ATTR });
    const { fh } = t.addExport('/srv', fake.backend);
    const res = await callProc(lookup(t.support), { what: { dir: fh(DIR), name: Buffer.from('nope') } });
    assert.deepEqual(res, { status: NfsStat3.NOENT, dirAttributes: DIR_ATTR });
  });

  test('lookup in a non-directory is NOTDIR', async () => {
    const t = testEnv();
    const fake = fakeBackend({ lookup: async () => Promise.reject(errno('ENOTDIR')), getattr: async () => FATTR });
    const { fh } = t.addExport('/srv', fake.backend);
    const res = await callProc(lookup(t.support), { what: { dir: fh(CHILD), name: Buffer.from('x') } });
    assert.deepEqual(res, { status: NfsStat3.NOTDIR, dirAttributes: FATTR });
  });

  for (const [label, name, status] of [
    ['empty', Buffer.alloc(0), NfsStat3.NOENT],
    ['with a slash', Buffer.from('a/b'), NfsStat3.NOENT],
    ['with a NUL', Buffer.from('a\0b'), NfsStat3.NOENT],
    ['of 256 bytes', Buffer.alloc(256, 0x61), NfsStat3.NAMETOOLONG],
  ] as const) {
    test(`a name ${label} is ${NfsStat3[status]} without a backend lookup`, async () => {
      const t = testEnv();
      const fake = fakeBackend({ getattr: async () => DIR_ATTR });
      const { fh } = t.addExport('/srv', fake.backend);
      const res = await callProc(lookup(t.support), { what: { dir: fh(DIR), name } });
      assert.deepEqual(res, { status, dirAttributes: DIR_ATTR });
      assert.ok(!fake.calls.some((c) => c.method === 'lookup'));
    });
  }

  test('a name of 255 bytes is looked up', async () => {
    const t = testEnv();
    const fake = fakeBackend({ lookup: async () => Promise.reject(errno('ENOENT')), getattr: async () => DIR_ATTR });
    const { fh } = t.addExport('/srv', fake.backend);
    const res = await callProc(lookup(t.support), { what: { dir: fh(DIR), name: Buffer.alloc(255, 0x61) } });
    assert.equal(res.status, NfsStat3.NOENT);
    assert.equal(fake.calls[0]?.method, 'lookup');
  });

  test('a bad directory handle is BADHANDLE with no attributes', async () => {
    const t = testEnv();
    t.addExport('/srv', fakeBackend({}).backend);
    const res = await callProc(lookup(t.support), { what: { dir: Buffer.alloc(24), name: Buffer.from('a') } });
    assert.deepEqual(res, { status: NfsStat3.BADHANDLE, dirAttributes: undefined });
  });
});
