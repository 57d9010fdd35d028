import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  LockTable,
  RANGE_END,
  SHARE_READ,
  SHARE_WRITE,
  offsetLengthOf,
  rangeOf,
  type Grant,
  type LockOwner,
  type LockRequest,
} from '../../../src/server/locks/lock-table.js';

const MAX = RANGE_END - 1n;

function owner(host: string, svid: number, oh = 'oh'): LockOwner {
  return { host, svid, oh: Buffer.from(oh) };
}
const A = owner('a', 1);
const A2 = owner('a', 2);
const B = owner('b', 1);
const C = owner('c', 1);

const S = (o: LockOwner, start: bigint, end: bigint): LockRequest => ({ owner: o, start, end, exclusive: false });
const X = (o: LockOwner, start: bigint, end: bigint): LockRequest => ({ owner: o, start, end, exclusive: true });

/** The held locks of a file as `host/svid S|X start-end` (end ∞ for to-end), in table order. */
function held(t: LockTable<unknown>, file = 'f'): string[] {
  return t
    .locks()
    .filter((e) => e.file === file)
    .map(({ lock: l }) => `${l.owner.host}/${l.owner.svid} ${l.exclusive ? 'X' : 'S'} ${l.start}-${l.end === RANGE_END ? '∞' : l.end}`);
}

function granted(r: ReturnType<LockTable['lock']>): Grant<unknown>[] {
  assert.ok('woken' in r, `expected a grant, got a conflict with ${JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `${v}` : v))}`);
  return r.woken;
}

function conflicted(r: ReturnType<LockTable['lock']>): { start: bigint; end: bigint; owner: LockOwner } {
  assert.ok('conflict' in r, 'expected a conflict');
  return r.conflict;
}

function assertEmpty(t: LockTable<unknown>): void {
  assert.deepEqual(t.locks(), []);
  assert.deepEqual(t.waiting(), []);
  assert.deepEqual(t.shares(), []);
  assert.equal(t.hosts().size, 0);
  assert.deepEqual(t.lockedFiles(), []);
  assert.equal(t.size(), 0);
}

describe('rangeOf / offsetLengthOf (NLM offset, length)', () => {
  test('length 0 runs to end, and maps back to length 0', () => {
    assert.deepEqual(rangeOf(10n, 0n), { start: 10n, end: RANGE_END });
    assert.deepEqual(offsetLengthOf({ start: 10n, end: RANGE_END }), { offset: 10n, length: 0n });
  });

  test('a bounded range round-trips', () => {
    assert.deepEqual(rangeOf(10n, 5n), { start: 10n, end: 15n });
    assert.deepEqual(offsetLengthOf(rangeOf(10n, 5n)), { offset: 10n, length: 5n });
  });

  test('offset + length past 2^64 is clamped to end, as knfsd does', () => {
    assert.deepEqual(rangeOf(MAX, MAX), { start: MAX, end: RANGE_END });
    assert.deepEqual(rangeOf(5n, MAX), { start: 5n, end: RANGE_END });
    assert.deepEqual(rangeOf(1n, MAX), { start: 1n, end: RANGE_END }, 'exactly 2^64');
    assert.deepEqual(rangeOf(0n, MAX), { start: 0n, end: MAX }, 'just short of the end stays bounded');
  });

  test('the last byte, offset 2^64-1', () => {
    assert.deepEqual(rangeOf(MAX, 1n), { start: MAX, end: RANGE_END });
    assert.deepEqual(rangeOf(MAX, 0n), { start: MAX, end: RANGE_END });
    assert.deepEqual(offsetLengthOf({ start: MAX, end: RANGE_END }), { offset: MAX, length: 0n });
  });
});

