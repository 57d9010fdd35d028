/**
 * The server-wide budget of calls in flight: its bookkeeping and turn order
 * on their own, then over sockets, where many connections (and UDP) share a
 * small budget and handlers block until the test lets them go.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { describe, test } from 'node:test';
import { CallBudget, type BudgetClaimant } from '../../src/net/call-budget.js';
import { Dispatcher } from '../../src/net/dispatcher.js';
import { TcpTransport } from '../../src/net/tcp.js';
import { UdpTransport } from '../../src/net/udp.js';
import { nullProcedure, procedureTable, program, type Program } from '../../src/programs/program.js';
import { silentLogger } from '../../src/server/log.js';
import { callRecord, ECHO, frame, GATE, RawTcp, successBody, TEST_PROG, TestProc, udpCall } from '../helpers/raw-rpc.js';

/** A claimant that wants `want` slots and, like a TCP connection, gets back in line while it wants more. */
class Claimant implements BudgetClaimant {
  got = 0;
  constructor(
    readonly name: string,
    private readonly budget: CallBudget,
    private want: number,
    private readonly log: string[],
    readonly accept = true,
  ) {}

  /** Takes slots while free, then waits in line. */
  ask(): void {
    while (this.want > 0 && this.budget.tryAcquire()) this.take();
    if (this.want > 0) this.budget.wait(this);
  }

  granted(): boolean {
    if (!this.accept) return false;
    this.take();
    this.log.push(this.name);
    this.ask();
    return true;
  }

  private take(): void {
    this.got++;
    this.want--;
  }
}

describe('call budget', () => {
  test('slots up to the maximum, then none until one is released', () => {
    const b = new CallBudget(3);
    assert.ok(b.tryAcquire() && b.tryAcquire() && b.tryAcquire());
    assert.equal(b.tryAcquire(), false);
    assert.equal(b.inFlight, 3);
    b.release();
    assert.equal(b.inFlight, 2);
    assert.ok(b.tryAcquire());
  });

  test('freed slots go round robin: a deep pipeline takes one per turn', () => {
    const log: string[] = [];
    const b = new CallBudget(2);
    const flood = new Claimant('flood', b, 1000, log);
    flood.ask();
    assert.equal(flood.got, 2, 'a free budget is taken at once');
    const small = new Claimant('small', b, 1, log);
    const other = new Claimant('other', b, 3, log);
    small.ask();
    other.ask();
    assert.equal(b.waiting, 3);
    for (let i = 0; i < 6; i++) b.release();
    assert.deepEqual(log, ['flood', 'small', 'other', 'flood', 'other', 'flood']);
    assert.equal(b.inFlight, 2);
  });

  test('nobody jumps the line: with anyone waiting, tryAcquire refuses', () => {
    const log: string[] = [];
    const b = new CallBudget(1);
    assert.ok(b.tryAcquire());
    const waiting = new Claimant('waiting', b, 1, log);
    waiting.ask();
    assert.equal(b.tryAcquire(), false);
    b.release();
    assert.deepEqual(log, ['waiting']);
    assert.equal(b.waits, 1);
  });

  test('a claimant that declines or left is skipped; the slot goes to the next', () => {
    const log: string[] = [];
    const b = new CallBudget(1);
    assert.ok(b.tryAcquire());
    const declines = new Claimant('declines', b, 1, log, false);
    const leaves = new Claimant('leaves', b, 1, log);
    const takes = new Claimant('takes', b, 1, log);
    declines.ask();
    leaves.ask();
    takes.ask();
    b.leave(leaves);
    b.release();
    assert.deepEqual(log, ['takes']);
    assert.equal(b.inFlight, 1);
    assert.equal(b.waiting, 0, 'who declined is out of line');
  });

  test('waiting twice keeps one place in line', () => {
    const log: string[] = [];
    const b = new CallBudget(1);
    assert.ok(b.tryAcquire());
    const a = new Claimant('a', b, 5, log);
    a.ask();
    a.ask();
    new Claimant('b', b, 1, log).ask();
    b.release();
    b.release();
    assert.deepEqual(log, ['a', 'b']);
  });

  test('a maximum below one is refused', () => {
    assert.throws(() => new CallBudget(0), RangeError);
    assert.throws(() => new CallBudget(1.5), RangeError);
  });
});

/** Handlers of GATE calls block here; the test lets them go one at a time or all at once. */
class Valve {
  running = 0;
  peak = 0;
  entered = 0;
  private readonly blocked: Array<() => void> = [];
  private opened = false;

  async pass(): Promise<void> {
    this.entered++;
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    if (!this.opened) await new Promise<void>((resolve) => this.blocked.push(resolve));
    this.running--;
  }

  releaseOne(): void {
    const next = this.blocked.shift();
    assert.ok(next, 'no handler to release');
    next();
  }

