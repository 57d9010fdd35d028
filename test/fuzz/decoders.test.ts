/**
 * Mutation fuzzing of every decoder a peer's bytes reach: record marking, the
 * call header and AUTH_SYS, every procedure's arguments of every program, and
 * the whole dispatcher. Seeds are valid encodings made with the codecs
 * themselves; mutations flip, truncate, insert, inflate length words and
 * duplicate. Fixed seeds and counts: the same inputs on every run.
 *
 * The property everywhere: decoding returns or throws XdrError (the record
 * decoder: RecordTooLarge), and the dispatcher answers or drops, never throws
 * and never reaches a handler failure (SYSTEM_ERR) on hostile bytes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryBackend } from '../../src/backend/memory/index.js';
import { Dispatcher } from '../../src/net/dispatcher.js';
import type { ProcedureCodec } from '../../src/proto/procedure.js';
import { NULL_CODEC } from '../../src/proto/procedure.js';
import * as mnt from '../../src/proto/mount/index.js';
import * as pmap from '../../src/proto/portmap/index.js';
import { ACCESS } from '../../src/proto/nfs3/access.js';
import { COMMIT } from '../../src/proto/nfs3/commit.js';
import { CREATE } from '../../src/proto/nfs3/create.js';
import { FSINFO } from '../../src/proto/nfs3/fsinfo.js';
import { FSSTAT } from '../../src/proto/nfs3/fsstat.js';
import { GETATTR } from '../../src/proto/nfs3/getattr.js';
import { LINK } from '../../src/proto/nfs3/link.js';
import { LOOKUP } from '../../src/proto/nfs3/lookup.js';
import { MKDIR } from '../../src/proto/nfs3/mkdir.js';
import { MKNOD } from '../../src/proto/nfs3/mknod.js';
import { PATHCONF } from '../../src/proto/nfs3/pathconf.js';
import { READ } from '../../src/proto/nfs3/read.js';
import { READDIR } from '../../src/proto/nfs3/readdir.js';
import { READDIRPLUS } from '../../src/proto/nfs3/readdirplus.js';
import { READLINK } from '../../src/proto/nfs3/readlink.js';
import { REMOVE } from '../../src/proto/nfs3/remove.js';
import { RENAME } from '../../src/proto/nfs3/rename.js';
import { RMDIR } from '../../src/proto/nfs3/rmdir.js';
import { SETATTR } from '../../src/proto/nfs3/setattr.js';
import { SYMLINK } from '../../src/proto/nfs3/symlink.js';
import { WRITE } from '../../src/proto/nfs3/write.js';
import { CreateMode, Ftype3, NFS_PROGRAM, StableHow, TimeHow } from '../../src/proto/nfs3/constants.js';
import { MOUNT_PROGRAM } from '../../src/proto/mount/constants.js';
import { PMAP_PROGRAM } from '../../src/proto/portmap/constants.js';
import { createMountProgram } from '../../src/programs/mount/index.js';
import { createNfs3Program } from '../../src/programs/nfs3/index.js';
import { createPortmapProgram, PortmapRegistry } from '../../src/programs/portmap/index.js';
import { createNlmProgram } from '../../src/programs/nlm/index.js';
import { createNsmProgram, DEFAULT_NOTIFY_DELAYS_MS, NsmService } from '../../src/programs/nsm/index.js';
import { NLM4_CODECS, NLM_V3_CODECS, type NlmV3Codecs } from '../../src/proto/nlm/codecs.js';
import { FshAccess, FshMode, Nlm4Stat } from '../../src/proto/nlm/constants.js';
import { NSM_CODECS } from '../../src/proto/nsm/sm.js';
import { LockFiles } from '../../src/server/locks/lock-files.js';
import { LockManager } from '../../src/server/locks/lock-manager.js';
import type { PeerCall } from '../../src/server/locks/peer-calls.js';
import { StatusMonitor } from '../../src/server/locks/status-monitor.js';
import { silentLogger } from '../../src/server/log.js';
import type { Program } from '../../src/programs/program.js';
import { AUTH_NONE, decodeAuthSys, encodeAuthSys } from '../../src/rpc/auth.js';
import { AcceptStat } from '../../src/rpc/constants.js';
import { readCallHeader } from '../../src/rpc/message.js';
import { RecordDecoder, RecordTooLarge, recordHeader } from '../../src/rpc/record.js';
import { preparingClients } from '../../src/server/access.js';
import type { Logger } from '../../src/server/log.js';
import { MountList } from '../../src/server/mount-list.js';
import { XdrError, XdrReader } from '../../src/xdr/reader.js';
import { XdrWriter } from '../../src/xdr/writer.js';
import { mutate, Rng } from '../helpers/fuzz.js';
import { testEnv } from '../helpers/nfs3-env.js';
import { callRecord } from '../helpers/raw-rpc.js';

/** Inputs per decoder: ~100 codecs plus the headers take about a second in all. */
const BUDGET = 2000;
/** Mutated calls per procedure through the dispatcher (handlers run on a memory backend). */
const DISPATCH_BUDGET = 500;

