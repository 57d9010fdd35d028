/**
 * A running server (memory backend) under a barrage of hostile peers over
 * TCP and UDP: truncated, oversized and random records, stalled connections
 * and floods of calls whose replies are never read. It must close what it
 * should, keep its memory bounded by its configured limits, and go on
 * serving a well-behaved client during and after.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { authSys } from '../../src/client/auth.js';
import { NfsFs } from '../../src/client/fs.js';
import { NFS_PROGRAM } from '../../src/proto/nfs3/constants.js';
import { GETATTR } from '../../src/proto/nfs3/getattr.js';
import { READ } from '../../src/proto/nfs3/read.js';
import { recordHeader } from '../../src/rpc/record.js';
import { mutate, Rng } from '../helpers/fuzz.js';
import { callRecord, frame, RawTcp } from '../helpers/raw-rpc.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Configured limits: small, so the bound below is tight enough to mean something. */
const MAX_RECORD = 128 * KiB;
const MAX_IN_FLIGHT = 16;
const WRITE_HIGH_WATER = 1 * MiB;
const IDLE_MS = 1500;

/** Hostile peers. */
const HALF_RECORD_CONNS = 32;
const SLOWLORIS_CONNS = 8;
const GARBAGE_CONNS = 8;
const OVERSIZED_CONNS = 4;
const TRUNCATED_CONNS = 8;
const FLOOD_CONNS = 4;
const FLOOD_CALLS = 400;
const READ_SIZE = 64 * KiB;
const UDP_DATAGRAMS = 2000;

/**
 * What the server may legitimately hold at once during the barrage:
 *   half records: HALF_RECORD_CONNS × MAX_RECORD                  =  4 MiB
 *   GETATTR floods: FLOOD_CONNS × FLOOD_CALLS × ~250 B (calls and
 *           small replies, all under WRITE_HIGH_WATER)             <  1 MiB
 *   slowloris, garbage, oversized, truncated, UDP: headers and
 *           single socket chunks, dropped or closed                <  2 MiB
 *   the good client's 200 KiB file, in and out                     <  1 MiB
 * ≈ 8 MiB of payload. The client side of every socket lives in this process
 * too, RSS keeps freed pages, and V8 and Buffer bookkeeping roughly double
 * payload: 64 MiB is generous for all that and still far below what one
 * unbounded buffer costs (a 2 GiB record announced).
 */
const MAX_GROWTH = 64 * MiB;
/**
 * READ floods whose replies are never read: per connection at most
 * WRITE_HIGH_WATER of queued replies plus MAX_IN_FLIGHT × READ_SIZE being
 * built = 2 MiB, × FLOOD_CONNS = 8 MiB; twice that for bookkeeping, plus 8 MiB
 * slack. Unbounded, it is FLOOD_CONNS × FLOOD_CALLS × READ_SIZE = 100 MiB.
 */
const MAX_READ_FLOOD_GROWTH = 24 * MiB;
/** After the barrage and a full GC, live memory must come back: nothing leaked per connection or call. */
const MAX_RETAINED = 8 * MiB;