  open(): void {
    this.opened = true;
    for (const f of this.blocked.splice(0)) f();
  }
}

function valveProgram(valve: Valve): Program {
  return program(TEST_PROG, 'budget-test', [
    procedureTable(2, [
      nullProcedure,
      { codec: ECHO, handle: (data: Buffer) => data },
      {
        codec: GATE,
        handle: async (tag: number) => {
          await valve.pass();
          return tag;
        },
      },
    ]),
  ]);
}

const gateCall = (xid: number): Buffer => callRecord({ xid, prog: TEST_PROG, vers: 2, proc: TestProc.GATE, args: (w) => GATE.writeArgs(w, xid) });
const echoCall = (xid: number, data: Buffer): Buffer =>
  callRecord({ xid, prog: TEST_PROG, vers: 2, proc: TestProc.ECHO, args: (w) => ECHO.writeArgs(w, data) });

/** Polls until `cond` holds: for states reached through sockets and the event loop. */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((resolve) => setTimeout(resolve, 2));
}

/** Gives the server every chance to (wrongly) read and dispatch more. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('call budget over sockets', () => {
  test(
    'many connections flooding a budget of 8: never more than 8 handlers, a small caller is served in its turn, all answered',
    { timeout: 120_000 },
    async () => {
      const CAP = 8;
      const valve = new Valve();
      const budget = new CallBudget(CAP);
      // Per connection the cap is far above the budget: only the budget holds them back.
      const tcp = new TcpTransport(new Dispatcher([valveProgram(valve)], silentLogger), {
        log: silentLogger,
        budget,
        limits: { maxInFlight: 64 },
      });
      const port = await tcp.listen(0, '127.0.0.1');
      try {
        const FLOODERS = 3;
        const SMALL_CALLS = 200;
        // One flooder also sends calls padded far beyond what kernel buffers hold.
        const PADDED_CALLS = 600;
        const padding = Buffer.alloc(60 << 10);
        const flooders = await Promise.all(Array.from({ length: FLOODERS }, () => RawTcp.connect(port)));
        const sent = flooders.map(() => ({ calls: 0, bytes: 0 }));
        let xid = 1;
        const send = (i: number, record: Buffer): void => {
          const f = frame(record);
          flooders[i]!.write(f);
          sent[i]!.calls++;
          sent[i]!.bytes += f.length;
        };
        for (let i = 0; i < FLOODERS; i++) for (let n = 0; n < SMALL_CALLS; n++) send(i, gateCall(xid++));
        for (let n = 0; n < PADDED_CALLS; n++) send(0, Buffer.concat([gateCall(xid++), padding]));
        const total = sent.reduce((n, s) => n + s.calls, 0);

        await until(() => valve.running === CAP && budget.waiting === FLOODERS);
        await settle();
        assert.equal(valve.entered, CAP, 'handlers started beyond the budget');
        assert.equal(budget.waiting, FLOODERS, 'every flooder waits in line');

        // Records the server did not read stay in the kernel's buffers and the client's: memory is bounded.
        const heavy = tcp.stats().find((s) => s.remote.port === flooders[0]!.socket.localPort)!;
        assert.ok(heavy.bytesIn < sent[0]!.bytes / 2, `server read ${heavy.bytesIn} of ${sent[0]!.bytes} bytes while out of budget`);
        assert.ok(flooders[0]!.socket.writableLength > 0, 'the flooding client was never pushed back');

        // A well-behaved client arrives last and gets in line behind the flooders, not behind their calls.
        const polite = await RawTcp.connect(port);
        polite.write(frame(echoCall(0x9000, Buffer.from('my turn'))));
        await until(() => budget.waiting === FLOODERS + 1);
        let releases = 0;
        while (polite.replies.length === 0) {
          const entered = valve.entered;
          valve.releaseOne();
          releases++;
          await until(() => valve.entered > entered || polite.replies.length > 0);
          assert.ok(valve.peak <= CAP, `${valve.peak} handlers ran at once`);
        }
        assert.deepEqual(ECHO.readResult(successBody(polite.replies[0]!)), Buffer.from('my turn'));
        assert.ok(releases <= FLOODERS + 1, `the polite call waited for ${releases} freed slots`);
        assert.ok(total - valve.entered >= 500, `flooders still had ${total - valve.entered} calls queued`);
        polite.close();

        valve.open();
        for (let i = 0; i < FLOODERS; i++) {
          const replies = await flooders[i]!.waitFor(sent[i]!.calls);
          assert.equal(replies.length, sent[i]!.calls);
        }
        assert.equal(valve.entered, total);
        assert.equal(valve.peak, CAP, 'the budget was the limit, and it was reached');
        for (const f of flooders) f.close();
        await until(() => budget.inFlight === 0);
        assert.equal(budget.waiting, 0);
      } finally {
        await tcp.close(1000);
      }
    },
  );

  test('UDP shares the budget: over it datagrams are dropped and counted, a waiting connection goes first', { timeout: 30_000 }, async () => {
    const CAP = 4;
    const valve = new Valve();
    const budget = new CallBudget(CAP);
    const dispatcher = new Dispatcher([valveProgram(valve)], silentLogger);
    const tcp = new TcpTransport(dispatcher, { log: silentLogger, budget });
    const udp = new UdpTransport(dispatcher, { log: silentLogger, budget });
    const port = await tcp.listen(0, '127.0.0.1');
    const udpPort = await udp.bind(0, '127.0.0.1');
    const peer = dgram.createSocket('udp4');
    const udpReplies: number[] = [];
    peer.on('message', (m) => udpReplies.push(m.readUInt32BE(0)));
    try {
      for (let i = 1; i <= CAP; i++) peer.send(gateCall(i), udpPort, '127.0.0.1');
      await until(() => valve.running === CAP);
      assert.equal(budget.inFlight, CAP);

      const conn = await RawTcp.connect(port);
      conn.write(frame(gateCall(100)));
      await until(() => budget.waiting === 1);

      peer.send(echoCall(200, Buffer.from('dropped')), udpPort, '127.0.0.1');
      await until(() => udp.dropped === 1);
      assert.equal(udp.calls, CAP);

      valve.releaseOne();
      await until(() => valve.entered === CAP + 1);
      assert.equal(budget.waiting, 0, 'the waiting connection took the freed slot');
      assert.equal(budget.inFlight, CAP);

      valve.open();
      const [reply] = await conn.waitFor(1);
      assert.equal(GATE.readResult(successBody(reply!)), 100);
      await until(() => udpReplies.length === CAP);
      assert.deepEqual(udpReplies.sort(), [1, 2, 3, 4]);
      // With slots free again, UDP is served.
      const echoed = await udpCall(udpPort, echoCall(201, Buffer.from('served')));
      assert.deepEqual(ECHO.readResult(successBody(echoed)), Buffer.from('served'));
      assert.equal(valve.peak, CAP);
      conn.close();
    } finally {
      peer.close();
      await Promise.all([tcp.close(1000), udp.close(1000)]);
    }
  });

  test('waiting in line is not idleness: the idle timeout spares a connection waiting for the budget', { timeout: 30_000 }, async () => {
    const IDLE_MS = 30;
    const valve = new Valve();
    const budget = new CallBudget(1);
    const tcp = new TcpTransport(new Dispatcher([valveProgram(valve)], silentLogger), {
      log: silentLogger,
      budget,
      limits: { idleTimeoutMs: IDLE_MS },
    });
    const port = await tcp.listen(0, '127.0.0.1');
    try {
      const holder = await RawTcp.connect(port);
      holder.write(frame(gateCall(1)));
      await until(() => valve.running === 1);
      const waiter = await RawTcp.connect(port);
      waiter.write(frame(gateCall(2)));
      await until(() => budget.waiting === 1);
      // Many idle periods pass while it waits.
      await new Promise((resolve) => setTimeout(resolve, 10 * IDLE_MS));
      assert.equal(waiter.socket.destroyed, false);
      valve.open();
      const [reply] = await waiter.waitFor(1);
      assert.equal(GATE.readResult(successBody(reply!)), 2);
      holder.close();
      waiter.close();
    } finally {
      await tcp.close(1000);
    }
  });

  test('a connection that closes while in line gives up its place', { timeout: 30_000 }, async () => {
    const valve = new Valve();
    const budget = new CallBudget(1);
    const tcp = new TcpTransport(new Dispatcher([valveProgram(valve)], silentLogger), { log: silentLogger, budget });
    const port = await tcp.listen(0, '127.0.0.1');
    try {
      const holder = await RawTcp.connect(port);
      holder.write(frame(gateCall(1)));
      await until(() => valve.running === 1);
      const quitter = await RawTcp.connect(port);
      quitter.write(frame(gateCall(2)));
      await until(() => budget.waiting === 1);
      // A reset reaches a paused socket (a FIN would wait unread behind the parked call until its turn).
      quitter.socket.resetAndDestroy();
      await until(() => budget.waiting === 0);
      const next = await RawTcp.connect(port);
      next.write(frame(gateCall(3)));
      await until(() => budget.waiting === 1);
      valve.releaseOne();
      await until(() => valve.entered === 2);
      valve.open();
      const [reply] = await next.waitFor(1);
      assert.equal(GATE.readResult(successBody(reply!)), 3, 'the slot went to the connection still in line');
      assert.equal(valve.entered, 2, 'the closed connection’s call never ran');
      holder.close();
      next.close();
    } finally {
      await tcp.close(1000);
    }
  });
});
