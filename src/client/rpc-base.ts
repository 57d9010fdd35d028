/**
 * What every RPC client transport shares: xid allocation, call encoding,
 * matching replies to pending calls by xid, per-call timeouts, and turning
 * reply headers into results or RpcErrors. Transports only move bytes.
 */
import { randomInt } from 'node:crypto';
import { AUTH_NONE, type OpaqueAuth } from '../rpc/auth.js';
import { AcceptStat } from '../rpc/constants.js';
import { readReplyHeader, writeCallHeader } from '../rpc/message.js';
import type { ProcedureCodec } from '../proto/procedure.js';
import { XdrError, XdrReader } from '../xdr/reader.js';
import { XdrWriter } from '../xdr/writer.js';
import { processAuth } from './auth.js';
import { acceptErrorKind, RpcError, RpcTimeoutError } from './errors.js';

export interface CallOptions {
  /** Credential for this call; defaults to the transport's. */
  auth?: OpaqueAuth;
  /** Overrides the transport's default; 0 waits forever. */
  timeoutMs?: number;
}

/** Anything that can make an RPC call: a TCP or UDP client. Program clients are built on this. */
export interface RpcTransport {
  call<A, R>(prog: number, vers: number, codec: ProcedureCodec<A, R>, args: A, opts?: CallOptions): Promise<R>;
  close(): Promise<void>;
}

export interface TransportOptions {
  /** Default per-call timeout; 0 waits forever. Default 30 s. */
  timeoutMs?: number;
  /** Default credential; AUTH_SYS of this process when omitted. */
  auth?: OpaqueAuth;
  /** Reject replies carrying bytes after the results (a server bug; off by default for interoperability). */
  strictReplies?: boolean;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface PendingCall {
  readonly xid: number;
  readonly what: string;
  /** Decodes the results from a reader positioned after the reply header, and settles the call. */
  readonly accept: (r: XdrReader) => void;
  readonly reject: (err: Error) => void;
  settled: boolean;
  timer: NodeJS.Timeout | undefined;
}

export abstract class RpcTransportBase implements RpcTransport {
  protected readonly pending = new Map<number, PendingCall>();
  private nextXid = randomInt(0x1_0000_0000);
  /** Set once the transport is unusable: every later call fails with it. */
  protected failure: Error | undefined;
  protected readonly timeoutMs: number;
  protected readonly auth: OpaqueAuth;
  private readonly strict: boolean;

  constructor(opts: TransportOptions) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.auth = opts.auth ?? processAuth();
    this.strict = opts.strictReplies ?? false;
  }

  /** Calls sent or queued and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  call<A, R>(prog: number, vers: number, codec: ProcedureCodec<A, R>, args: A, opts: CallOptions = {}): Promise<R> {
    if (this.failure) return Promise.reject(this.failure);
    const xid = this.allocXid();
    const what = `${codec.name} (${prog} v${vers})`;
    const w = new XdrWriter();
    try {
      writeCallHeader(w, { xid, prog, vers, proc: codec.proc, cred: opts.auth ?? this.auth, verf: AUTH_NONE });
      codec.writeArgs(w, args);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<R>((resolve, reject) => {
      const call: PendingCall = {
        xid,
        what,
        accept: (r) => {
          const res = codec.readResult(r);
          if (this.strict && r.remaining !== 0) throw new XdrError(`${r.remaining} bytes after the results`);
          resolve(res);
        },
        reject,
        settled: false,
        timer: undefined,
      };
      this.pending.set(xid, call);
      const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
      if (timeoutMs > 0) {
        call.timer = setTimeout(() => this.settle(call, new RpcTimeoutError(what, timeoutMs)), timeoutMs);
      }
      this.send(call, w);
    });
  }

  /** Hands the encoded call to the wire (or a queue). Failures are reported through settle(). */
  protected abstract send(call: PendingCall, message: XdrWriter): void;

  /** Hook for transports to release per-call state (queues, retransmit timers). */
  protected onSettled(_call: PendingCall): void {}

  /** Dispatches one complete reply message; replies to unknown xids (late, after a timeout) are dropped. */
  protected dispatch(message: Buffer): void {
    if (message.length < 4) return;
    const call = this.pending.get(message.readUInt32BE(0));
    if (!call) return;
    const r = new XdrReader(message);
    try {
      const h = readReplyHeader(r);
      switch (h.kind) {
        case 'success':
          this.settle(call, undefined, r);
          return;
        case 'accept-error': {
          const range = h.stat === AcceptStat.PROG_MISMATCH ? { low: h.low, high: h.high } : {};
          this.settle(call, new RpcError(acceptErrorKind(h.stat), call.what, range));
          return;
        }
        case 'rpc-mismatch':
          this.settle(call, new RpcError('RPC_MISMATCH', call.what, { low: h.low, high: h.high }));
          return;
        case 'auth-error':
          this.settle(call, new RpcError('AUTH_ERROR', call.what, { authStat: h.stat }));
          return;
      }
    } catch (err) {
      this.settle(call, err as Error);
    }
  }

  /** Ends a call exactly once: with an error, or by decoding its results from `r`. */
  protected settle(call: PendingCall, err: Error | undefined, r?: XdrReader): void {
    if (call.settled) return;
    call.settled = true;
    clearTimeout(call.timer);
    this.pending.delete(call.xid);
    this.onSettled(call);
    if (err) {
      call.reject(err);
      return;
    }
    try {
      call.accept(r!);
    } catch (e) {
      call.reject(e as Error);
    }
  }

  /** Marks the transport dead and fails every pending call. */
  protected failAll(err: Error): void {
    this.failure ??= err;
    for (const call of [...this.pending.values()]) this.settle(call, this.failure);
  }

  private allocXid(): number {
    // Skip xids still pending: after 2^32 calls a long-outstanding one could otherwise be matched by a new reply.
    let xid: number;
    do {
      xid = this.nextXid;
      this.nextXid = (this.nextXid + 1) >>> 0;
    } while (this.pending.has(xid));
    return xid;
  }

  abstract close(): Promise<void>;
}

