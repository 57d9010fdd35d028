/** RENAME and LINK: two handles on one export, name rules, read-only exports, and attributes on failure. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Backend } from '../../../src/backend/backend.js';
import { NfsError } from '../../../src/backend/errors.js';
import { NfsStat3 } from '../../../src/proto/nfs3/constants.js';
import type { Fattr3, WccData } from '../../../src/proto/nfs3/types.js';
import { link } from '../../../src/programs/nfs3/link.js';
import { rename } from '../../../src/programs/nfs3/rename.js';
import { errno } from '../../helpers/errno.js';
import { fakeBackend } from '../../helpers/fake-backend.js';
import { FATTR, WCC_ATTR } from '../../helpers/nfs3-fixtures.js';
import { callProc, testEnv } from '../../helpers/nfs3-env.js';

const A = Buffer.from('dirA');
const B = Buffer.from('dirB');
const FILE = Buffer.from('file');
/** Attributes per backend handle, so a test can tell which object's attributes came back. */
const attrsOf = (h: Buffer): Fattr3 => ({ ...FATTR, fileid: BigInt(h.readUInt32BE(0)) });
const wccOf = (h: Buffer): WccData => ({ before: WCC_ATTR, after: attrsOf(h) });
const n = (s: string | Buffer) => Buffer.from(s);

function setup(methods: Partial<Backend>, readOnly = false) {
  const t = testEnv();
  const fake = fakeBackend({ ...methods, getattr: async (h) => attrsOf(h) });
  const fh = t.addExport('/e', fake.backend, { readOnly }).fh;
  const other = t.addExport('/other', fakeBackend({ getattr: async (h) => attrsOf(h) }).backend).fh;
  return { t, fake, fh, other, rename: rename(t.support), link: link(t.support) };
}

describe('RENAME', () => {
  const renameOk: Partial<Backend> = {
    async rename(fromDir, _fromName, toDir) {
      return { fromDirWcc: wccOf(fromDir), toDirWcc: wccOf(toDir) };
    },
  };

  test('passes both backend handles and names; returns both wcc', async () => {
    const s = setup(renameOk);
    const res = await callProc(s.rename, { from: { dir: s.fh(A), name: n('old') }, to: { dir: s.fh(B), name: n('new') } });
    assert.deepEqual(res, { status: NfsStat3.OK, fromdirWcc: wccOf(A), todirWcc: wccOf(B) });
    const call = s.fake.calls.find((c) => c.method === 'rename')!;
    assert.deepEqual(call.args.slice(0, 4), [A, n('old'), B, n('new')]);
  });

  test('a target directory on another export is XDEV, without reaching the backend', async () => {
    const s = setup(renameOk);
    const res = await callProc(s.rename, { from: { dir: s.fh(A), name: n('x') }, to: { dir: s.other(B), name: n('y') } });
    assert.equal(res.status, NfsStat3.XDEV);
    assert.deepEqual(res.fromdirWcc, { after: attrsOf(A) });
    assert.ok(!s.fake.calls.some((c) => c.method === 'rename'));
  });

  test('a read-only export is ROFS, with both directories attributes', async () => {
    const s = setup(renameOk, true);
    const res = await callProc(s.rename, { from: { dir: s.fh(A), name: n('x') }, to: { dir: s.fh(B), name: n('y') } });
    assert.deepEqual(res, { status: NfsStat3.ROFS, fromdirWcc: { after: attrsOf(A) }, todirWcc: { after: attrsOf(B) } });
    assert.ok(!s.fake.calls.some((c) => c.method === 'rename'));
  });

  test('name rules: the source as an existing name, the target as a new one', async () => {
    const s = setup(renameOk);
    const status = async (from: string | Buffer, to: string | Buffer) =>
      (await callProc(s.rename, { from: { dir: s.fh(A), name: n(from) }, to: { dir: s.fh(B), name: n(to) } })).status;
    assert.equal(await status('', 'y'), NfsStat3.NOENT);
    assert.equal(await status('a/b', 'y'), NfsStat3.NOENT);
    assert.equal(await status('.', 'y'), NfsStat3.PERM);
    assert.equal(await status('..', 'y'), NfsStat3.PERM);
    assert.equal(await status('x', ''), NfsStat3.NOENT);
    assert.equal(await status('x', 'a/b'), NfsStat3.INVAL);
    assert.equal(await status('x', 'a\0'), NfsStat3.INVAL);
    assert.equal(await status('x', '.'), NfsStat3.EXIST);
    assert.equal(await status('x', '..'), NfsStat3.EXIST);
    assert.equal(await status('x', Buffer.alloc(256, 0x62)), NfsStat3.NAMETOOLONG);
    assert.ok(!s.fake.calls.some((c) => c.method === 'rename'));
  });

  test('backend failures map to nfsstat3 with both directories attributes', async () => {
    for (const [err, status] of [
      [errno('ENOENT'), NfsStat3.NOENT],
      [errno('EXDEV'), NfsStat3.XDEV],
      [errno('ENOTEMPTY'), NfsStat3.NOTEMPTY],
      [errno('EINVAL'), NfsStat3.INVAL],
      [new NfsError(NfsStat3.JUKEBOX), NfsStat3.JUKEBOX],
      [new TypeError('bug'), NfsStat3.SERVERFAULT],
    ] as const) {
      const s = setup({
        async rename() {
          throw err;
        },
      });
      const res = await callProc(s.rename, { from: { dir: s.fh(A), name: n('x') }, to: { dir: s.fh(B), name: n('y') } });
      assert.deepEqual(res, { status, fromdirWcc: { after: attrsOf(A) }, todirWcc: { after: attrsOf(B) } }, String(err));
    }
  });
});

