/**
 * RPC over TCP (RFC 5531 section 11): record marking, many calls in flight
 * per connection, each reply written as one record as soon as its call
 * completes (in any order: clients match replies by xid).
 *
 * Every resource a peer can make us spend is bounded: the size of a record,
 * the calls in flight per connection and over the whole server (beyond either
 * cap, records already read are parked and the socket stops reading, so the
 * kernel's window pushes back on the client; see CallBudget for who goes
 * next), the reply bytes queued for a peer that does not read, the number of
 * connections, and how long an idle connection is kept.
 */
import net from 'node:net';
import type { Remote } from '../programs/program.js';
import { RecordDecoder, RecordTooLarge, recordHeader } from '../rpc/record.js';
import type { Logger } from '../server/log.js';
import { DEFAULT_LIMITS } from '../server/env.js';
import { giveBack, mayBeLent } from '../xdr/lent-buffers.js';
import { CallBudget, type BudgetClaimant } from './call-budget.js';
import { replyLength, type Dispatcher } from './dispatcher.js';
import { noteReceived } from './received-garbage.js';

export interface TcpLimits {
  /** Largest call record accepted; a bigger one closes the connection. Default: the largest WRITE plus 64 KiB. */
  maxRecord: number;
  /** Calls dispatched and not yet answered, per connection. */
  maxInFlight: number;
  /** Reading stops while more reply bytes than this wait to be sent to the peer. */
  writeHighWater: number;
  maxConnections: number;
  /** A connection with no traffic and no call in flight for this long is closed. */
  idleTimeoutMs: number;
}

export const DEFAULT_TCP_LIMITS: TcpLimits = {
  maxRecord: DEFAULT_LIMITS.writeMax + (64 << 10),
  maxInFlight: 64,
  writeHighWater: 4 << 20,
  maxConnections: 1024,
  idleTimeoutMs: 5 * 60_000,
};

export interface ConnectionStats {
  remote: Remote;
  /** Epoch milliseconds. */
  connectedAt: number;
  calls: number;
  bytesIn: number;
  bytesOut: number;
  inFlight: number;
}