/** Runs `decode` on BUDGET mutations of the seeds; anything thrown but XdrError fails with the reproducer. */
function fuzzDecoder(name: string, seeds: readonly Buffer[], decode: (b: Buffer) => unknown, seed = 1): number {
  const rng = new Rng(seed);
  for (let i = 0; i < BUDGET; i++) {
    const input = mutate(seeds[i % seeds.length]!, rng);
    try {
      decode(input);
    } catch (err) {
      if (!(err instanceof XdrError)) {
        assert.fail(`${name}: input #${i} ${input.toString('hex')} threw ${String(err)}`);
      }
    }
  }
  return BUDGET;
}

function encode(write: (w: XdrWriter) => void): Buffer {
  const w = new XdrWriter();
  write(w);
  return w.toBuffer();
}

// ---- Seeds: a few hand-built argument values per procedure, encoded by the codec under test.

interface Seeded {
  codec: ProcedureCodec<unknown, unknown>;
  values: unknown[];
}

function seeded<A>(codec: ProcedureCodec<A, unknown>, ...values: A[]): Seeded {
  return { codec: codec as ProcedureCodec<unknown, unknown>, values };
}

const FH = Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex');
const NAME = Buffer.from('file.txt');
const SATTR_ALL = {
  mode: 0o644,
  uid: 1000,
  gid: 1000,
  size: 4096n,
  atime: { how: TimeHow.SET_TO_SERVER_TIME as const },
  mtime: { how: TimeHow.SET_TO_CLIENT_TIME as const, time: { seconds: 1, nseconds: 2 } },
};
const VERF = Buffer.from('0011223344556677', 'hex');

