/**
 * ONC RPC over UDP: one datagram per call, retransmitted with the same xid on
 * an exponential backoff until a reply comes or the call's timeout expires.
 * Servers keep a duplicate request cache keyed on the xid, so a retransmission
 * of a non-idempotent call is answered, not re-executed.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { XdrWriter } from '../xdr/writer.js';
import { RpcConnectionError } from './errors.js';
import { RpcTransportBase, type PendingCall, type TransportOptions } from './rpc-base.js';
import { isRoot, withReservedPort } from './source-port.js';

export interface RpcUdpClientOptions extends TransportOptions {
  host: string;
  port: number;
  localAddress?: string;
  /** Bind a source port below 1024; only tried as root. */
  privilegedPort?: boolean;
  /** First retransmission delay; doubled after each. Default 500 ms. */
  retransmitMs?: number;
  /** Ceiling for the retransmission delay. Default 8 s. */
  maxRetransmitMs?: number;
}

/** The largest UDP payload over IPv4. */
export const MAX_DATAGRAM = 65_507;

export class RpcUdpClient extends RpcTransportBase {
  private readonly retransmitTimers = new Map<PendingCall, NodeJS.Timeout>();
  private readonly closed: Promise<void>;
  private closing = false;
  private readonly retransmitMs: number;
  private readonly maxRetransmitMs: number;
  /** Datagrams sent, retransmissions included. */
  transmissions = 0;

  static async connect(opts: RpcUdpClientOptions): Promise<RpcUdpClient> {
    const type = net.isIP(opts.host) === 6 ? 'udp6' : 'udp4';
    const open = (port?: number) => bindSocket(type, opts.localAddress, port);
    const socket = opts.privilegedPort && isRoot() ? await withReservedPort(open) : await open();
    return new RpcUdpClient(socket, opts);
  }

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly opts: RpcUdpClientOptions,
  ) {
    super(opts);
    this.retransmitMs = opts.retransmitMs ?? 500;
    this.maxRetransmitMs = opts.maxRetransmitMs ?? 8000;
    // Replies are matched by xid alone: multi-homed servers may answer from another address.
    socket.on('message', (msg) => this.dispatch(msg));
    socket.on('error', (err) => this.failAll(new RpcConnectionError(`UDP socket: ${err.message}`, { cause: err })));
    this.closed = new Promise((resolve) => socket.on('close', resolve));
  }

  get localPort(): number {
    return this.socket.address().port;
  }

  protected send(call: PendingCall, message: XdrWriter): void {
    const datagram = message.toBuffer();
    if (datagram.length > MAX_DATAGRAM) {
      this.settle(call, new RangeError(`${call.what}: call of ${datagram.length} bytes does not fit a datagram`));
      return;
    }
    const transmit = (delay: number) => {
      this.transmissions++;
      this.socket.send(datagram, this.opts.port, this.opts.host, (err) => {
        if (err) this.settle(call, err);
      });
      this.retransmitTimers.set(
        call,
        setTimeout(() => transmit(Math.min(delay * 2, this.maxRetransmitMs)), delay),
      );
    };
    transmit(this.retransmitMs);
  }

  protected override onSettled(call: PendingCall): void {
    clearTimeout(this.retransmitTimers.get(call));
    this.retransmitTimers.delete(call);
  }

  async close(): Promise<void> {
    this.failAll(new RpcConnectionError('client closed'));
    if (!this.closing) {
      this.closing = true;
      this.socket.close();
    }
    await this.closed;
  }
}

function bindSocket(type: dgram.SocketType, address: string | undefined, port?: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(type);
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind({ port: port ?? 0, ...(address !== undefined && { address }) }, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}
