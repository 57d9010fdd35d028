/** READLINK handler. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Ftype3, NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import { readlink } from '../../../src/programs/nfs3/readlink.js';
import { errno } from '../../helpers/errno.js';
import { fakeBackend } from '../../helpers/fake-backend.js';
import { callProc, testEnv } from '../../helpers/nfs3-env.js';
import { FATTR } from '../../helpers/nfs3-fixtures.js';

const LINK = Buffer.from('link-1');
const LINK_ATTR = { ...FATTR, type: Ftype3.LNK };

describe('READLINK', () => {
  test('returns the target bytes as they are, with attributes', async () => {
    const target = Buffer.from([0x2e, 0x2e, 0x2f, 0xff]);
    const t = testEnv();
    const fake = fakeBackend({ readlink: async () => ({ target, attrs: LINK_ATTR }) });
    const { fh } = t.addExport('/ro', fake.backend, { readOnly: true });
    const res = await callProc(readlink(t.support), { symlink: fh(LINK) });
    assert.deepEqual(res, { status: NfsStat3.OK, symlinkAttributes: LINK_ATTR, data: target });
    assert.deepEqual(fake.calls[0]?.args[0], LINK);
  });

  test('attributes the backend left out are fetched', async () => {
    const t = testEnv();
    const fake = fakeBackend({ readlink: async () => ({ target: Buffer.from('t') }), getattr: async () => LINK_ATTR });
    const { fh } = t.addExport('/srv', fake.backend);
    const res = await callProc(readlink(t.support), { symlink: fh(LINK) });
    assert.deepEqual(res, { status: NfsStat3.OK, symlinkAttributes: LINK_ATTR, data: Buffer.from('t') });
  });

  test('a non-link is INVAL with its attributes', async () => {
    const t = testEnv();
    const fake = fakeBackend({ readlink: async () => Promise.reject(errno('EINVAL')), getattr: async () => FATTR });
    const { fh } = t.addExport('/srv', fake.backend);
    const res = await callProc(readlink(t.support), { symlink: fh(LINK) });
    assert.deepEqual(res, { status: NfsStat3.INVAL, symlinkAttributes: FATTR });
  });
});
