/**
 * Raw ONC RPC for transport and dispatcher tests: calls built with the codecs
 * (no client library), a TCP peer that frames and unframes records itself, a
 * UDP call, and a small program-agnostic test program.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { AUTH_NONE, type OpaqueAuth } from '../../src/rpc/auth.js';
import { writeCallHeader } from '../../src/rpc/message.js';
import { RecordDecoder, recordHeader } from '../../src/rpc/record.js';
import type { ProcedureCodec } from '../../src/proto/procedure.js';
import { nullProcedure, procedureTable, program, type Procedure, type Program } from '../../src/programs/program.js';
import { AuthFlavor } from '../../src/rpc/constants.js';
import { XdrReader } from '../../src/xdr/reader.js';
import { XdrWriter } from '../../src/xdr/writer.js';

export interface CallSpec {
  xid: number;
  prog: number;
  vers: number;
  proc: number;
  cred?: OpaqueAuth;
  verf?: OpaqueAuth;
  args?: (w: XdrWriter) => void;
}

/** A call message (no record mark). */
export function callRecord(c: CallSpec): Buffer {
  const w = new XdrWriter();
  writeCallHeader(w, { xid: c.xid, prog: c.prog, vers: c.vers, proc: c.proc, cred: c.cred ?? AUTH_NONE, verf: c.verf ?? AUTH_NONE });
  c.args?.(w);
  return w.toBuffer();
}

/** A record as one last fragment. */
export function frame(record: Buffer): Buffer {
  return Buffer.concat([recordHeader(record.length), record]);
}

/** A record split into fragments at the given lengths (the rest is the last fragment). */
export function fragments(record: Buffer, sizes: number[]): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (const n of sizes) {
    const h = Buffer.alloc(4);
    h.writeUInt32BE(n, 0);
    parts.push(h, record.subarray(at, at + n));
    at += n;
  }
  parts.push(recordHeader(record.length - at), record.subarray(at));
  return Buffer.concat(parts);
}

/** A TCP peer speaking record marking by hand. */
export class RawTcp {
  readonly replies: Buffer[] = [];
  private waiters: Array<() => void> = [];
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    const decoder = new RecordDecoder(64 << 20, (r) => {
      this.replies.push(Buffer.from(r));
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('data', (d: Buffer) => decoder.push(d));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        for (const w of this.waiters.splice(0)) w();
        resolve();
      }),
    );
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawTcp> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => {
        s.off('error', reject);
        resolve(new RawTcp(s));
      });
      s.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Waits until `n` replies have arrived in total (rejects if the connection closes first). */
  async waitFor(n: number): Promise<Buffer[]> {
    while (this.replies.length < n) {
      if (this.socket.destroyed) throw new Error(`connection closed after ${this.replies.length} of ${n} replies`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.replies.slice(0, n);
  }

  /** Sends one call and returns the next reply. */
  async call(record: Buffer): Promise<Buffer> {
    const n = this.replies.length + 1;
    this.write(frame(record));
    return (await this.waitFor(n))[n - 1]!;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Sends one datagram and resolves with the first reply. */
export async function udpCall(port: number, record: Buffer, host = '127.0.0.1'): Promise<Buffer> {
  const s = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      s.once('message', (m) => resolve(m));
      s.once('error', reject);
      s.send(record, port, host);
    });
  } finally {
    s.close();
  }
}

/** The xid and, for an accepted SUCCESS reply, a reader at the results. */
export function successBody(reply: Buffer): XdrReader {
  const r = new XdrReader(reply);
  r.u32(); // xid
  if (r.u32() !== 1 || r.u32() !== 0) throw new Error(`not an accepted reply: ${reply.toString('hex')}`);
  r.u32(); // verifier flavor
  r.opaque(400);
  const stat = r.u32();
  if (stat !== 0) throw new Error(`accept_stat ${stat}`);
  return r;
}