/** Seeds with the given handle in every fh position (the dispatcher run uses a real one). */
function seedsFor(fh: Buffer): Seeded[] {
  const where = { dir: fh, name: NAME };
  return [
    seeded(NULL_CODEC, undefined),
    seeded(GETATTR, { object: fh }, { object: Buffer.alloc(0) }),
    seeded(SETATTR, { object: fh, newAttributes: {} }, { object: fh, newAttributes: SATTR_ALL, guard: { seconds: 5, nseconds: 6 } }),
    seeded(LOOKUP, { what: where }, { what: { dir: fh, name: Buffer.from('..') } }),
    seeded(ACCESS, { object: fh, access: 0x3f }),
    seeded(READLINK, { symlink: fh }),
    seeded(READ, { file: fh, offset: 0n, count: 4096 }, { file: fh, offset: (1n << 63n) + 5n, count: 0xffff_ffff }),
    seeded(
      WRITE,
      { file: fh, offset: 0n, count: 5, stable: StableHow.FILE_SYNC, data: Buffer.from('hello') },
      { file: fh, offset: 100n, count: 0, stable: StableHow.UNSTABLE, data: Buffer.alloc(0) },
    ),
    seeded(
      CREATE,
      { where, how: { mode: CreateMode.UNCHECKED, objAttributes: { mode: 0o600 } } },
      { where, how: { mode: CreateMode.GUARDED, objAttributes: SATTR_ALL } },
      { where, how: { mode: CreateMode.EXCLUSIVE, verf: VERF } },
    ),
    seeded(MKDIR, { where, attributes: { mode: 0o755 } }),
    seeded(SYMLINK, { where, symlink: { symlinkAttributes: {}, symlinkData: Buffer.from('../target') } }),
    seeded(
      MKNOD,
      { where, what: { type: Ftype3.CHR, device: { devAttributes: SATTR_ALL, spec: { major: 1, minor: 3 } } } },
      { where, what: { type: Ftype3.FIFO, pipeAttributes: { mode: 0o600 } } },
      { where, what: { type: Ftype3.REG } },
    ),
    seeded(REMOVE, { object: where }),
    seeded(RMDIR, { object: where }),
    seeded(RENAME, { from: where, to: { dir: fh, name: Buffer.from('new-name') } }),
    seeded(LINK, { file: fh, link: where }),
    seeded(READDIR, { dir: fh, cookie: 0n, cookieverf: Buffer.alloc(8), count: 4096 }, { dir: fh, cookie: 7n, cookieverf: VERF, count: 0 }),
    seeded(READDIRPLUS, { dir: fh, cookie: 0n, cookieverf: Buffer.alloc(8), dircount: 1024, maxcount: 8192 }),
    seeded(FSSTAT, { fsroot: fh }),
    seeded(FSINFO, { fsroot: fh }),
    seeded(PATHCONF, { object: fh }),
    seeded(COMMIT, { file: fh, offset: 0n, count: 0 }, { file: fh, offset: 4096n, count: 8192 }),
    seeded(mnt.MOUNTPROC3_MNT, '/export', '', '/export/sub/dir'),
    seeded(mnt.MOUNTPROC_MNT, '/export'),
    seeded(mnt.MOUNTPROC3_DUMP, undefined),
    seeded(mnt.MOUNTPROC3_UMNT, '/export'),
    seeded(mnt.MOUNTPROC3_UMNTALL, undefined),
    seeded(mnt.MOUNTPROC3_EXPORT, undefined),
    seeded(pmap.PMAPPROC_SET, { prog: NFS_PROGRAM, vers: 3, prot: 6, port: 2049 }),
    seeded(pmap.PMAPPROC_UNSET, { prog: NFS_PROGRAM, vers: 3, prot: 17, port: 0 }),
    seeded(pmap.PMAPPROC_GETPORT, { prog: MOUNT_PROGRAM, vers: 3, prot: 6, port: 0 }),
    seeded(pmap.PMAPPROC_DUMP, undefined),
    ...[pmap.RPCBPROC_SET, pmap.RPCBPROC_UNSET, pmap.RPCBPROC_GETADDR, pmap.RPCBPROC_GETVERSADDR].map((c) =>
      seeded(
        c,
        { prog: NFS_PROGRAM, vers: 3, netid: 'tcp', addr: '127.0.0.1.8.1', owner: 'superuser' },
        { prog: MOUNT_PROGRAM, vers: 3, netid: '', addr: '', owner: '' },
      ),
    ),
    seeded(pmap.RPCBPROC_DUMP, undefined),
    seeded(pmap.RPCBPROC_GETTIME, undefined),
    ...nlmSeeds(NLM4_CODECS, fh, (1n << 63n) + 3n),
    ...nlmSeeds(NLM_V3_CODECS, fh, 0xffff_fff0n),
    seeded(NSM_CODECS.STAT, 'client.example'),
    seeded(NSM_CODECS.MON, { monId: { monName: '127.0.0.1', myId: { myName: 'localhost', myProg: 100021, myVers: 4, myProc: 16 } }, priv: Buffer.alloc(16, 1) }),
    seeded(NSM_CODECS.UNMON, { monName: 'client.example', myId: { myName: 'localhost', myProg: 100021, myVers: 4, myProc: 16 } }),
    seeded(NSM_CODECS.UNMON_ALL, { myName: 'localhost', myProg: 100021, myVers: 4, myProc: 16 }),
    seeded(NSM_CODECS.SIMU_CRASH, undefined),
    seeded(NSM_CODECS.NOTIFY, { monName: 'client.example', state: 3 }, { monName: '', state: -1 }),
  ];
}

