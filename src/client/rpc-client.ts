/**
 * ONC RPC over one TCP connection (RFC 5531 section 11): calls are pipelined,
 * replies are matched by xid in whatever order they come, and each call is
 * written as one gathered write so large WRITE payloads are never copied.
 */
import net from 'node:net';
import { RecordDecoder, recordHeader } from '../rpc/record.js';
import type { XdrWriter } from '../xdr/writer.js';
import { RpcConnectionError, RpcTimeoutError } from './errors.js';
import { DEFAULT_TIMEOUT_MS, RpcTransportBase, type PendingCall, type TransportOptions } from './rpc-base.js';
import { isRoot, withReservedPort } from './source-port.js';

export interface RpcClientOptions extends TransportOptions {
  host: string;
  port: number;
  localAddress?: string;
  /** Bind a source port below 1024 (needed by `secure` exports); only possible, and only tried, as root. */
  privilegedPort?: boolean;
  /** Calls beyond this many in flight wait in a queue. Default unbounded. */
  maxInFlight?: number;
  /** Largest reply record accepted; a larger one breaks the connection. Default 64 MiB. */
  maxRecord?: number;
}

const DEFAULT_MAX_RECORD = 64 * 1024 * 1024;

export class RpcClient extends RpcTransportBase {
  private readonly maxInFlight: number;
  /** Calls whose bytes are on the wire (counted against maxInFlight). */
  private readonly onWire = new Set<PendingCall>();
  private readonly queue: { call: PendingCall; segments: Buffer[] }[] = [];
  private readonly closed: Promise<void>;

  /** Opens the connection; `timeoutMs` bounds the connect as well as each call. */
  static async connect(opts: RpcClientOptions): Promise<RpcClient> {
    const open = (localPort?: number) => openSocket(opts, localPort);
    const socket = opts.privilegedPort && isRoot() ? await withReservedPort(open) : await open();
    return new RpcClient(socket, opts);
  }

  private constructor(
    private readonly socket: net.Socket,
    opts: RpcClientOptions,
  ) {
    super(opts);
    this.maxInFlight = opts.maxInFlight ?? Infinity;
    const peer = `${opts.host}:${opts.port}`;
    const decoder = new RecordDecoder(opts.maxRecord ?? DEFAULT_MAX_RECORD, (record) => this.dispatch(record));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        decoder.push(chunk);
      } catch (err) {
        socket.destroy(err as Error);
      }
    });
    socket.on('error', (err) => this.failAll(new RpcConnectionError(`connection to ${peer}: ${err.message}`, { cause: err })));
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.failAll(new RpcConnectionError(`connection to ${peer} closed`));
        resolve();
      });
    });
  }

  /** The local port the connection was made from. */
  get localPort(): number | undefined {
    return this.socket.localPort;
  }

  protected send(call: PendingCall, message: XdrWriter): void {
    const length = message.length;
    const segments = message.segments();
    segments.unshift(recordHeader(length));
    if (this.onWire.size < this.maxInFlight) this.write(call, segments);
    else this.queue.push({ call, segments });
  }

  private write(call: PendingCall, segments: Buffer[]): void {
    this.onWire.add(call);
    // Corked writes reach the socket as one writev: header, small fields and payload views, no concatenation.
    this.socket.cork();
    for (const s of segments) this.socket.write(s);
    this.socket.uncork();
  }

  protected override onSettled(call: PendingCall): void {
    // A dead connection sends nothing more: its queued calls are being failed too.
    if (!this.onWire.delete(call) || this.failure) return;
    while (this.onWire.size < this.maxInFlight && this.queue.length > 0) {
      const next = this.queue.shift()!;
      if (!next.call.settled) this.write(next.call, next.segments);
    }
  }

  /** Closes the connection; calls still pending are rejected. */
  async close(): Promise<void> {
    this.failAll(new RpcConnectionError('client closed'));
    this.queue.length = 0;
    this.socket.end();
    await this.closed;
  }
}

function openSocket(opts: RpcClientOptions, localPort?: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({
      host: opts.host,
      port: opts.port,
      ...(opts.localAddress !== undefined && { localAddress: opts.localAddress }),
      ...(localPort !== undefined && { localPort }),
    });
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            socket.destroy();
            reject(new RpcTimeoutError(`connect to ${opts.host}:${opts.port}`, timeoutMs));
          }, timeoutMs)
        : undefined;
    const onError = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeListener('error', onError);
      resolve(socket);
    });
  });
}