describe('LINK', () => {
  const linkOk: Partial<Backend> = {
    async link(file, dir) {
      return { attrs: attrsOf(file), dirWcc: wccOf(dir) };
    },
  };

  test('passes the file, the directory and the name; returns the file attributes and directory wcc', async () => {
    const s = setup(linkOk);
    const res = await callProc(s.link, { file: s.fh(FILE), link: { dir: s.fh(A), name: n('alias') } });
    assert.deepEqual(res, { status: NfsStat3.OK, fileAttributes: attrsOf(FILE), linkdirWcc: wccOf(A) });
    assert.deepEqual(s.fake.calls.find((c) => c.method === 'link')!.args.slice(0, 3), [FILE, A, n('alias')]);
  });

  test('fetches the file attributes when the backend leaves them out', async () => {
    const s = setup({ link: async (_f, dir) => ({ dirWcc: wccOf(dir) }) });
    const res = await callProc(s.link, { file: s.fh(FILE), link: { dir: s.fh(A), name: n('alias') } });
    assert.deepEqual(res, { status: NfsStat3.OK, fileAttributes: attrsOf(FILE), linkdirWcc: wccOf(A) });
  });

  test('a file on another export is XDEV', async () => {
    const s = setup(linkOk);
    const res = await callProc(s.link, { file: s.other(FILE), link: { dir: s.fh(A), name: n('alias') } });
    assert.deepEqual(res, { status: NfsStat3.XDEV, fileAttributes: undefined, linkdirWcc: { after: attrsOf(A) } });
    assert.ok(!s.fake.calls.some((c) => c.method === 'link'));
  });

  test('a read-only export is ROFS, with the file and directory attributes', async () => {
    const s = setup(linkOk, true);
    const res = await callProc(s.link, { file: s.fh(FILE), link: { dir: s.fh(A), name: n('alias') } });
    assert.deepEqual(res, { status: NfsStat3.ROFS, fileAttributes: attrsOf(FILE), linkdirWcc: { after: attrsOf(A) } });
    assert.ok(!s.fake.calls.some((c) => c.method === 'link'));
  });

  test('the new name follows the rules for creating', async () => {
    const s = setup(linkOk);
    const status = async (name: string | Buffer) =>
      (await callProc(s.link, { file: s.fh(FILE), link: { dir: s.fh(A), name: n(name) } })).status;
    assert.equal(await status(''), NfsStat3.NOENT);
    assert.equal(await status('.'), NfsStat3.EXIST);
    assert.equal(await status('..'), NfsStat3.EXIST);
    assert.equal(await status('a/b'), NfsStat3.INVAL);
    assert.equal(await status(Buffer.alloc(256, 0x62)), NfsStat3.NAMETOOLONG);
    assert.ok(!s.fake.calls.some((c) => c.method === 'link'));
  });

  test('backend failures map to nfsstat3 with the file and directory attributes', async () => {
    for (const [code, status] of [
      ['EMLINK', NfsStat3.MLINK],
      ['EEXIST', NfsStat3.EXIST],
      ['EPERM', NfsStat3.PERM],
      ['ENOSPC', NfsStat3.NOSPC],
    ] as const) {
      const s = setup({
        async link() {
          throw errno(code);
        },
      });
      const res = await callProc(s.link, { file: s.fh(FILE), link: { dir: s.fh(A), name: n('alias') } });
      assert.deepEqual(res, { status, fileAttributes: attrsOf(FILE), linkdirWcc: { after: attrsOf(A) } }, code);
    }
  });
});