describe('conflicts', () => {
  test('shared and shared of different owners coexist', () => {
    const t = new LockTable();
    granted(t.lock('f', S(A, 0n, 10n)));
    assert.equal(t.test('f', S(B, 5n, 15n)), undefined);
    granted(t.lock('f', S(B, 5n, 15n)));
    assert.deepEqual(held(t), ['a/1 S 0-10', 'b/1 S 5-15']);
  });

  test('shared and exclusive of different owners conflict, both ways, and the table is unchanged', () => {
    const t = new LockTable();
    granted(t.lock('f', S(A, 0n, 10n)));
    const c = conflicted(t.lock('f', X(B, 9n, 20n)));
    assert.equal(c.owner, t.locks()[0]!.lock.owner);
    assert.deepEqual([c.start, c.end], [0n, 10n]);
    granted(t.lock('f', X(B, 10n, 20n)));
    assert.ok(t.test('f', S(A, 19n, 25n)));
    assert.ok('conflict' in t.lock('f', S(A, 15n, 16n)));
    assert.deepEqual(held(t), ['a/1 S 0-10', 'b/1 X 10-20']);
  });

  test('another svid on the same host is another owner', () => {
    const t = new LockTable();
    granted(t.lock('f', X(A, 0n, 10n)));
    assert.ok('conflict' in t.lock('f', S(A2, 5n, 6n)));
  });

  test('another oh with the same host and svid is another owner; equal oh bytes are the same owner', () => {
    const t = new LockTable();
    granted(t.lock('f', X(owner('a', 1, 'one'), 0n, 10n)));
    assert.ok('conflict' in t.lock('f', X(owner('a', 1, 'two'), 0n, 10n)));
    assert.equal(t.test('f', X(owner('a', 1, 'one'), 0n, 10n)), undefined, 'a fresh Buffer with the same bytes');
  });

  test('an owner never conflicts with itself', () => {
    const t = new LockTable();
    granted(t.lock('f', X(A, 0n, 10n)));
    assert.equal(t.test('f', X(A, 0n, 10n)), undefined);
    granted(t.lock('f', X(A, 5n, 15n)));
    assert.deepEqual(held(t), ['a/1 X 0-15']);
  });

  test('touching ranges do not conflict (end is exclusive); one byte of overlap does', () => {
    const t = new LockTable();
    granted(t.lock('f', X(A, 0n, 10n)));
    assert.equal(t.test('f', X(B, 10n, 11n)), undefined);
    assert.ok(t.test('f', X(B, 9n, 10n)));
  });

  test('files are independent', () => {
    const t = new LockTable();
    granted(t.lock('f', X(A, 0n, RANGE_END)));
    granted(t.lock('g', X(B, 0n, RANGE_END)));
    assert.deepEqual(held(t, 'g'), ['b/1 X 0-∞']);
  });

  test('to-end ranges conflict with the last byte and with anything past the start', () => {
    const t = new LockTable();
    granted(t.lock('f', X(A, 100n, RANGE_END)));
    assert.ok(t.test('f', S(B, MAX, RANGE_END)));
    assert.ok(t.test('f', S(B, 99n, 101n)));
    assert.equal(t.test('f', S(B, 0n, 100n)), undefined);
    granted(t.lock('f', X(B, 0n, 100n)));
  });

  test('the lock returned by test is the lowest conflicting one', () => {
    const t = new LockTable();
    granted(t.lock('f', S(B, 20n, 30n)));
    granted(t.lock('f', S(C, 5n, 8n)));
    assert.equal(t.test('f', X(A, 0n, RANGE_END))!.owner.host, 'c');
  });
});