function collectGarbage(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  // node --test does not pass --expose-gc to its children: turn it on from here.
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

const gc = collectGarbage();

function live(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Peak RSS and live bytes sampled while `work` runs. */
async function peakDuring(work: () => Promise<void>): Promise<{ rss: number; live: number }> {
  const peak = { rss: 0, live: 0 };
  const sample = (): void => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.live = Math.max(peak.live, m.heapUsed + m.arrayBuffers);
  };
  const timer = setInterval(sample, 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
    sample();
  }
  return peak;
}

/** Rejects after `ms` so a server that never closes fails the test instead of hanging it. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function wellBehaved(port: number, path: string, name: string, size: number): Promise<void> {
  const fs = await NfsFs.mount({ host: '127.0.0.1', port, mountPort: port, path, auth: authSys({ uid: 0, gid: 0 }), timeoutMs: 10_000 });
  try {
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i++) data[i] = (i * 31 + name.length) & 0xff;
    await fs.writeFile(`/${name}`, data);
    assert.deepEqual(await fs.readFile(`/${name}`), data, `${name} reads back as written`);
  } finally {
    await fs.unmount();
  }
}

describe('hostile peers against a running server', () => {
  let ts: TestServer;
  let fileHandle: Buffer;
  let rootHandle: Buffer;

  before(async () => {
    ts = await startTestServer({
      exportOptions: { noRootSquash: true },
      server: {
        limits: { writeMax: 64 * KiB },
        tcp: { maxRecord: MAX_RECORD, maxInFlight: MAX_IN_FLIGHT, writeHighWater: WRITE_HIGH_WATER, idleTimeoutMs: IDLE_MS },
      },
    });
    const fs = await NfsFs.mount({ host: '127.0.0.1', port: ts.port, mountPort: ts.port, path: ts.exportPath, auth: authSys({ uid: 0, gid: 0 }) });
    try {
      await fs.writeFile('/big', Buffer.alloc(READ_SIZE, 0x5a), { mode: 0o644 });
      fileHandle = (await fs.resolve('/big')).handle;
      rootHandle = (await fs.resolve('/')).handle;
    } finally {
      await fs.unmount();
    }
  });

  after(async () => {
    await ts?.stop();
  });

  test('memory stays bounded, bad connections are closed, and a good client is served throughout', async (t) => {
    const rng = new Rng(0x5eed);
    const port = ts.port;
    const base = live();
    const baseRss = process.memoryUsage().rss;
    const sockets: RawTcp[] = [];
    const connect = async (): Promise<RawTcp> => {
      const c = await RawTcp.connect(port);
      sockets.push(c);
      return c;
    };
    const getattr = callRecord({ xid: 1, prog: NFS_PROGRAM, vers: 3, proc: GETATTR.proc, args: (w) => GETATTR.writeArgs(w, { object: rootHandle }) });

    const peak = await peakDuring(async () => {
      // Records announcing more than the limit: the connection is closed.
      const oversized = await Promise.all(Array.from({ length: OVERSIZED_CONNS }, connect));
      oversized.forEach((c, i) => {
        const h = Buffer.alloc(4);
        h.writeUInt32BE(i % 2 ? 0xffff_ffff : (0x8000_0000 | (MAX_RECORD + 1)) >>> 0, 0);
        c.write(Buffer.concat([h, Buffer.alloc(1024)]));
      });
      // Continuation fragments that add up past the limit are refused too.
      const split = await connect();
      split.write(Buffer.alloc(4)); // an empty non-last fragment
      const frag = Buffer.alloc(4);
      frag.writeUInt32BE(MAX_RECORD / 2 + 1, 0);
      split.write(Buffer.concat([frag, Buffer.alloc(MAX_RECORD / 2 + 1), frag, Buffer.alloc(MAX_RECORD / 2 + 1)]));
      await within(Promise.all([...oversized, split].map((c) => c.closed)), 10_000, 'oversized records close their connection');

      // Stalled peers: a header then nothing, and half a record then nothing.
      const slowloris = await Promise.all(Array.from({ length: SLOWLORIS_CONNS }, connect));
      for (const c of slowloris) c.write(recordHeader(MAX_RECORD));
      const halves = await Promise.all(Array.from({ length: HALF_RECORD_CONNS }, connect));
      for (const c of halves) c.write(Buffer.concat([recordHeader(MAX_RECORD), rng.bytes(MAX_RECORD / 2)]));

      // Truncated records: part of a record, then FIN. The server answers nothing and closes.
      const truncated = await Promise.all(Array.from({ length: TRUNCATED_CONNS }, connect));
      for (const c of truncated) {
        const full = frame(getattr);
        c.socket.end(full.subarray(0, 4 + rng.int(full.length - 4)));
      }
      // Random garbage, and mutated calls: whatever the server does, it must survive it.
      const garbage = await Promise.all(Array.from({ length: GARBAGE_CONNS }, connect));
      for (const [i, c] of garbage.entries()) {
        c.write(i % 2 ? rng.bytes(64 * KiB) : Buffer.concat(Array.from({ length: 200 }, () => frame(mutate(getattr, rng)))));
      }

      // Pipelined floods of small valid calls whose replies are never read.
      const floods = await Promise.all(Array.from({ length: FLOOD_CONNS }, connect));
      for (const c of floods) {
        c.socket.pause();
        c.write(Buffer.concat(Array.from({ length: FLOOD_CALLS }, () => frame(getattr))));
      }

      // Random datagrams and mutated calls over UDP.
      const udp = dgram.createSocket('udp4');
      udp.on('message', () => {});
      await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
      for (let i = 0; i < UDP_DATAGRAMS; i++) {
        const d = i % 2 ? rng.bytes(1 + rng.int(1400)) : mutate(getattr, rng);
        await new Promise<void>((resolve) => udp.send(d, port, '127.0.0.1', () => resolve()));
      }
      udp.close();

      // While all of that is held open, a well-behaved client is served.
      await wellBehaved(port, ts.exportPath, 'during', 200 * KiB);

      // Stalled connections are closed once idle: they cannot pin their buffers for ever.
      await within(Promise.all([...slowloris, ...halves, ...truncated].map((c) => c.closed)), 30_000, 'stalled connections are closed');
    });

    for (const c of sockets) c.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const retained = live() - base;
    t.diagnostic(
      `peak rss +${((peak.rss - baseRss) / MiB).toFixed(1)} MiB, peak live +${((peak.live - base) / MiB).toFixed(1)} MiB, retained ${(retained / MiB).toFixed(2)} MiB`,
    );
    assert.ok(peak.rss - baseRss < MAX_GROWTH, `rss grew by ${peak.rss - baseRss} bytes`);
    assert.ok(peak.live - base < MAX_GROWTH, `live memory grew by ${peak.live - base} bytes`);
    assert.ok(retained < MAX_RETAINED, `${retained} bytes retained after the barrage`);

    // And afterwards, as before.
    await wellBehaved(port, ts.exportPath, 'after', 200 * KiB);
  });

  test(
    'floods of READs whose replies are never read: held replies stay under writeHighWater per connection (regression: parked calls started whatever the socket had queued)',
    async (t) => {
      const base = live();
      const sockets: RawTcp[] = [];
      const read = frame(
        callRecord({ xid: 9, prog: NFS_PROGRAM, vers: 3, proc: READ.proc, args: (w) => READ.writeArgs(w, { file: fileHandle, offset: 0n, count: READ_SIZE }) }),
      );
      const peak = await peakDuring(async () => {
        for (let i = 0; i < FLOOD_CONNS; i++) {
          const c = await RawTcp.connect(ts.port);
          sockets.push(c);
          c.socket.pause();
          c.write(Buffer.concat(Array.from({ length: FLOOD_CALLS }, () => read)));
        }
        // Until the server stops sending (it has parked what it will not run), bounded in time.
        let last = -1;
        for (let i = 0; i < 50; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          const out = ts.server.connections().reduce((n, c) => n + c.bytesOut, 0);
          if (out === last) break;
          last = out;
        }
      });
      for (const c of sockets) c.close();
      t.diagnostic(`peak live +${((peak.live - base) / MiB).toFixed(1)} MiB`);
      assert.ok(peak.live - base < MAX_READ_FLOOD_GROWTH, `live memory grew by ${peak.live - base} bytes`);
      await wellBehaved(ts.port, ts.exportPath, 'after-read-flood', 64 * KiB);
    },
  );
});