/** Clients see IPv4 peers of a dual-stack socket as ::ffff:a.b.c.d; logs, rmtab and status want a.b.c.d. */
export function plainAddress(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

class Connection implements BudgetClaimant {
  readonly remote: Remote;
  readonly connectedAt = Date.now();
  calls = 0;
  bytesIn = 0;
  bytesOut = 0;
  inFlight = 0;
  /**
   * Records read while at the in-flight cap or waiting for the server's
   * budget; they are views into chunks already received. Reading stops while
   * any are parked, so they are at most one chunk's worth.
   */
  private readonly parked: Buffer[] = [];
  private paused = false;
  /** The peer sent FIN: answer what is in flight, then close our side. */
  private ended = false;
  private readonly decoder: RecordDecoder;
  // Bound once per connection rather than once per call.
  private readonly onReply = (reply: Buffer[] | undefined): void => this.finish(reply);
  /** When the last chunk was read (performance.now()): calls are stamped with it (CallContext.receivedAt). */
  private receivedAt = 0;
  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };
  private readonly onDispatchError = (err: unknown): void => {
    // The dispatcher answers handler failures itself; reaching here is a bug in it.
    this.transport.log.error('tcp: dispatcher failed', { remote: this.remote, err });
    this.finish(undefined);
  };

  constructor(
    readonly socket: net.Socket,
    private readonly transport: TcpTransport,
  ) {
    this.remote = { address: plainAddress(socket.remoteAddress), port: socket.remotePort ?? 0, transport: 'tcp' };
    this.decoder = new RecordDecoder(transport.limits.maxRecord, (record) => this.onRecord(record));
    socket.setNoDelay(true);
    // Node's socket timeouts are unref'd and cleared on destroy: they never keep the process alive.
    socket.setTimeout(transport.limits.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => {
      this.startParked();
      this.updateFlow();
      this.endIfDone();
    });
    socket.on('timeout', () => this.onTimeout());
    socket.on('end', () => {
      this.ended = true;
      this.endIfDone();
    });
    socket.on('error', (err) => transport.log.debug('tcp: connection error', { remote: this.remote, err }));
  }

  get stats(): ConnectionStats {
    const { remote, connectedAt, calls, bytesIn, bytesOut, inFlight } = this;
    return { remote, connectedAt, calls, bytesIn, bytesOut, inFlight };
  }

  private onData(chunk: Buffer): void {
    // Every record this chunk completes was read by now (a parked one started later is stamped later still).
    this.receivedAt = performance.now();
    this.bytesIn += chunk.length;
    noteReceived(chunk.length);
    try {
      this.decoder.push(chunk);
    } catch (err) {
      if (!(err instanceof RecordTooLarge)) throw err;
      this.transport.log.warn('tcp: record too large, closing connection', {
        remote: this.remote,
        size: err.size,
        limit: err.limit,
      });
      this.socket.destroy();
    }
  }

  private onRecord(record: Buffer): void {
    if (this.socket.destroyed) return;
    // Behind parked records, or no slot: in line, in order.
    if (this.parked.length > 0 || !this.acquire()) {
      this.parked.push(record);
      this.updateFlow();
      return;
    }
    this.start(record);
  }

  /**
   * A slot for one more call: within this connection's limits, then from the
   * server's budget. Without a free slot there, the connection gets in line
   * and granted() starts its next parked call when its turn comes.
   */
  private acquire(): boolean {
    if (!this.mayStart()) return false;
    const budget = this.transport.budget;
    if (budget.tryAcquire()) return true;
    budget.wait(this);
    return false;
  }

  granted(): boolean {
    if (this.parked.length === 0 || this.socket.destroyed || !this.mayStart()) return false;
    this.start(this.parked.shift()!);
    // More parked: back in line behind the others (or straight on if nobody waits and slots are free).
    this.startParked();
    this.updateFlow();
    return true;
  }

  /** The socket closed: what it had parked is dropped, and it leaves the line. */
  closed(): void {
    this.parked.length = 0;
    this.transport.budget.leave(this);
  }

  /** With a slot acquired. */
  private start(record: Buffer): void {
    this.inFlight++;
    this.calls++;
    this.transport.inFlight++;
    this.updateFlow();
    const replied = this.transport.dispatcher.dispatch(record, this.remote, this.receivedAt);
    // A lent record (a large WRITE) is given back with the reply; one without a reply is left to the collector.
    if (mayBeLent(record)) replied.then((reply) => this.finish(reply, record), this.onDispatchError);
    else replied.then(this.onReply, this.onDispatchError);
  }

  private finish(reply: Buffer[] | undefined, record?: Buffer): void {
    this.inFlight--;
    this.transport.inFlight--;
    if (reply && !this.socket.destroyed && this.socket.writable) this.send(reply, record);
    // The slot goes to whoever is in line first: this connection's own parked calls queue behind them.
    this.transport.budget.release();
    this.startParked();
    this.updateFlow();
    this.endIfDone();
    if (this.transport.inFlight === 0) this.transport.settled();
  }

  /**
   * Another call may start: under the in-flight cap, not closing, and the
   * peer is taking our replies. Without the last condition one chunk of small
   * READ calls from a client that never reads would pile up a reply each
   * (up to rtmax apiece) in the socket's buffer.
   */
  private mayStart(): boolean {
    const limits = this.transport.limits;
    return (
      this.inFlight < limits.maxInFlight && !this.transport.draining && this.socket.writableLength <= limits.writeHighWater
    );
  }

  private startParked(): void {
    while (this.parked.length > 0 && this.acquire()) this.start(this.parked.shift()!);
  }

  private endIfDone(): void {
    if (this.ended && this.inFlight === 0 && this.parked.length === 0 && !this.socket.destroyed) this.socket.end();
  }

  /**
   * One record, one fragment, uncopied. The socket stays corked until the
   * event loop's check phase, so every reply completed in this turn of the
   * loop (calls whose threadpool jobs finished together) leaves in one writev:
   * fewer syscalls here and fewer wakeups of the client.
   */
  private send(segments: Buffer[], record: Buffer | undefined): void {
    const length = replyLength(segments);
    const s = this.socket;
    if (!this.corked) {
      this.corked = true;
      s.cork();
      setImmediate(this.uncork);
    }
    s.write(recordHeader(length));
    const last = segments.length - 1;
    for (let i = 0; i < last; i++) s.write(segments[i]!);
    // The last write's callback runs once all of them are written (or failed): lent payloads can be reused.
    if (last >= 0 && (record !== undefined || segments.some(mayBeLent))) {
      s.write(segments[last]!, () => {
        for (const seg of segments) giveBack(seg);
        if (record !== undefined) giveBack(record);
      });
    } else if (last >= 0) s.write(segments[last]!);
    this.bytesOut += length + 4;
  }

  /** Reads only while under the in-flight cap, with nothing parked (nor waiting for the budget), and the peer is taking our replies. */
  updateFlow(): void {
    const s = this.socket;
    if (s.destroyed) return;
    const stop =
      this.transport.draining ||
      this.parked.length > 0 ||
      this.inFlight >= this.transport.limits.maxInFlight ||
      s.writableLength > this.transport.limits.writeHighWater;
    if (stop && !this.paused) {
      this.paused = true;
      s.pause();
    } else if (!stop && this.paused) {
      this.paused = false;
      s.resume();
    }
  }

  private onTimeout(): void {
    // A call stuck on a slow disk is not idleness, nor is a call waiting for the server's budget
    // (parked while this connection may start one); the reply's write re-arms the timer.
    if (this.inFlight > 0 || (this.parked.length > 0 && this.mayStart())) return;
    this.transport.log.debug('tcp: closing idle connection', { remote: this.remote });
    this.socket.destroy();
  }
}