describe('POSIX replace, split and coalesce', () => {
  test('unlocking the middle splits a lock in two', () => {
    const t = new LockTable();
    granted(t.lock('f', X(A, 0n, 10n)));
    t.unlock('f', A, { start: 3n, end: 5n });
    assert.deepEqual(held(t), ['a/1 X 0-3', 'a/1 X 5-10']);
    assert.equal(t.test('f', X(B, 3n, 5n)), undefined);
  });

  test('unlock of another owner, or of an unlocked range, changes nothing', () => {
    const t = new LockTable();
    granted(t.lock('f', X(A, 0n, 10n)));
    assert.deepEqual(t.unlock('f', B, { start: 0n, end: RANGE_END }), []);
    assert.deepEqual(t.unlock('f', A, { start: 10n, end: 20n }), []);
    assert.deepEqual(t.unlock('g', A, { start: 0n, end: 20n }), []);
    assert.deepEqual(held(t), ['a/1 X 0-10']);
  });

  test('an unlock spanning several locks removes and trims them all', () => {
    const t = new LockTable();
    granted(t.lock('f', X(A, 0n, 4n)));
    granted(t.lock('f', S(A, 6n, 8n)));
    granted(t.lock('f', X(A, 10n, 14n)));
    t.unlock('f', A, { start: 2n, end: 12n });
    assert.deepEqual(held(t), ['a/1 X 0-2', 'a/1 X 12-14']);
  });

  test('adjacent and overlapping locks of the same type coalesce', () => {
    const t = new LockTable();
    granted(t.lock('f', S(A, 0n, 5n)));
    granted(t.lock('f', S(A, 5n, 10n)));
    assert.deepEqual(held(t), ['a/1 S 0-10']);
    granted(t.lock('f', S(A, 20n, 30n)));
    granted(t.lock('f', S(A, 8n, 22n)));
    assert.deepEqual(held(t), ['a/1 S 0-30']);
    granted(t.lock('f', S(A, 25n, RANGE_END)));
    assert.deepEqual(held(t), ['a/1 S 0-∞']);
  });

  test('adjacent locks of different types or different owners stay apart', () => {
    const t = new LockTable();
    granted(t.lock('f', S(A, 0n, 5n)));
    granted(t.lock('f', X(A, 5n, 10n)));
    granted(t.lock('f', S(B, 10n, 15n)));
    granted(t.lock('f', S(A2, 15n, 20n)));
    assert.deepEqual(held(t), ['a/1 S 0-5', 'a/1 X 5-10', 'b/1 S 10-15', 'a/2 S 15-20']);
  });

  test('an exclusive lock in the middle of the owner\'s shared lock splits it (upgrade)', () => {
    const t = new LockTable();
    granted(t.lock('f', S(A, 0n, 10n)));
    granted(t.lock('f', X(A, 3n, 5n)));
    assert.deepEqual(held(t), ['a/1 S 0-3', 'a/1 X 3-5', 'a/1 S 5-10']);
    granted(t.lock('f', S(A, 3n, 5n)));
    assert.deepEqual(held(t), ['a/1 S 0-10'], 'back to one lock');
  });

  test('upgrade fails while another owner shares an overlapping range, and changes nothing', () => {
    const t = new LockTable();
    granted(t.lock('f', S(A, 0n, 10n)));
    granted(t.lock('f', S(B, 8n, 12n)));
    assert.equal(conflicted(t.lock('f', X(A, 0n, 10n))).owner.host, 'b');
    assert.deepEqual(held(t), ['a/1 S 0-10', 'b/1 S 8-12']);
    granted(t.lock('f', X(A, 0n, 8n)));
    assert.deepEqual(held(t), ['a/1 X 0-8', 'a/1 S 8-10', 'b/1 S 8-12']);
  });

  test('downgrade always succeeds', () => {
    const t = new LockTable();
    granted(t.lock('f', X(A, 0n, RANGE_END)));
    granted(t.lock('f', S(A, 4n, 6n)));
    assert.deepEqual(held(t), ['a/1 X 0-4', 'a/1 S 4-6', 'a/1 X 6-∞']);
  });

  test('the table keeps its own copy of oh (a decoded oh is a view into a reused buffer)', () => {
    const t = new LockTable();
    const wire = Buffer.from('oh');
    granted(t.lock('f', X({ host: 'a', svid: 1, oh: wire }, 0n, 1n)));
    wire.write('xx');
    assert.deepEqual(t.locks()[0]!.lock.owner.oh, Buffer.from('oh'));
  });
});