/** Seeds for one NLM version's table (versions 1 and 3 share their codec objects). */
function nlmSeeds(c: NlmV3Codecs, fh: Buffer, far: bigint): Seeded[] {
  const alock = { callerName: 'client.example', fh, oh: Buffer.from('42@client'), svid: 42, offset: 0n, length: 0n };
  const farLock = { ...alock, offset: far, length: 17n };
  const cookie = Buffer.from([1, 2, 3, 4]);
  const testArgs = [{ cookie, exclusive: true, alock }, { cookie: Buffer.alloc(0), exclusive: false, alock: farLock }];
  const lockArgs = [
    { cookie, block: true, exclusive: true, alock, reclaim: false, state: 3 },
    { cookie, block: false, exclusive: false, alock: farLock, reclaim: true, state: 5 },
  ];
  const cancelArgs = [{ cookie, block: true, exclusive: true, alock }];
  const unlockArgs = [{ cookie, alock }, { cookie, alock: farLock }];
  const res = [{ cookie, stat: Nlm4Stat.GRANTED }, { cookie, stat: Nlm4Stat.DENIED_NOLOCKS }];
  const testRes = [{ cookie, stat: Nlm4Stat.DENIED, holder: { exclusive: true, svid: 1, oh: cookie, offset: 5n, length: 0n } }, ...res];
  const share = { callerName: 'pc', fh, oh: cookie, mode: FshMode.DW, access: FshAccess.RW };
  const shareArgs = [{ cookie, share, reclaim: false }];
  return [
    seeded(c.TEST, ...testArgs),
    seeded(c.TEST_MSG, ...testArgs),
    seeded(c.GRANTED, ...testArgs),
    seeded(c.GRANTED_MSG, ...testArgs),
    seeded(c.LOCK, ...lockArgs),
    seeded(c.LOCK_MSG, ...lockArgs),
    seeded(c.NM_LOCK, ...lockArgs),
    seeded(c.CANCEL, ...cancelArgs),
    seeded(c.CANCEL_MSG, ...cancelArgs),
    seeded(c.UNLOCK, ...unlockArgs),
    seeded(c.UNLOCK_MSG, ...unlockArgs),
    seeded(c.TEST_RES, ...testRes),
    ...[c.LOCK_RES, c.CANCEL_RES, c.UNLOCK_RES, c.GRANTED_RES].map((codec) => seeded(codec, ...res)),
    seeded(c.SHARE, ...shareArgs),
    seeded(c.UNSHARE, ...shareArgs),
    seeded(c.FREE_ALL, { name: 'client.example', state: 7 }),
  ];
}

const SEEDS = seedsFor(FH);

/** The programs a real server serves, over a memory-backed export. */
async function serverPrograms(): Promise<{ programs: Program[]; rootFh: Buffer }> {
  const t = testEnv();
  const backend = new MemoryBackend();
  const { fh } = t.addExport('/export', backend);
  const mounts = await MountList.load(undefined);
  // Callbacks to clients fail at once: the fuzzer's "clients" run no lock manager.
  const peers: PeerCall = () => Promise.reject(new Error('no peer in the fuzzer'));
  const monitor = await StatusMonitor.open(undefined, silentLogger);
  const locks = new LockManager(new LockFiles(t.env), monitor, () => Promise.resolve(false), silentLogger);
  locks.close();
  const nsm = new NsmService(monitor, locks, peers, { rebooted() {} }, silentLogger, {
    ourName: 'fuzz-server',
    notifyDelaysMs: DEFAULT_NOTIFY_DELAYS_MS,
    lookupTimeoutMs: 10,
  });
  const programs = [
    createMountProgram(t.env, mounts),
    preparingClients(createNfs3Program(t.env), (remote) => t.env.exports.prepare(remote)),
    createPortmapProgram(new PortmapRegistry()),
    createNlmProgram(locks, () => {}),
    createNsmProgram(nsm),
  ];
  return { programs, rootFh: fh(await backend.root({ cred: { uid: 0, gid: 0, gids: [] } })) };
}

