/**
 * RPC over UDP: one datagram is one call, one reply is one datagram (no
 * record marking). There is no flow control to lean on, so calls beyond the
 * transport's in-flight cap, or arriving while the server's call budget is
 * exhausted, are dropped; the client retransmits, as it does for any lost
 * datagram.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Remote } from '../programs/program.js';
import { AcceptStat } from '../rpc/constants.js';
import type { Logger } from '../server/log.js';
import { CallBudget } from './call-budget.js';
import { acceptErrorReply, replyLength, type Dispatcher } from './dispatcher.js';
import { boundedWait, plainAddress } from './tcp.js';

/** The largest UDP payload over IPv4 (65,535 minus the IP and UDP headers). */
export const MAX_UDP_PAYLOAD = 65_507;

export interface UdpTransportOptions {
  log: Logger;
  /** Calls dispatched and not yet answered, over all peers: UDP's share of the budget. */
  maxInFlight?: number;
  /** Calls in flight over the whole server, shared with its other transports (default: this transport's own). */
  budget?: CallBudget;
}

export class UdpTransport {
  private readonly log: Logger;
  private readonly maxInFlight: number;
  private readonly budget: CallBudget;
  private socket: dgram.Socket | undefined;
  private inFlight = 0;
  private draining = false;
  private onSettled: (() => void) | undefined;
  calls = 0;
  /** Datagrams dropped while closing or over a cap (the transport's or the server's). */
  dropped = 0;

  constructor(
    private readonly dispatcher: Dispatcher,
    options: UdpTransportOptions,
  ) {
    this.log = options.log;
    this.maxInFlight = options.maxInFlight ?? 256;
    this.budget = options.budget ?? new CallBudget(this.maxInFlight);
  }

  /** Binds host:port (port 0: ephemeral); resolves with the port bound. */
  bind(port: number, host: string): Promise<number> {
    // A udp6 socket on "::" is dual-stack (Node leaves IPV6_V6ONLY off), like the TCP listener.
    const socket = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4' });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ port, address: host, exclusive: true }, () => {
        socket.off('error', reject);
        socket.on('error', (err) => this.log.warn('udp: socket error', { err }));
        socket.on('message', (msg, rinfo) => this.onMessage(socket, msg, rinfo));
        this.socket = socket;
        resolve(socket.address().port);
      });
    });
  }

  private onMessage(socket: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.draining || this.inFlight >= this.maxInFlight || !this.budget.tryAcquire()) {
      this.dropped++;
      return;
    }
    this.inFlight++;
    this.calls++;
    const remote: Remote = { address: plainAddress(rinfo.address), port: rinfo.port, transport: 'udp' };
    this.dispatcher.dispatch(msg, remote, performance.now()).then(
      (reply) => this.finish(socket, msg, rinfo, reply),
      (err: unknown) => {
        this.log.error('udp: dispatcher failed', { remote, err });
        this.finish(socket, msg, rinfo, undefined);
      },
    );
  }

  private finish(socket: dgram.Socket, call: Buffer, rinfo: dgram.RemoteInfo, reply: Buffer[] | undefined): void {
    this.inFlight--;
    // After a close whose grace ran out, late replies have nowhere to go.
    if (reply && this.socket === socket) {
      const length = replyLength(reply);
      if (length > MAX_UDP_PAYLOAD) {
        // Dropping would leave the client retransmitting the same call for ever;
        // SYSTEM_ERR ends it with an error (EIO) it can report. Over UDP, clients
        // should ask for at most 32 KiB per READ/READDIR, as Linux does.
        this.log.warn('udp: reply too large for a datagram, answering SYSTEM_ERR', {
          remote: `${rinfo.address}:${rinfo.port}`,
          length,
        });
        reply = acceptErrorReply(call.readUInt32BE(0), AcceptStat.SYSTEM_ERR);
      }
      socket.send(reply, rinfo.port, rinfo.address, (err) => {
        if (err) this.log.debug('udp: send failed', { err });
      });
    }
    this.budget.release();
    if (this.inFlight === 0) this.onSettled?.();
  }

  /** Stops taking calls, lets those in flight answer for at most `graceMs`, then closes the socket. */
  async close(graceMs = 5000): Promise<void> {
    this.draining = true;
    const socket = this.socket;
    if (!socket) return;
    if (this.inFlight > 0) {
      await boundedWait(
        new Promise<void>((resolve) => {
          this.onSettled = resolve;
        }),
        graceMs,
      );
      this.onSettled = undefined;
    }
    this.socket = undefined;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
