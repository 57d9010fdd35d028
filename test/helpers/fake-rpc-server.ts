/**
 * A scriptable RPC server over real sockets (TCP and UDP) for client tests:
 * it decodes each call header and hands the call to a test-supplied handler,
 * which replies however the test needs (out of order, in fragments, never).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { OpaqueAuth } from '../../src/rpc/auth.js';
import { AcceptStat, AuthStat } from '../../src/rpc/constants.js';
import { readCallHeader, writeAcceptError, writeAuthError, writeSuccessHeader } from '../../src/rpc/message.js';
import { RecordDecoder } from '../../src/rpc/record.js';
import type { ProcedureCodec } from '../../src/proto/procedure.js';
import { XdrReader } from '../../src/xdr/reader.js';
import { XdrWriter } from '../../src/xdr/writer.js';

export interface FakeCall {
  xid: number;
  prog: number;
  vers: number;
  proc: number;
  cred: OpaqueAuth;
  /** Positioned at the first byte of the arguments. */
  args: XdrReader;
  /** Sends a complete reply message (record marking added on TCP). */
  send(message: Buffer): void;
}

export type FakeHandler = (call: FakeCall, peer: FakePeer) => void;

export interface FakePeer {
  /** The TCP connection the call came on (absent for UDP). */
  socket?: net.Socket;
}

/** A SUCCESS reply carrying `res` encoded by `codec`. */
export function successReply<R>(xid: number, codec: ProcedureCodec<unknown, R> | ProcedureCodec<never, R>, res: R): Buffer {
  const w = new XdrWriter();
  writeSuccessHeader(w, xid);
  codec.writeResult(w, res);
  return w.toBuffer();
}

export function acceptErrorReply(
  xid: number,
  stat: Exclude<AcceptStat, AcceptStat.SUCCESS>,
  mismatch?: { low: number; high: number },
): Buffer {
  const w = new XdrWriter();
  writeAcceptError(w, xid, stat, mismatch);
  return w.toBuffer();
}

export function authErrorReply(xid: number, stat: AuthStat): Buffer {
  const w = new XdrWriter();
  writeAuthError(w, xid, stat);
  return w.toBuffer();
}

/** Record-marks `message` as fragments of at most `fragmentSize` bytes. */
export function frame(message: Buffer, fragmentSize = message.length): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < message.length || parts.length === 0; at += fragmentSize) {
    const piece = message.subarray(at, at + fragmentSize);
    const last = at + fragmentSize >= message.length;
    const h = Buffer.alloc(4);
    h.writeUInt32BE(((last ? 0x8000_0000 : 0) | piece.length) >>> 0);
    parts.push(h, piece);
  }
  return Buffer.concat(parts);
}

function decodeCall(message: Buffer, send: (m: Buffer) => void): FakeCall {
  const args = new XdrReader(message);
  const h = readCallHeader(args);
  return { xid: h.xid, prog: h.prog, vers: h.vers, proc: h.proc, cred: h.cred, args, send };
}

export class FakeTcpServer {
  readonly sockets = new Set<net.Socket>();

  private constructor(private readonly server: net.Server) {}

  static async start(handler: FakeHandler, fragmentSize?: number): Promise<FakeTcpServer> {
    const server = net.createServer();
    const fake = new FakeTcpServer(server);
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => fake.sockets.delete(socket));
      socket.on('error', () => {});
      const send = (m: Buffer) => {
        if (!socket.destroyed) socket.write(frame(m, fragmentSize));
      };
      const decoder = new RecordDecoder(1 << 26, (record) => handler(decodeCall(record, send), { socket }));
      socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

export class FakeUdpServer {
  private constructor(private readonly socket: dgram.Socket) {}

  static async start(handler: FakeHandler): Promise<FakeUdpServer> {
    const socket = dgram.createSocket('udp4');
    const fake = new FakeUdpServer(socket);
    socket.on('message', (msg, from) => handler(decodeCall(msg, (m) => socket.send(m, from.port, from.address)), {}));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return this.socket.address().port;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