// ---- A test program, unrelated to NFS, to show the runtime is program-agnostic.

export const TEST_PROG = 0x2000_1234;
export const TEST_VERS_LOW = 2;
export const TEST_VERS_HIGH = 4;

export const enum TestProc {
  ECHO = 1,
  DELAY = 2,
  THROW = 3,
  SYS_ONLY = 4,
  GATE = 5,
  BIG = 6,
}

function codec<A, R>(
  proc: number,
  name: string,
  readArgs: (r: XdrReader) => A,
  writeArgs: (w: XdrWriter, a: A) => void,
  readResult: (r: XdrReader) => R,
  writeResult: (w: XdrWriter, v: R) => void,
): ProcedureCodec<A, R> {
  return { proc, name, readArgs, writeArgs, readResult, writeResult };
}

const u32In = (r: XdrReader): number => r.u32();
const u32Out = (w: XdrWriter, v: number): void => void w.u32(v);
const opaqueIn = (r: XdrReader): Buffer => r.opaque(4 << 20);
const opaqueOut = (w: XdrWriter, v: Buffer): void => void w.opaque(v);

export const ECHO = codec(TestProc.ECHO, 'ECHO', opaqueIn, opaqueOut, opaqueIn, opaqueOut);
/** Args: delay in ms and a tag; result: the tag, after the delay. */
export const DELAY = codec(
  TestProc.DELAY,
  'DELAY',
  (r) => ({ ms: r.u32(), tag: r.u32() }),
  (w, a: { ms: number; tag: number }) => void w.u32(a.ms).u32(a.tag),
  u32In,
  u32Out,
);
export const THROW = codec<void, void>(TestProc.THROW, 'THROW', () => {}, () => {}, () => {}, () => {});
export const SYS_ONLY = codec<void, number>(TestProc.SYS_ONLY, 'SYS_ONLY', () => {}, () => {}, u32In, u32Out);
export const GATE = codec(TestProc.GATE, 'GATE', u32In, u32Out, u32In, u32Out);
/** Args: a length; result: that many bytes. */
export const BIG = codec(TestProc.BIG, 'BIG', u32In, u32Out, opaqueIn, opaqueOut);

/** Calls to GATE wait here until the test opens the gate; `entered` counts handler entries. */
export class Gate {
  entered = 0;
  private waiting: Array<() => void> = [];
  private onEnter: Array<() => void> = [];

  private opened = false;

  wait(): Promise<void> {
    this.entered++;
    for (const f of this.onEnter.splice(0)) f();
    if (this.opened) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Resolves once at least `n` handlers have entered. */
  async reached(n: number): Promise<void> {
    while (this.entered < n) await new Promise<void>((resolve) => this.onEnter.push(resolve));
  }

  /** Lets every waiting and future call through. */
  open(): void {
    this.opened = true;
    for (const f of this.waiting.splice(0)) f();
  }

  get blocked(): number {
    return this.waiting.length;
  }
}

export function testProgram(gate = new Gate()): Program {
  const procs: Procedure[] = [
    nullProcedure,
    { codec: ECHO, handle: (data: Buffer) => data },
    {
      codec: DELAY,
      handle: ({ ms, tag }: { ms: number; tag: number }) =>
        new Promise<number>((resolve) => setTimeout(() => resolve(tag), ms)),
    },
    {
      codec: THROW,
      handle: () => {
        throw new Error('handler exploded');
      },
    },
    { codec: SYS_ONLY, handle: (_: void, ctx) => ctx.auth!.uid, flavors: [AuthFlavor.AUTH_SYS] },
    {
      codec: GATE,
      handle: async (tag: number) => {
        await gate.wait();
        return tag;
      },
    },
    { codec: BIG, handle: (n: number) => Buffer.alloc(n, 0xab) },
  ];
  return program(TEST_PROG, 'test', [procedureTable(TEST_VERS_LOW, procs), procedureTable(TEST_VERS_HIGH, procs)]);
}