describe('fuzz: record marking', () => {
  const LIMIT = 4096;

  test('valid streams cut anywhere give back exactly the records sent', () => {
    const rng = new Rng(7);
    for (let run = 0; run < BUDGET; run++) {
      const sent: Buffer[] = [];
      const wire: Buffer[] = [];
      for (let n = 1 + rng.int(4); n > 0; n--) {
        const record = rng.bytes(rng.int(LIMIT + 1));
        sent.push(record);
        // Split into fragments of random sizes (empty ones included).
        let at = 0;
        while (rng.int(3) === 0 && at < record.length) {
          const len = rng.int(record.length - at + 1);
          const h = Buffer.alloc(4);
          h.writeUInt32BE(len, 0);
          wire.push(h, record.subarray(at, at + len));
          at += len;
        }
        wire.push(recordHeader(record.length - at), record.subarray(at));
      }
      const got: Buffer[] = [];
      const d = new RecordDecoder(LIMIT, (r) => got.push(Buffer.from(r)));
      const stream = Buffer.concat(wire);
      for (let at = 0; at < stream.length; ) {
        const len = 1 + rng.int(rng.int(2) === 0 ? 8 : 2048);
        d.push(stream.subarray(at, at + len));
        at += len;
      }
      assert.deepEqual(got, sent, `run ${run}`);
      assert.equal(d.buffered, 0);
    }
  });

  test('hostile streams: only RecordTooLarge, never more buffered than the limit plus one header', () => {
    const rng = new Rng(11);
    let tooLarge = 0;
    let records = 0;
    for (let run = 0; run < BUDGET; run++) {
      const parts: Buffer[] = [];
      for (let n = 1 + rng.int(6); n > 0; n--) {
        const h = Buffer.alloc(4);
        const kind = rng.int(4);
        // Huge lengths, lengths just over and under the limit, and random words.
        const len = kind === 0 ? rng.pick([0x7fff_ffff, LIMIT + 1, LIMIT, 0]) : kind === 1 ? rng.int(LIMIT + 64) : rng.u32() & 0x7fff_ffff;
        h.writeUInt32BE(((rng.int(2) ? 0x8000_0000 : 0) | len) >>> 0, 0);
        parts.push(h, rng.bytes(Math.min(len, rng.int(LIMIT + 64))));
      }
      const stream = mutate(Buffer.concat(parts), rng);
      const d = new RecordDecoder(LIMIT, (r) => {
        assert.ok(r.length <= LIMIT, `record of ${r.length} bytes delivered`);
        records++;
      });
      try {
        for (let at = 0; at < stream.length; ) {
          const len = 1 + rng.int(1024);
          d.push(stream.subarray(at, at + len));
          at += len;
          assert.ok(d.buffered <= LIMIT + 4, `run ${run}: ${d.buffered} bytes buffered`);
        }
      } catch (err) {
        if (!(err instanceof RecordTooLarge)) assert.fail(`run ${run}: ${String(err)}`);
        assert.ok(err.size > LIMIT);
        tooLarge++;
      }
    }
    // The generator must exercise both outcomes, or the property says nothing.
    assert.ok(tooLarge > BUDGET / 10, `only ${tooLarge} streams were too large`);
    assert.ok(records > BUDGET / 10, `only ${records} records were delivered`);
  });

  test('a header announcing 2 GiB is refused before its body arrives', () => {
    const d = new RecordDecoder(LIMIT, () => assert.fail('no record expected'));
    assert.throws(() => d.push(Buffer.from([0xff, 0xff, 0xff, 0xff])), RecordTooLarge);
  });
});

describe('fuzz: call header and AUTH_SYS', () => {
  test('readCallHeader returns or throws XdrError', () => {
    const cred = encodeAuthSys({ stamp: 1, machineName: 'client.example', uid: 1000, gid: 100, gids: [4, 24, 27] });
    const seeds = [
      callRecord({ xid: 1, prog: NFS_PROGRAM, vers: 3, proc: 1, cred, args: (w) => w.opaque(FH) }),
      callRecord({ xid: 2, prog: MOUNT_PROGRAM, vers: 3, proc: 0 }),
      callRecord({ xid: 3, prog: PMAP_PROGRAM, vers: 2, proc: 3, cred: AUTH_NONE, verf: { flavor: 6, body: Buffer.alloc(8) } }),
    ];
    fuzzDecoder('readCallHeader', seeds, (b) => readCallHeader(new XdrReader(b)), 3);
  });

  test('decodeAuthSys returns or throws XdrError', () => {
    const seeds = [
      encodeAuthSys({ stamp: 0, machineName: '', uid: 0, gid: 0, gids: [] }).body,
      encodeAuthSys({ stamp: 0xffff_ffff, machineName: 'h'.repeat(255), uid: 65534, gid: 65534, gids: Array.from({ length: 16 }, (_, i) => i) }).body,
    ];
    fuzzDecoder('decodeAuthSys', seeds, decodeAuthSys, 5);
  });
});

