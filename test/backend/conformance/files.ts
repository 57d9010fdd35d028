/** CREATE in its three modes, READ/WRITE/COMMIT, and SETATTR. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateMode, Ftype3, NfsStat3, StableHow, TimeHow } from '../../../src/proto/nfs3/constants.js';
import {
  assertTimeNotBefore,
  createFile,
  getattr,
  mkdir,
  name,
  pattern,
  readAll,
  rejectsWith,
  ROOT,
  timeNs,
  withBackend,
  writeAt,
  type Fixture,
  type MakeBackend,
} from './fixture.js';

const MiB = 1024 * 1024;

function exclusive(f: Fixture, n: string, verifier: Buffer) {
  return f.b.create(f.root, name(n), { mode: CreateMode.EXCLUSIVE, verifier }, ROOT);
}

async function timeDeltaNs(f: Fixture): Promise<bigint> {
  return timeNs((await f.b.fsinfo(f.root, ROOT)).timeDelta);
}

export function files(make: MakeBackend): void {
  describe('create', () => {
    it('UNCHECKED makes an empty regular file with the requested mode', withBackend(make, [], async (f) => {
      const c = await createFile(f, f.root, 'new', { mode: 0o640 });
      assert.equal(c.attrs.type, Ftype3.REG);
      assert.equal(c.attrs.mode, 0o640);
      assert.equal(c.attrs.size, 0n);
      assert.equal(c.attrs.nlink, 1);
      assert.deepEqual(await getattr(f, c.handle), c.attrs);
    }));

    it('UNCHECKED on an existing file succeeds on the same file and applies only the size', withBackend(make, [], async (f) => {
      const first = await createFile(f, f.root, 'x', { mode: 0o600 });
      await writeAt(f, first.handle, 0, Buffer.from('hello'));
      const kept = await createFile(f, f.root, 'x', { mode: 0o600 });
      assert.equal(kept.attrs.fileid, first.attrs.fileid);
      assert.equal(kept.attrs.size, 5n, 'without a size attribute the data is kept');
      const truncated = await createFile(f, f.root, 'x', { mode: 0o600, size: 0n });
      assert.equal(truncated.attrs.fileid, first.attrs.fileid);
      assert.equal((await getattr(f, first.handle)).size, 0n);
    }));

    it('UNCHECKED on an existing directory fails', withBackend(make, [], async (f) => {
      await mkdir(f, f.root, 'd');
      await rejectsWith(createFile(f, f.root, 'd'), NfsStat3.EXIST, NfsStat3.ISDIR);
    }));

    it('GUARDED fails EXIST on an existing name and creates otherwise', withBackend(make, [], async (f) => {
      const guarded = (n: string) => f.b.create(f.root, name(n), { mode: CreateMode.GUARDED, attrs: { mode: 0o644 } }, ROOT);
      const c = await guarded('g');
      assert.equal(c.attrs.type, Ftype3.REG);
      await rejectsWith(guarded('g'), NfsStat3.EXIST);
      await mkdir(f, f.root, 'dir');
      await rejectsWith(guarded('dir'), NfsStat3.EXIST);
    }));

    it('EXCLUSIVE retransmitted with the same verifier succeeds with the same handle', withBackend(make, [], async (f) => {
      const verf = Buffer.from('0123abcd');
      const first = await exclusive(f, 'e', verf);
      assert.equal(first.attrs.type, Ftype3.REG);
      const again = await exclusive(f, 'e', Buffer.from(verf));
      assert.equal(again.attrs.fileid, first.attrs.fileid);
      assert.deepEqual(again.handle, first.handle);
    }));

    it('EXCLUSIVE with another verifier, or over a file not made by EXCLUSIVE, fails EXIST', withBackend(make, [], async (f) => {
      await exclusive(f, 'e', Buffer.from('verifier'));
      await rejectsWith(exclusive(f, 'e', Buffer.from('verifieR')), NfsStat3.EXIST);
      await createFile(f, f.root, 'plain');
      await rejectsWith(exclusive(f, 'plain', Buffer.from('verifier')), NfsStat3.EXIST);
      await mkdir(f, f.root, 'dir');
      await rejectsWith(exclusive(f, 'dir', Buffer.from('verifier')), NfsStat3.EXIST);
    }));

    it('an EXCLUSIVE file accepts the follow-up SETATTR a client sends', withBackend(make, [], async (f) => {
      const c = await exclusive(f, 'e', Buffer.from('12345678'));
      await f.b.setattr(c.handle, { mode: 0o640 }, undefined, ROOT);
      assert.equal((await getattr(f, c.handle)).mode, 0o640);
    }));

    it('create in a file is NOTDIR', withBackend(make, [], async (f) => {
      const file = await createFile(f, f.root, 'f');
      await rejectsWith(createFile(f, file.handle, 'x'), NfsStat3.NOTDIR);
    }));
  });

  describe('read and write', () => {
    it('writes at offsets overlay earlier data and extend the size', withBackend(make, [], async (f) => {
      const { handle } = await createFile(f, f.root, 'f');
      await writeAt(f, handle, 0, Buffer.from('abcdefgh'));
      await writeAt(f, handle, 3, Buffer.from('XY'));
      await writeAt(f, handle, 6, Buffer.from('1234'));
      assert.equal((await readAll(f, handle, 0, 100)).toString(), 'abcXYf1234');
      assert.equal((await getattr(f, handle)).size, 10n);
      assert.equal((await readAll(f, handle, 4, 3)).toString(), 'Yf1');
    }));

    it('many writes of assorted sizes and offsets read back like a model file', withBackend(make, [], async (f) => {
      const { handle } = await createFile(f, f.root, 'model');
      const model = Buffer.alloc(300_000);
      let size = 0;
      const lengths = [1, 511, 512, 513, 700, 3000, 4096, 65_535, 65_536, 65_537, 100_000];
      let seed = 12345;
      const next = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      for (let i = 0; i < 60; i++) {
        const length = lengths[i % lengths.length]!;
        // Half the writes append, as a client copying a file does; the others land anywhere.
        const offset = i % 2 === 0 ? Math.min(size, model.length - length) : next(model.length - length);
        const data = pattern(length, i);
        await writeAt(f, handle, offset, data);
        data.copy(model, offset);
        size = Math.max(size, offset + length);
      }
      assert.equal((await getattr(f, handle)).size, BigInt(size));
      assert.ok((await readAll(f, handle, 0, size)).equals(model.subarray(0, size)), 'file content differs from the model');
    }));

    it('a sparse hole reads as zeros and the size covers the last write', withBackend(make, [], async (f) => {
      const { handle } = await createFile(f, f.root, 'sparse');
      await writeAt(f, handle, 0, Buffer.from('head'));
      const far = 3 * MiB + 17;
      await writeAt(f, handle, far, Buffer.from('tail'));
      assert.equal((await getattr(f, handle)).size, BigInt(far + 4));
      const hole = await readAll(f, handle, 4, 200_000);
      assert.equal(hole.length, 200_000);
      assert.ok(hole.every((b) => b === 0), 'holes read as zeros');
      const around = await readAll(f, handle, far - 3, 10);
      assert.deepEqual(around, Buffer.concat([Buffer.alloc(3), Buffer.from('tail')]));
    }));

    it('reads report eof exactly and return nothing past the end', withBackend(make, [], async (f) => {
      const { handle } = await createFile(f, f.root, 'f');
      await writeAt(f, handle, 0, Buffer.from('0123456789'));
      const short = await f.b.read(handle, 0n, 4, ROOT);
      assert.equal(short.data.toString(), '0123');
      assert.equal(short.eof, false);
      const toEnd = await f.b.read(handle, 6n, 4, ROOT);
      assert.equal(toEnd.data.toString(), '6789');
      assert.equal(toEnd.eof, true, 'a read reaching the end reports eof');
      const over = await f.b.read(handle, 8n, 100, ROOT);
      assert.equal(over.data.toString(), '89');
      assert.equal(over.eof, true);
      const past = await f.b.read(handle, 1000n, 10, ROOT);
      assert.equal(past.data.length, 0);
      assert.equal(past.eof, true);
      const empty = await createFile(f, f.root, 'empty');
      const fromEmpty = await f.b.read(empty.handle, 0n, 10, ROOT);
      assert.equal(fromEmpty.data.length, 0);
      assert.equal(fromEmpty.eof, true);
    }));

    it('1 MiB of data round-trips byte-exact at an unaligned offset', withBackend(make, [], async (f) => {
      const { handle } = await createFile(f, f.root, 'big');
      const data = pattern(MiB, 7);
      const res = await f.b.write(handle, 4097n, data, StableHow.UNSTABLE, ROOT);
      assert.equal(res.count, MiB);
      assert.equal(res.wcc.after?.size ?? (await getattr(f, handle)).size, BigInt(4097 + MiB));
      const back = await readAll(f, handle, 4097, MiB);
      assert.ok(back.equals(data), 'data read back differs from data written');
      assert.ok((await readAll(f, handle, 0, 4097)).every((b) => b === 0));
    }));

    it('the backend neither keeps the caller\'s write buffer nor shares its read buffers', withBackend(make, [], async (f) => {
      const { handle } = await createFile(f, f.root, 'f');
      const src = Buffer.from('original');
      await f.b.write(handle, 0n, src, StableHow.FILE_SYNC, ROOT);
      src.fill(0x21);
      const first = await f.b.read(handle, 0n, 8, ROOT);
      assert.equal(first.data.toString(), 'original');
      const copy = Buffer.from(first.data);
      try {
        first.data.fill(0x3f);
      } catch {
        // An immutable view may refuse writes; that is allowed too.
      }
      assert.deepEqual((await f.b.read(handle, 0n, 8, ROOT)).data, copy);
    }));

    it('read and write of a directory fail ISDIR', withBackend(make, [], async (f) => {
      const d = await mkdir(f, f.root, 'd');
      await rejectsWith(f.b.read(d.handle, 0n, 10, ROOT), NfsStat3.ISDIR);
      await rejectsWith(f.b.write(d.handle, 0n, Buffer.from('x'), StableHow.FILE_SYNC, ROOT), NfsStat3.ISDIR);
    }));

    it('write reports an honest stability level and a stable 8-byte verifier that COMMIT repeats', withBackend(make, [], async (f) => {
      const { handle } = await createFile(f, f.root, 'f');
      const verifiers: Buffer[] = [];
      for (const stable of [StableHow.UNSTABLE, StableHow.DATA_SYNC, StableHow.FILE_SYNC]) {
        const r = await f.b.write(handle, BigInt(stable * 10), Buffer.from('0123456789'), stable, ROOT);
        assert.ok(Object.values(StableHow).includes(r.committed), `committed ${r.committed} is a stable_how`);
        assert.ok(r.committed >= stable, `asked ${StableHow[stable]}, got weaker ${StableHow[r.committed]}`);
        assert.equal(r.verifier.length, 8);
        verifiers.push(Buffer.from(r.verifier));
      }
      assert.deepEqual(verifiers[1], verifiers[0]);
      assert.deepEqual(verifiers[2], verifiers[0]);
      const c = await f.b.commit(handle, 0n, 0, ROOT);
      assert.deepEqual(c.verifier, verifiers[0]);
      assert.equal(c.wcc.after?.size ?? 30n, 30n);
      const c2 = await f.b.commit(handle, 5n, 5, ROOT);
      assert.deepEqual(c2.verifier, verifiers[0]);
      assert.equal((await readAll(f, handle, 0, 30)).toString(), '012345678901234567890123456789');
    }));
  });

  describe('setattr', () => {
    it('sets the mode, keeping the type', withBackend(make, [], async (f) => {
      const c = await createFile(f, f.root, 'f', { mode: 0o644 });
      const wcc = await f.b.setattr(c.handle, { mode: 0o4751 }, undefined, ROOT);
      if (wcc.after) assert.equal(wcc.after.mode, 0o4751);
      const a = await getattr(f, c.handle);
      assert.equal(a.mode, 0o4751);
      assert.equal(a.type, Ftype3.REG);
      const d = await mkdir(f, f.root, 'd');
      await f.b.setattr(d.handle, { mode: 0o1777 }, undefined, ROOT);
      assert.equal((await getattr(f, d.handle)).mode, 0o1777);
    }));

    it('root sets uid and gid', withBackend(make, ['chown'], async (f) => {
      const c = await createFile(f, f.root, 'f');
      await f.b.setattr(c.handle, { uid: 1234 }, undefined, ROOT);
      await f.b.setattr(c.handle, { gid: 5678 }, undefined, ROOT);
      const a = await getattr(f, c.handle);
      assert.equal(a.uid, 1234);
      assert.equal(a.gid, 5678);
      await f.b.setattr(c.handle, { uid: 42, gid: 43 }, undefined, ROOT);
      const b = await getattr(f, c.handle);
      assert.deepEqual([b.uid, b.gid], [42, 43]);
    }));

    it('size truncates, and extending again reads zeros where data used to be', withBackend(make, [], async (f) => {
      const { handle } = await createFile(f, f.root, 'f');
      await writeAt(f, handle, 0, pattern(100_000, 3));
      const wcc = await f.b.setattr(handle, { size: 10n }, undefined, ROOT);
      if (wcc.after) assert.equal(wcc.after.size, 10n);
      if (wcc.before) assert.equal(wcc.before.size, 100_000n);
      assert.deepEqual(await readAll(f, handle, 0, 1000), pattern(100_000, 3).subarray(0, 10));
      await f.b.setattr(handle, { size: 80_000n }, undefined, ROOT);
      assert.equal((await getattr(f, handle)).size, 80_000n);
      const back = await readAll(f, handle, 0, 80_000);
      assert.deepEqual(back.subarray(0, 10), pattern(100_000, 3).subarray(0, 10));
      assert.ok(back.subarray(10).every((b) => b === 0), 'bytes past a truncation read as zeros after extending');
      await f.b.setattr(handle, { size: 0n }, undefined, ROOT);
      const empty = await f.b.read(handle, 0n, 10, ROOT);
      assert.equal(empty.data.length, 0);
      assert.equal(empty.eof, true);
    }));

    it('size on a directory fails ISDIR', withBackend(make, [], async (f) => {
      const d = await mkdir(f, f.root, 'd');
      await rejectsWith(f.b.setattr(d.handle, { size: 0n }, undefined, ROOT), NfsStat3.ISDIR);
    }));

    it('atime and mtime take a client time', withBackend(make, [], async (f) => {
      const { handle } = await createFile(f, f.root, 'f');
      const atime = { seconds: 1_000_000_000, nseconds: 123_456_789 };
      const mtime = { seconds: 1_200_000_000, nseconds: 987_654_321 };
      await f.b.setattr(
        handle,
        { atime: { how: TimeHow.SET_TO_CLIENT_TIME, time: atime }, mtime: { how: TimeHow.SET_TO_CLIENT_TIME, time: mtime } },
        undefined,
        ROOT,
      );
      const a = await getattr(f, handle);
      const delta = await timeDeltaNs(f);
      const near = (got: bigint, want: bigint) => (got > want ? got - want : want - got) < delta;
      assert.ok(near(timeNs(a.atime), timeNs(atime)), `atime ${timeNs(a.atime)} is not ${timeNs(atime)}`);
      assert.ok(near(timeNs(a.mtime), timeNs(mtime)), `mtime ${timeNs(a.mtime)} is not ${timeNs(mtime)}`);
    }));

    it('atime and mtime take the server time, and setattr moves ctime forward', withBackend(make, [], async (f) => {
      const { handle } = await createFile(f, f.root, 'f');
      const old = { how: TimeHow.SET_TO_CLIENT_TIME, time: { seconds: 1_000_000_000, nseconds: 0 } } as const;
      await f.b.setattr(handle, { atime: old, mtime: old }, undefined, ROOT);
      const before = await getattr(f, handle);
      await f.b.setattr(
        handle,
        { atime: { how: TimeHow.SET_TO_SERVER_TIME }, mtime: { how: TimeHow.SET_TO_SERVER_TIME } },
        undefined,
        ROOT,
      );
      const after = await getattr(f, handle);
      assertTimeNotBefore(after.mtime, before.ctime, 'server-time mtime');
      assertTimeNotBefore(after.atime, before.ctime, 'server-time atime');
      assertTimeNotBefore(after.ctime, before.ctime, 'ctime after setattr');
      assert.ok(after.mtime.seconds > 1_000_000_000 + 1000, 'mtime left the client-set value');
    }));

    it('a ctime guard that matches applies the change; a stale one fails NOT_SYNC and changes nothing', withBackend(make, [], async (f) => {
      const { handle } = await createFile(f, f.root, 'f', { mode: 0o600 });
      const a = await getattr(f, handle);
      await f.b.setattr(handle, { mode: 0o640 }, a.ctime, ROOT);
      assert.equal((await getattr(f, handle)).mode, 0o640);
      const stale = { seconds: a.ctime.seconds - 100, nseconds: a.ctime.nseconds };
      await rejectsWith(f.b.setattr(handle, { mode: 0o666 }, stale, ROOT), NfsStat3.NOT_SYNC);
      await rejectsWith(f.b.setattr(handle, { size: 100n }, { seconds: 1, nseconds: 1 }, ROOT), NfsStat3.NOT_SYNC);
      const after = await getattr(f, handle);
      assert.equal(after.mode, 0o640);
      assert.equal(after.size, 0n);
    }));

    it('setattr wcc: before is the pre-op state, after the new one', withBackend(make, [], async (f) => {
      const { handle } = await createFile(f, f.root, 'f');
      await writeAt(f, handle, 0, Buffer.from('12345'));
      const pre = await getattr(f, handle);
      const wcc = await f.b.setattr(handle, { size: 2n }, undefined, ROOT);
      if (wcc.before) {
        assert.equal(wcc.before.size, 5n);
        assert.deepEqual(wcc.before.mtime, pre.mtime);
        assert.deepEqual(wcc.before.ctime, pre.ctime);
      }
      assert.ok(wcc.after, 'setattr returns post-op attributes');
      assert.equal(wcc.after.size, 2n);
      assertTimeNotBefore(wcc.after.mtime, pre.mtime, 'mtime after truncate');
      assertTimeNotBefore(wcc.after.ctime, pre.ctime, 'ctime after truncate');
    }));
  });
}