export interface TcpTransportOptions {
  log: Logger;
  limits?: Partial<TcpLimits>;
  /** Calls in flight over the whole server, shared with its other transports (default: this transport's own). */
  budget?: CallBudget;
}

export class TcpTransport {
  readonly limits: TcpLimits;
  readonly log: Logger;
  readonly budget: CallBudget;
  /** Calls in flight over all connections. */
  inFlight = 0;
  /** Set by close(): connections stop reading and only finish what is in flight. */
  draining = false;
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  private onSettled: (() => void) | undefined;

  constructor(
    readonly dispatcher: Dispatcher,
    options: TcpTransportOptions,
  ) {
    this.log = options.log;
    this.limits = { ...DEFAULT_TCP_LIMITS, ...options.limits };
    this.budget = options.budget ?? new CallBudget();
    // Half-open: a peer that sends its calls and then shuts down its side still gets every reply.
    this.server = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) => this.accept(socket));
    this.server.maxConnections = this.limits.maxConnections;
    this.server.on('drop', (data) => this.log.warn('tcp: connection refused, too many connections', { data }));
  }

  private accept(socket: net.Socket): void {
    if (this.draining) {
      socket.destroy();
      return;
    }
    const conn = new Connection(socket, this);
    this.connections.add(conn);
    socket.on('close', () => {
      this.connections.delete(conn);
      conn.closed();
    });
  }

  /** Listens on host:port (port 0: ephemeral); resolves with the port bound. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen({ port, host }, () => {
        this.server.off('error', onError);
        this.server.on('error', (err) => this.log.error('tcp: server error', { err }));
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  get listening(): boolean {
    return this.server.listening;
  }

  stats(): ConnectionStats[] {
    return [...this.connections].map((c) => c.stats);
  }

  /** @internal Called by a connection when the last in-flight call over all connections finishes. */
  settled(): void {
    this.onSettled?.();
  }

  /**
   * Stops accepting and reading, lets calls in flight finish and their replies
   * flush for at most `graceMs`, then closes every connection.
   */
  async close(graceMs = 5000): Promise<void> {
    this.draining = true;
    const closed = this.server.listening
      ? new Promise<void>((resolve) => this.server.close(() => resolve()))
      : Promise.resolve();
    for (const c of this.connections) c.updateFlow();
    await this.waitIdle(graceMs);
    const ends: Promise<void>[] = [];
    for (const c of this.connections) {
      ends.push(new Promise<void>((resolve) => c.socket.once('close', () => resolve())));
      c.socket.end();
    }
    await boundedWait(Promise.all(ends), graceMs);
    for (const c of this.connections) c.socket.destroy();
    await closed;
  }

  private waitIdle(graceMs: number): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return boundedWait(
      new Promise<void>((resolve) => {
        this.onSettled = resolve;
      }),
      graceMs,
    ).finally(() => {
      this.onSettled = undefined;
    });
  }
}

/** Resolves when `p` does or after `ms`, whichever is first, without leaving a timer behind. */
export function boundedWait(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([p.then(() => undefined), timeout]).finally(() => clearTimeout(timer));
}