describe('fuzz: procedure arguments', () => {
  test('the seeds cover every procedure of every program a server runs', async () => {
    const { programs } = await serverPrograms();
    const seededCodecs = new Set(SEEDS.map((s) => s.codec));
    for (const p of programs) {
      for (const v of p.versions.values()) {
        for (const proc of v.procedures.values()) {
          assert.ok(seededCodecs.has(proc.codec as ProcedureCodec<unknown, unknown>), `${p.name} v${v.vers} ${proc.codec.name} has no seeds`);
        }
      }
    }
  });

  for (const [i, { codec, values }] of SEEDS.entries()) {
    test(`${codec.name} (#${i}) readArgs returns or throws XdrError`, () => {
      const seeds = values.map((v) => encode((w) => codec.writeArgs(w, v)));
      // The seeds themselves must decode, or the mutations start from garbage.
      for (const s of seeds) codec.readArgs(new XdrReader(s));
      fuzzDecoder(codec.name, seeds, (b) => codec.readArgs(new XdrReader(b)), 100 + i);
    });
  }
});

describe('fuzz: the dispatcher', () => {
  test('every mutated call gets a reply or is dropped, never an exception or a handler failure', async (t) => {
    const { programs, rootFh } = await serverPrograms();
    const failures: string[] = [];
    const log: Logger = {
      level: 'error',
      debug() {},
      info() {},
      warn() {},
      error(msg, fields) {
        failures.push(`${msg} ${String(fields?.['err'])}`);
      },
    };
    const dispatcher = new Dispatcher(programs, log);
    const remote = { address: '127.0.0.1', port: 700, transport: 'tcp' as const };
    const cred = encodeAuthSys({ stamp: 1, machineName: 'fuzz', uid: 0, gid: 0, gids: [] });
    // Which program and versions each codec is served under.
    const servedAt = new Map<ProcedureCodec<unknown, unknown>, Array<[number, number]>>();
    for (const p of programs) {
      for (const v of p.versions.values()) {
        for (const proc of v.procedures.values()) {
          const c = proc.codec as ProcedureCodec<unknown, unknown>;
          servedAt.set(c, [...(servedAt.get(c) ?? []), [p.prog, v.vers]]);
        }
      }
    }
    const rng = new Rng(2026);
    const outcomes = { replies: 0, dropped: 0, garbage: 0 };
    let xid = 1;
    for (const { codec, values } of seedsFor(rootFh)) {
      const at = servedAt.get(codec) ?? [];
      const seeds = at.flatMap(([prog, vers]) =>
        values.map((v) => callRecord({ xid: xid++, prog, vers, proc: codec.proc, cred, args: (w) => codec.writeArgs(w, v) })),
      );
      for (let i = 0; i < DISPATCH_BUDGET && seeds.length > 0; i++) {
        const input = mutate(seeds[i % seeds.length]!, rng);
        let reply: Buffer[] | undefined;
        try {
          reply = await dispatcher.dispatch(input, remote);
        } catch (err) {
          assert.fail(`${codec.name}: input ${input.toString('hex')} threw ${String(err)}`);
        }
        if (reply === undefined) outcomes.dropped++;
        else {
          outcomes.replies++;
          const r = Buffer.concat(reply);
          if (r.length >= 24 && r.readUInt32BE(8) === 0 && r.readUInt32BE(20) === AcceptStat.GARBAGE_ARGS) outcomes.garbage++;
        }
        assert.deepEqual(failures, [], `${codec.name}: input ${input.toString('hex')}`);
      }
    }
    t.diagnostic(JSON.stringify(outcomes));
    // Mutations must reach the argument decoders (GARBAGE_ARGS) and past them, not only break headers.
    assert.ok(outcomes.garbage > 100, JSON.stringify(outcomes));
    assert.ok(outcomes.replies - outcomes.garbage > 1000, JSON.stringify(outcomes));
  });
});
