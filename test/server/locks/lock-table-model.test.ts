/**
 * Model test of LockTable: random lock / unlock / block / cancel / releaseHost
 * sequences compared, after every step, with a brute-force model that records
 * per byte which owners hold it shared or exclusive.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LockTable, RANGE_END, type LockOwner, type LockRequest } from '../../../src/server/locks/lock-table.js';

const OWNERS: LockOwner[] = [
  { host: 'a', svid: 1, oh: Buffer.from('x') },
  { host: 'a', svid: 2, oh: Buffer.from('x') },
  { host: 'b', svid: 1, oh: Buffer.from('x') },
];
const HOSTS = ['a', 'b'];
/** Cells 0..12 are single bytes; cell 13 stands for every offset from 13 to the end (ranges never start there). */
const CELLS = 14;
const TAIL = CELLS - 1;
const FILE = 'f';

type Mode = 'S' | 'X';
/** Per cell: owner index → mode. */
type Cells = Array<Map<number, Mode>>;
interface ModelReq {
  o: number;
  from: number;
  to: number; // cells from..to-1; to === CELLS runs to RANGE_END
  x: boolean;
}
interface Model {
  cells: Cells;
  queue: Array<{ r: ModelReq; waiter: number }>;
}

const toRequest = (r: ModelReq): LockRequest => ({
  // A fresh Buffer each time: owners are compared by bytes, not identity.
  owner: { ...OWNERS[r.o]!, oh: Buffer.from(OWNERS[r.o]!.oh) },
  start: BigInt(r.from),
  end: r.to === CELLS ? RANGE_END : BigInt(r.to),
  exclusive: r.x,
});

const cellOf = (offset: bigint): number => (offset >= BigInt(TAIL) ? TAIL : Number(offset));
const cellEnd = (end: bigint): number => (end === RANGE_END ? CELLS : Number(end));

function modelConflict(cells: Cells, r: ModelReq): boolean {
  for (let c = r.from; c < r.to; c++) {
    for (const [o, m] of cells[c]!) if (o !== r.o && (m === 'X' || r.x)) return true;
  }
  return false;
}

function modelApply(cells: Cells, r: ModelReq): boolean {
  let relaxed = false;
  for (let c = r.from; c < r.to; c++) {
    if (cells[c]!.get(r.o) === 'X' && !r.x) relaxed = true;
    cells[c]!.set(r.o, r.x ? 'X' : 'S');
  }
  return relaxed;
}

/** The specified waking rule: FIFO, granted ones count as held, rescan after a granted downgrade. */
function modelWake(m: Model): number[] {
  const woken: number[] = [];
  for (let again = true; again; ) {
    again = false;
    m.queue = m.queue.filter(({ r, waiter }) => {
      if (modelConflict(m.cells, r)) return true;
      again = modelApply(m.cells, r) || again;
      woken.push(waiter);
      return false;
    });
  }
  return woken;
}

/** Each owner's locks as maximal same-mode runs of cells: the unique coalesced form. */
function expectedLocks(cells: Cells): string[] {
  const out: string[] = [];
  for (let o = 0; o < OWNERS.length; o++) {
    for (let c = 0; c < CELLS; ) {
      const mode = cells[c]!.get(o);
      let e = c + 1;
      while (e < CELLS && mode !== undefined && cells[e]!.get(o) === mode) e++;
      if (mode !== undefined) out.push(`${o} ${mode} ${c}-${e}`);
      c = e;
    }
  }
  return out.sort();
}

const ownerIndex = (o: LockOwner): number => OWNERS.findIndex((x) => x.host === o.host && x.svid === o.svid && x.oh.equals(o.oh));

function checkAgainstModel(t: LockTable<number>, m: Model): void {
  const held = t.locks().map((e) => e.lock);
  assert.deepEqual(
    held.map((l) => `${ownerIndex(l.owner)} ${l.exclusive ? 'X' : 'S'} ${cellOf(l.start)}-${cellEnd(l.end)}`).sort(),
    expectedLocks(m.cells),
  );
  for (const l of held) {
    assert.ok(l.start < l.end, 'no empty lock');
    assert.ok(l.start <= BigInt(TAIL) && (l.end <= BigInt(TAIL) || l.end === RANGE_END), 'bounds are request bounds');
  }
  // Invariants, stated directly on the table as well.
  for (const [i, p] of held.entries()) {
    for (const q of held.slice(i + 1)) {
      const overlap = p.start < q.end && q.start < p.end;
      if (ownerIndex(p.owner) !== ownerIndex(q.owner)) assert.ok(!(overlap && (p.exclusive || q.exclusive)), 'conflicting locks overlap');
      else assert.ok(!overlap && !(p.exclusive === q.exclusive && (p.end === q.start || q.end === p.start)), 'owner locks not disjoint/coalesced');
    }
  }
  const waiting = t.waiting();
  assert.deepEqual(waiting.map((w) => w.waiter), m.queue.map((q) => q.waiter));
  for (const w of waiting) assert.ok(t.test(FILE, w.lock), 'a grantable request is left waiting');
  assert.deepEqual(t.lockedFiles(), held.length + waiting.length > 0 ? [FILE] : []);
  assert.equal(t.size(), held.length + waiting.length);
}

