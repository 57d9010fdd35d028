/** RPC-level refusals from the real server, with raw calls over TCP and UDP: each reply exact, nothing after it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MOUNT_PROGRAM, MOUNT_V3 } from '../../src/proto/mount/constants.js';
import { NFS_PROGRAM, NFS_V3, Nfs3Proc } from '../../src/proto/nfs3/constants.js';
import type { OpaqueAuth } from '../../src/rpc/auth.js';
import { readReplyHeader, type ReplyHeader } from '../../src/rpc/message.js';
import { XdrReader } from '../../src/xdr/reader.js';
import { XdrWriter } from '../../src/xdr/writer.js';
import { callRecord, RawTcp, udpCall, type CallSpec } from '../helpers/raw-rpc.js';
import { forEachBackend } from './harness.js';

// const enums of src/rpc/constants.ts, spelled out: the test states the wire values.
const PROG_UNAVAIL = 1;
const PROG_MISMATCH = 2;
const PROC_UNAVAIL = 3;
const GARBAGE_ARGS = 4;
const AUTH_BADCRED = 1;
const AUTH_SYS = 1;

function parse(reply: Buffer, xid: number): ReplyHeader {
  const r = new XdrReader(reply);
  const h = readReplyHeader(r);
  assert.equal(h.xid, xid);
  if (h.kind !== 'success') assert.equal(r.remaining, 0, `${h.kind}: ${r.remaining} bytes after the reply`);
  return h;
}

/** An AUTH_SYS credential with any number of gids (the client library caps at 16, as it should). */
function authSysWithGids(n: number): OpaqueAuth {
  const w = new XdrWriter();
  w.u32(0).string('host').u32(1000).u32(1000).u32(n);
  for (let i = 0; i < n; i++) w.u32(2000 + i);
  return { flavor: AUTH_SYS, body: w.toBuffer() };
}

/** A call whose rpcvers is not 2 (writeCallHeader always writes 2). */
function callWithRpcVers(xid: number, rpcvers: number): Buffer {
  const w = new XdrWriter();
  w.u32(xid).u32(0).u32(rpcvers).u32(NFS_PROGRAM).u32(NFS_V3).u32(0).u32(0).u32(0).u32(0).u32(0);
  return w.toBuffer();
}

interface Case {
  what: string;
  call: (xid: number) => Buffer;
  check: (h: ReplyHeader) => void;
}

const accept = (stat: number, low?: number, high?: number) => (h: ReplyHeader) => {
  assert.equal(h.kind, 'accept-error');
  if (h.kind !== 'accept-error') return;
  assert.equal(h.stat, stat);
  if (low !== undefined) assert.deepEqual([h.low, h.high], [low, high]);
};
const spec = (s: Omit<CallSpec, 'xid'>) => (xid: number) => callRecord({ ...s, xid });

const CASES: Case[] = [
  { what: 'PROG_UNAVAIL', call: spec({ prog: 0x2000_0999, vers: 1, proc: 0 }), check: accept(PROG_UNAVAIL) },
  { what: 'PROG_MISMATCH for NFS v2', call: spec({ prog: NFS_PROGRAM, vers: 2, proc: 0 }), check: accept(PROG_MISMATCH, 3, 3) },
  { what: 'PROG_MISMATCH for NFS v4', call: spec({ prog: NFS_PROGRAM, vers: 4, proc: 0 }), check: accept(PROG_MISMATCH, 3, 3) },
  { what: 'PROG_MISMATCH for MOUNT v4', call: spec({ prog: MOUNT_PROGRAM, vers: 4, proc: 0 }), check: accept(PROG_MISMATCH, 1, 3) },
  { what: 'PROC_UNAVAIL for NFS proc 22', call: spec({ prog: NFS_PROGRAM, vers: NFS_V3, proc: 22 }), check: accept(PROC_UNAVAIL) },
  { what: 'PROC_UNAVAIL for MOUNT v3 proc 6', call: spec({ prog: MOUNT_PROGRAM, vers: MOUNT_V3, proc: 6 }), check: accept(PROC_UNAVAIL) },
  {
    what: 'GARBAGE_ARGS for a GETATTR cut short',
    call: spec({ prog: NFS_PROGRAM, vers: NFS_V3, proc: Nfs3Proc.GETATTR, args: (w) => void w.u32(32) }),
    check: accept(GARBAGE_ARGS),
  },
  {
    what: 'GARBAGE_ARGS for a 65-byte handle',
    call: spec({ prog: NFS_PROGRAM, vers: NFS_V3, proc: Nfs3Proc.GETATTR, args: (w) => void w.opaque(Buffer.alloc(65)) }),
    check: accept(GARBAGE_ARGS),
  },
  {
    what: 'GARBAGE_ARGS for a WRITE with a bad stable_how',
    call: spec({
      prog: NFS_PROGRAM,
      vers: NFS_V3,
      proc: Nfs3Proc.WRITE,
      args: (w) => void w.opaque(Buffer.alloc(32)).u64(0n).u32(1).u32(7).opaque(Buffer.from('x')),
    }),
    check: accept(GARBAGE_ARGS),
  },
  {
    what: 'RPC_MISMATCH for rpcvers 3',
    call: (xid) => callWithRpcVers(xid, 3),
    check: (h) => {
      assert.equal(h.kind, 'rpc-mismatch');
      if (h.kind === 'rpc-mismatch') assert.deepEqual([h.low, h.high], [2, 2]);
    },
  },
  {
    what: 'AUTH_BADCRED for AUTH_SYS with 17 gids',
    call: spec({ prog: NFS_PROGRAM, vers: NFS_V3, proc: 0, cred: authSysWithGids(17) }),
    check: (h) => {
      assert.equal(h.kind, 'auth-error');
      if (h.kind === 'auth-error') assert.equal(h.stat, AUTH_BADCRED);
    },
  },
  {
    what: 'AUTH_SYS with 16 gids is accepted',
    call: spec({ prog: NFS_PROGRAM, vers: NFS_V3, proc: 0, cred: authSysWithGids(16) }),
    check: (h) => assert.equal(h.kind, 'success'),
  },
];

forEachBackend('RPC rejects over the wire', (env) => {
  test('over TCP, one connection: every refusal exact, and the connection still serves calls after', async () => {
    const tcp = await RawTcp.connect(env().t.port);
    try {
      let xid = 0x5000;
      for (const c of CASES) {
        xid++;
        try {
          c.check(parse(await tcp.call(c.call(xid)), xid));
        } catch (err) {
          throw new Error(`${c.what}: ${(err as Error).message}`, { cause: err });
        }
      }
      const ok = parse(await tcp.call(callRecord({ xid: 0x6000, prog: NFS_PROGRAM, vers: NFS_V3, proc: 0 })), 0x6000);
      assert.equal(ok.kind, 'success');
    } finally {
      tcp.close();
    }
  });

  test('over UDP: every refusal exact', async () => {
    let xid = 0x7000;
    for (const c of CASES) {
      xid++;
      try {
        c.check(parse(await udpCall(env().t.port, c.call(xid)), xid));
      } catch (err) {
        throw new Error(`${c.what}: ${(err as Error).message}`, { cause: err });
      }
    }
  });
});