describe('blocked requests', () => {
  test('an unlock grants the waiters FIFO, each counting as held for the next', () => {
    const t = new LockTable<string>();
    granted(t.lock('f', X(A, 0n, 10n)));
    t.block('f', X(B, 0n, 5n), 'b');
    t.block('f', X(C, 3n, 8n), 'c');
    t.block('f', S(A2, 8n, 9n), 'a2');
    assert.ok(t.isBlocked('f', X(B, 0n, 5n)));
    const woken = t.unlock('f', A, { start: 0n, end: RANGE_END });
    assert.deepEqual(woken.map((g) => g.waiter), ['b', 'a2']);
    assert.deepEqual(woken[0]!.lock, { ...X(B, 0n, 5n) });
    assert.equal(woken[0]!.file, 'f');
    assert.deepEqual(held(t), ['b/1 X 0-5', 'a/2 S 8-9']);
    assert.deepEqual(t.waiting().map((w) => w.waiter), ['c'], 'c still conflicts with b');
    assert.equal(t.isBlocked('f', X(B, 0n, 5n)), false);
    assert.deepEqual(t.unlock('f', B, { start: 0n, end: 5n }).map((g) => g.waiter), ['c']);
  });

  test('a partial unlock wakes only what it frees', () => {
    const t = new LockTable<string>();
    granted(t.lock('f', X(A, 0n, 10n)));
    t.block('f', S(B, 0n, 2n), 'b');
    t.block('f', S(C, 5n, 6n), 'c');
    assert.deepEqual(t.unlock('f', A, { start: 4n, end: 7n }).map((g) => g.waiter), ['c']);
  });

  test('a granted waiter merges with its owner\'s locks', () => {
    const t = new LockTable<string>();
    granted(t.lock('f', S(B, 0n, 5n)));
    granted(t.lock('f', X(A, 5n, 10n)));
    t.block('f', S(B, 5n, 10n), 'b');
    t.unlock('f', A, { start: 0n, end: RANGE_END });
    assert.deepEqual(held(t), ['b/1 S 0-10']);
  });

  test('a downgrade wakes a shared waiter but not an exclusive one', () => {
    const t = new LockTable<string>();
    granted(t.lock('f', X(A, 0n, 10n)));
    t.block('f', X(C, 0n, 10n), 'c');
    t.block('f', S(B, 2n, 4n), 'b');
    const woken = granted(t.lock('f', S(A, 0n, 10n)));
    assert.deepEqual(woken.map((g) => g.waiter), ['b']);
    assert.deepEqual(held(t), ['a/1 S 0-10', 'b/1 S 2-4']);
    assert.deepEqual(t.waiting().map((w) => w.waiter), ['c']);
  });

  test('a granted waiter\'s own downgrade lets in an earlier waiter', () => {
    const t = new LockTable<string>();
    granted(t.lock('f', X(B, 0n, 5n)));
    granted(t.lock('f', X(A, 7n, 8n)));
    t.block('f', S(C, 0n, 2n), 'c'); // behind b's exclusive lock
    t.block('f', S(B, 0n, 10n), 'b'); // b downgrading, blocked by a
    const woken = t.unlock('f', A, { start: 0n, end: RANGE_END });
    assert.deepEqual(woken.map((g) => g.waiter), ['b', 'c']);
    assert.deepEqual(held(t), ['b/1 S 0-10', 'c/1 S 0-2']);
    assert.deepEqual(t.waiting(), []);
  });

  test('re-queuing the same request replaces the waiter and keeps its place', () => {
    const t = new LockTable<string>();
    granted(t.lock('f', X(A, 0n, 10n)));
    t.block('f', X(B, 0n, 5n), 'b1');
    t.block('f', X(C, 0n, 5n), 'c');
    t.block('f', X(owner('b', 1), 0n, 5n), 'b2');
    t.block('f', S(B, 0n, 5n), 'b-shared');
    assert.deepEqual(t.waiting().map((w) => w.waiter), ['b2', 'c', 'b-shared']);
  });

  test('cancel removes only the matching request and returns its waiter', () => {
    const t = new LockTable<string>();
    granted(t.lock('f', X(A, 0n, 10n)));
    t.block('f', X(B, 0n, 5n), 'b');
    t.block('f', X(C, 0n, 5n), 'c');
    assert.equal(t.cancel('f', S(B, 0n, 5n)), undefined, 'other type');
    assert.equal(t.cancel('f', X(B, 0n, 6n)), undefined, 'other range');
    assert.equal(t.cancel('g', X(B, 0n, 5n)), undefined, 'other file');
    assert.equal(t.cancel('f', X(B, 0n, 5n)), 'b');
    assert.equal(t.isBlocked('f', X(B, 0n, 5n)), false);
    assert.deepEqual(t.unlock('f', A, { start: 0n, end: 10n }).map((g) => g.waiter), ['c']);
  });

  test('a cancelled queue on an unlocked file leaves nothing behind', () => {
    const t = new LockTable<string>();
    t.block('f', X(B, 0n, 5n), 'b');
    assert.deepEqual(t.lockedFiles(), ['f']);
    t.cancel('f', X(B, 0n, 5n));
    assertEmpty(t);
  });
});