const reqArb: fc.Arbitrary<ModelReq> = fc
  .record({ o: fc.nat(OWNERS.length - 1), from: fc.nat(TAIL - 1), len: fc.integer({ min: 1, max: CELLS }), x: fc.boolean() })
  .map(({ o, from, len, x }) => ({ o, from, to: Math.min(from + len, CELLS), x }));

type Op =
  | { kind: 'lock' | 'block' | 'unlock' | 'cancel' | 'test'; r: ModelReq }
  | { kind: 'releaseHost'; host: string };

/**
 * Requests come from a small pool per run so that retries of a blocked request,
 * cancels of a queued one and waiters queued behind each other are common.
 */
const opsArb: fc.Arbitrary<Op[]> = fc.array(reqArb, { minLength: 1, maxLength: 8 }).chain((pool) => {
  const r = fc.constantFrom(...pool);
  const op = fc.oneof(
    { arbitrary: r.map((r): Op => ({ kind: 'lock', r })), weight: 4 },
    { arbitrary: r.map((r): Op => ({ kind: 'block', r })), weight: 4 },
    { arbitrary: r.map((r): Op => ({ kind: 'unlock', r })), weight: 4 },
    { arbitrary: r.map((r): Op => ({ kind: 'cancel', r })), weight: 1 },
    { arbitrary: reqArb.map((r): Op => ({ kind: 'test', r })), weight: 1 },
    { arbitrary: fc.constantFrom(...HOSTS).map((host): Op => ({ kind: 'releaseHost', host })), weight: 1 },
  );
  return fc.array(op, { maxLength: 60 });
});

function step(t: LockTable<number>, m: Model, op: Op, id: number): void {
  if (op.kind === 'releaseHost') {
    const dropped = m.queue.filter((q) => OWNERS[q.r.o]!.host === op.host).map((q) => q.waiter);
    m.queue = m.queue.filter((q) => OWNERS[q.r.o]!.host !== op.host);
    for (const cell of m.cells) for (const o of cell.keys()) if (OWNERS[o]!.host === op.host) cell.delete(o);
    const hostLocks = t.locks().filter((e) => e.lock.owner.host === op.host).length;
    const r = t.releaseHost(op.host);
    assert.equal(r.locks, hostLocks);
    assert.deepEqual(r.dropped, dropped);
    assert.deepEqual(r.woken.map((g) => g.waiter), modelWake(m));
    return;
  }
  const req = toRequest(op.r);
  switch (op.kind) {
    case 'test': {
      const c = t.test(FILE, req);
      assert.equal(c !== undefined, modelConflict(m.cells, op.r));
      if (c) assert.ok(ownerIndex(c.owner) !== op.r.o && (c.exclusive || op.r.x) && c.start < req.end && req.start < c.end);
      return;
    }
    case 'lock':
    case 'block': {
      const r = t.lock(FILE, req);
      if (modelConflict(m.cells, op.r)) {
        assert.ok('conflict' in r);
        const c = r.conflict;
        assert.ok(ownerIndex(c.owner) !== op.r.o && (c.exclusive || op.r.x) && c.start < req.end && req.start < c.end);
        if (op.kind === 'block') {
          assert.equal(t.isBlocked(FILE, req), m.queue.some((q) => sameModelReq(q.r, op.r)));
          t.block(FILE, req, id);
          const queued = m.queue.find((q) => sameModelReq(q.r, op.r));
          if (queued) queued.waiter = id;
          else m.queue.push({ r: op.r, waiter: id });
          assert.ok(t.isBlocked(FILE, req));
        }
        return;
      }
      assert.ok('woken' in r);
      const woken = modelApply(m.cells, op.r) ? modelWake(m) : [];
      assert.deepEqual(r.woken.map((g) => g.waiter), woken);
      return;
    }
    case 'unlock': {
      const woken = t.unlock(FILE, req.owner, req);
      for (let c = op.r.from; c < op.r.to; c++) m.cells[c]!.delete(op.r.o);
      assert.deepEqual(woken.map((g) => g.waiter), modelWake(m));
      return;
    }
    case 'cancel': {
      const i = m.queue.findIndex((q) => sameModelReq(q.r, op.r));
      const expected = i < 0 ? undefined : m.queue.splice(i, 1)[0]!.waiter;
      assert.equal(t.cancel(FILE, req), expected);
      return;
    }
  }
}

const sameModelReq = (a: ModelReq, b: ModelReq): boolean => a.o === b.o && a.from === b.from && a.to === b.to && a.x === b.x;

test('LockTable agrees with a per-byte model and keeps its invariants', () => {
  fc.assert(
    fc.property(opsArb, (ops) => {
      const t = new LockTable<number>();
      const m: Model = { cells: Array.from({ length: CELLS }, () => new Map()), queue: [] };
      ops.forEach((op, id) => {
        step(t, m, op, id);
        checkAgainstModel(t, m);
      });
      for (const host of HOSTS) t.releaseHost(host);
      assert.deepEqual(t.locks(), []);
      assert.deepEqual(t.waiting(), []);
      assert.deepEqual(t.lockedFiles(), []);
      assert.equal(t.hosts().size, 0);
    }),
    { numRuns: 500 },
  );
});