describe('share reservations', () => {
  const R = SHARE_READ;
  const W = SHARE_WRITE;
  const RW = R | W;
  const cases: Array<[mode1: number, access1: number, mode2: number, access2: number, ok: boolean]> = [
    [0, R, 0, R, true],
    [0, RW, 0, RW, true],
    [W, R, W, R, true], // two readers both denying writers
    [W, R, 0, RW, false], // writer against deny-write
    [0, RW, W, R, false], // deny-write against a writer
    [R, W, 0, R, false],
    [R, W, 0, W, true],
    [RW, 0, 0, R, false],
    [RW, 0, 0, 0, true], // no access asks nothing
    [0, 0, RW, RW, true],
    [RW, RW, 0, 0, true],
  ];
  for (const [m1, a1, m2, a2, ok] of cases) {
    test(`(mode ${m1}, access ${a1}) then (mode ${m2}, access ${a2}) → ${ok ? 'granted' : 'denied'}`, () => {
      const t = new LockTable();
      assert.equal(t.share('f', { host: 'a', oh: Buffer.from('1') }, m1, a1), true);
      assert.equal(t.share('f', { host: 'b', oh: Buffer.from('1') }, m2, a2), ok);
      assert.equal(t.shares().length, ok ? 2 : 1);
      assert.equal(t.size(), ok ? 2 : 1);
      assert.equal(t.share('g', { host: 'b', oh: Buffer.from('1') }, m2, a2), true, 'other file');
    });
  }

  test('the same (host, oh) re-sharing replaces its reservation; another oh is another owner', () => {
    const t = new LockTable();
    const a = { host: 'a', oh: Buffer.from('1') };
    assert.equal(t.share('f', a, RW, RW), true);
    assert.equal(t.share('f', { host: 'a', oh: Buffer.from('2') }, 0, R), false);
    assert.equal(t.share('f', { host: 'a', oh: Buffer.from('1') }, 0, R), true);
    assert.deepEqual(
      t.shares().map((s) => [s.file, s.host, s.oh.toString(), s.mode, s.access]),
      [['f', 'a', '1', 0, R]],
    );
    assert.equal(t.share('f', { host: 'a', oh: Buffer.from('2') }, 0, R), true);
  });

  test('a refused re-share keeps the old reservation', () => {
    const t = new LockTable();
    assert.equal(t.share('f', { host: 'a', oh: Buffer.from('1') }, 0, R), true);
    assert.equal(t.share('f', { host: 'b', oh: Buffer.from('1') }, 0, R), true);
    assert.equal(t.share('f', { host: 'a', oh: Buffer.from('1') }, R, R), false);
    assert.deepEqual(t.shares().map((s) => [s.host, s.mode]), [['a', 0], ['b', 0]]);
  });

  test('unshare frees the reservation and drops the file', () => {
    const t = new LockTable();
    assert.equal(t.share('f', { host: 'a', oh: Buffer.from('1') }, RW, RW), true);
    t.unshare('f', { host: 'b', oh: Buffer.from('1') });
    t.unshare('g', { host: 'a', oh: Buffer.from('1') });
    assert.equal(t.share('f', { host: 'b', oh: Buffer.from('1') }, 0, R), false);
    t.unshare('f', { host: 'a', oh: Buffer.from('1') });
    assert.equal(t.share('f', { host: 'b', oh: Buffer.from('1') }, 0, R), true);
    t.unshare('f', { host: 'b', oh: Buffer.from('1') });
    assertEmpty(t);
  });
});

describe('releasing a host or files', () => {
  function populated(): LockTable<string> {
    const t = new LockTable<string>();
    granted(t.lock('e1/f', X(A, 0n, 10n)));
    granted(t.lock('e1/f', S(A2, 20n, 30n)));
    granted(t.lock('e1/g', S(A, 0n, RANGE_END)));
    granted(t.lock('e2/h', X(C, 0n, 1n)));
    t.block('e1/f', X(B, 5n, 25n), 'b-f');
    t.block('e1/g', X(B, 0n, 1n), 'b-g');
    t.block('e1/f', X(A, 20n, 21n), 'a-f'); // a's other process behind a2
    t.block('e2/h', S(A, 0n, 1n), 'a-h');
    assert.equal(t.share('e1/f', { host: 'a', oh: Buffer.from('1') }, 0, SHARE_READ), true);
    assert.equal(t.share('e2/h', { host: 'b', oh: Buffer.from('1') }, 0, SHARE_READ), true);
    return t;
  }

  test('releaseHost drops its locks, shares and waiters, and wakes other hosts\' waiters', () => {
    const t = populated();
    assert.deepEqual([...t.hosts()].sort(), ['a', 'b', 'c']);
    assert.equal(t.size(), 10, '4 locks, 4 waiters, 2 shares');
    const r = t.releaseHost('a');
    assert.equal(r.locks, 3);
    assert.equal(r.shares, 1);
    assert.deepEqual(r.dropped.sort(), ['a-f', 'a-h']);
    assert.deepEqual(r.woken.map((g) => [g.file, g.waiter]).sort(), [['e1/f', 'b-f'], ['e1/g', 'b-g']]);
    assert.deepEqual(held(t, 'e1/f'), ['b/1 X 5-25']);
    assert.deepEqual([...t.hosts()].sort(), ['b', 'c']);
    assert.deepEqual(t.waiting(), []);
    assert.equal(t.size(), 4, 'c\'s lock, the 2 granted waiters and b\'s share');
  });

  test('releaseHost of an unknown host changes nothing', () => {
    const t = populated();
    const before = [t.locks().length, t.waiting().length, t.shares().length];
    assert.deepEqual(t.releaseHost('z'), { locks: 0, shares: 0, dropped: [], woken: [] });
    assert.deepEqual([t.locks().length, t.waiting().length, t.shares().length], before);
  });

  test('releaseFiles drops everything on the matching files only', () => {
    const t = populated();
    const r = t.releaseFiles((f) => f.startsWith('e1/'));
    assert.deepEqual({ ...r, dropped: r.dropped.sort() }, { locks: 3, shares: 1, dropped: ['a-f', 'b-f', 'b-g'], woken: [] });
    assert.deepEqual(t.lockedFiles(), ['e2/h']);
    assert.deepEqual(held(t, 'e2/h'), ['c/1 X 0-1']);
    assert.deepEqual(t.shares().map((s) => s.file), ['e2/h']);
    assert.equal(t.size(), 3);
  });

  test('nothing is left once every host is released', () => {
    const t = populated();
    t.releaseHost('a');
    t.releaseHost('b');
    const r = t.releaseHost('c');
    assert.equal(r.locks, 1);
    assertEmpty(t);
  });

  test('nothing is left once everything is unlocked', () => {
    const t = new LockTable<string>();
    granted(t.lock('f', X(A, 0n, 10n)));
    granted(t.lock('f', S(B, 10n, RANGE_END)));
    t.block('f', X(C, 0n, RANGE_END), 'c');
    t.unlock('f', A, { start: 0n, end: RANGE_END });
    assert.deepEqual(t.unlock('f', B, { start: 0n, end: RANGE_END }).map((g) => g.waiter), ['c']);
    t.unlock('f', C, { start: 0n, end: RANGE_END });
    assertEmpty(t);
  });
});
