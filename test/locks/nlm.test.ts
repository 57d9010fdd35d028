/** NLM v4 (and v3) end to end over real sockets, with the project's own client and a callback host. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FshAccess, FshMode, Nlm4Stat, NLM_PROGRAM, NLM_V1, NLM_V3, NLM_V4 } from '../../src/proto/nlm/constants.js';
import { formatStatus } from '../../src/cli/status.js';
import { NlmClient } from '../../src/client/nlm.js';
import { alock, cookie, eventually, lockRig, type LockRig } from './rig.js';

const stat = (s: Nlm4Stat) => Nlm4Stat[s];

describe('NLM: locks between hosts', () => {
  let r: LockRig;
  before(async () => (r = await lockRig()));
  after(() => r.stop());

  test('NULL answers on versions 1, 3 and 4', async () => {
    for (const vers of [NLM_V1, NLM_V3, NLM_V4] as const) {
      const c = await r.client('127.0.0.1', vers);
      await c.null();
      assert.equal(c.prog, NLM_PROGRAM);
    }
  });

  test('exclusive lock: TEST and LOCK of another host are denied with the holder, the owner may lock again', async () => {
    const fh = await r.file('excl');
    const mine = alock('hosta', 7, fh, 100n, 50n);
    assert.equal(stat((await r.a.test({ cookie: cookie(1), exclusive: true, alock: mine })).stat), 'GRANTED');
    const got = await r.a.lock({ cookie: cookie(2), block: false, exclusive: true, alock: mine, reclaim: false, state: 1 });
    assert.deepEqual(got.cookie, cookie(2));
    assert.equal(stat(got.stat), 'GRANTED');
    const theirs = alock('hostb', 9, fh, 120n, 1n);
    const tested = await r.b.test({ cookie: cookie(3), exclusive: false, alock: theirs });
    assert.equal(stat(tested.stat), 'DENIED');
    assert.deepEqual({ ...tested.holder, oh: tested.holder?.oh.toString() }, { exclusive: true, svid: 7, oh: '7@hosta', offset: 100n, length: 50n });
    assert.equal(stat((await r.b.lock({ cookie: cookie(4), block: false, exclusive: false, alock: theirs, reclaim: false, state: 1 })).stat), 'DENIED');
    // Outside the range, and the owner itself, are free.
    assert.equal(stat((await r.b.lock({ cookie: cookie(5), block: false, exclusive: true, alock: alock('hostb', 9, fh, 150n, 10n), reclaim: false, state: 1 })).stat), 'GRANTED');
    assert.equal(stat((await r.a.lock({ cookie: cookie(6), block: false, exclusive: true, alock: mine, reclaim: false, state: 1 })).stat), 'GRANTED');
  });

  test('two processes of one host conflict; shared locks do not', async () => {
    const fh = await r.file('procs');
    const p1 = alock('hosta', 1, fh);
    const p2 = alock('hosta', 2, fh);
    assert.equal(stat((await r.a.lock({ cookie: cookie(1), block: false, exclusive: false, alock: p1, reclaim: false, state: 1 })).stat), 'GRANTED');
    assert.equal(stat((await r.a.lock({ cookie: cookie(2), block: false, exclusive: false, alock: p2, reclaim: false, state: 1 })).stat), 'GRANTED');
    assert.equal(stat((await r.a.test({ cookie: cookie(3), exclusive: true, alock: p2 })).stat), 'DENIED');
  });

  test('unlocking the middle splits a lock; upgrade waits for the other shared holder', async () => {
    const fh = await r.file('split');
    const a = (o: bigint, l: bigint) => alock('hosta', 1, fh, o, l);
    const b = (o: bigint, l: bigint) => alock('hostb', 2, fh, o, l);
    await r.a.lock({ cookie: cookie(1), block: false, exclusive: true, alock: a(0n, 100n), reclaim: false, state: 1 });
    assert.equal(stat((await r.a.unlock({ cookie: cookie(2), alock: a(40n, 20n) })).stat), 'GRANTED');
    assert.equal(stat((await r.b.test({ cookie: cookie(3), exclusive: true, alock: b(45n, 10n) })).stat), 'GRANTED');
    const left = await r.b.test({ cookie: cookie(4), exclusive: true, alock: b(10n, 1n) });
    assert.equal(left.holder?.offset, 0n);
    assert.equal(left.holder?.length, 40n);
    const right = await r.b.test({ cookie: cookie(5), exclusive: true, alock: b(99n, 10n) });
    assert.deepEqual([right.holder?.offset, right.holder?.length], [60n, 40n]);
    // Downgrade the left part to shared: B may share it, and then A cannot upgrade back.
    await r.a.lock({ cookie: cookie(6), block: false, exclusive: false, alock: a(0n, 40n), reclaim: false, state: 1 });
    assert.equal(stat((await r.b.lock({ cookie: cookie(7), block: false, exclusive: false, alock: b(0n, 10n), reclaim: false, state: 1 })).stat), 'GRANTED');
    assert.equal(stat((await r.a.lock({ cookie: cookie(8), block: false, exclusive: true, alock: a(0n, 40n), reclaim: false, state: 1 })).stat), 'DENIED');
    await r.b.unlock({ cookie: cookie(9), alock: b(0n, 0n) });
    assert.equal(stat((await r.a.lock({ cookie: cookie(10), block: false, exclusive: true, alock: a(0n, 40n), reclaim: false, state: 1 })).stat), 'GRANTED');
  });

  test('64-bit ranges: a lock to end of file from 2^62 covers 2^63-2; offsets past 2^63-1 are FBIG', async () => {
    const fh = await r.file('big');
    await r.a.lock({ cookie: cookie(1), block: false, exclusive: true, alock: alock('hosta', 1, fh, 1n << 62n, 0n), reclaim: false, state: 1 });
    const t = await r.b.test({ cookie: cookie(2), exclusive: false, alock: alock('hostb', 1, fh, (1n << 63n) - 2n, 1n) });
    assert.equal(stat(t.stat), 'DENIED');
    assert.deepEqual([t.holder?.offset, t.holder?.length], [1n << 62n, 0n]);
    assert.equal(stat((await r.b.test({ cookie: cookie(3), exclusive: true, alock: alock('hostb', 1, fh, 0n, 1n << 62n) })).stat), 'GRANTED');
    const fbig = await r.b.lock({ cookie: cookie(4), block: false, exclusive: true, alock: alock('hostb', 1, fh, 1n << 63n, 1n), reclaim: false, state: 1 });
    assert.equal(stat(fbig.stat), 'FBIG');
  });

  test('version 3 (32-bit) and version 4 clients see each other\'s locks', async () => {
    const fh = await r.file('v3');
    const v3 = await r.client('127.0.0.2', NLM_V3);
    await r.a.lock({ cookie: cookie(1), block: false, exclusive: true, alock: alock('hosta', 1, fh, 10n, 10n), reclaim: false, state: 1 });
    const t = await v3.test({ cookie: cookie(2), exclusive: false, alock: alock('hostc', 1, fh, 15n, 1n) });
    assert.equal(stat(t.stat), 'DENIED');
    assert.deepEqual([t.holder?.offset, t.holder?.length], [10n, 10n]);
    assert.equal(stat((await v3.lock({ cookie: cookie(3), block: false, exclusive: true, alock: alock('hostc', 1, fh, 20n, 5n), reclaim: false, state: 1 })).stat), 'GRANTED');
  });

  test('a handle this server never issued, or of a deleted file, is STALE_FH', async () => {
    const bogus = Buffer.alloc(32, 7);
    assert.equal(stat((await r.a.test({ cookie: cookie(1), exclusive: true, alock: alock('hosta', 1, bogus) })).stat), 'STALE_FH');
    const fh = await r.file('gone');
    await r.nfs.remove({ object: { dir: r.root, name: Buffer.from('gone') } });
    assert.equal(stat((await r.a.lock({ cookie: cookie(2), block: false, exclusive: true, alock: alock('hosta', 1, fh), reclaim: false, state: 1 })).stat), 'STALE_FH');
  });

  test('blocking lock: BLOCKED, then a GRANTED callback to the waiting host when the holder unlocks', async () => {
    const fh = await r.file('block');
    await r.a.lock({ cookie: cookie(1), block: false, exclusive: true, alock: alock('hosta', 1, fh), reclaim: false, state: 1 });
    const want = alock('hostb', 5, fh, 0n, 10n);
    const before = r.peer.granted.length;
    assert.equal(stat((await r.b.lock({ cookie: cookie(42), block: true, exclusive: true, alock: want, reclaim: false, state: 1 })).stat), 'BLOCKED');
    // Retrying while blocked stays BLOCKED (the Linux client re-polls).
    assert.equal(stat((await r.b.lock({ cookie: cookie(43), block: true, exclusive: true, alock: want, reclaim: false, state: 1 })).stat), 'BLOCKED');
    assert.equal(r.t.server.lockReport().waiting.length, 1);
    await r.a.unlock({ cookie: cookie(2), alock: alock('hosta', 1, fh) });
    await eventually(() => r.peer.granted.length > before, 'GRANTED callback');
    const g = r.peer.granted.at(-1)!;
    assert.equal(g.alock.callerName, 'hostb');
    assert.equal(g.alock.svid, 5);
    assert.deepEqual(Buffer.from(g.alock.fh), fh);
    assert.equal(g.exclusive, true);
    const t = await r.a.test({ cookie: cookie(3), exclusive: false, alock: alock('hosta', 1, fh, 5n, 1n) });
    assert.equal(stat(t.stat), 'DENIED');
    assert.equal(t.holder?.svid, 5);
  });

  test('a grant the client cannot be told of is taken back; its own retry then gets the lock', async () => {
    const fh = await r.file('unreachable');
    await r.b.lock({ cookie: cookie(1), block: false, exclusive: true, alock: alock('hostb', 1, fh), reclaim: false, state: 1 });
    // Host A (127.0.0.1) runs no lock manager the server can reach.
    const want = alock('hosta', 3, fh);
    assert.equal(stat((await r.a.lock({ cookie: cookie(2), block: true, exclusive: true, alock: want, reclaim: false, state: 1 })).stat), 'BLOCKED');
    await r.b.unlock({ cookie: cookie(3), alock: alock('hostb', 1, fh) });
    const c = await r.client('127.0.0.2');
    await eventually(
      async () => stat((await c.test({ cookie: cookie(4), exclusive: true, alock: alock('hostz', 1, fh) })).stat) === 'GRANTED',
      'unconfirmed grant taken back',
    );
    assert.equal(r.t.server.lockReport().waiting.length, 0);
    assert.equal(stat((await r.a.lock({ cookie: cookie(5), block: true, exclusive: true, alock: want, reclaim: false, state: 1 })).stat), 'GRANTED');
  });

  test('an upgrade taken back leaves the owner its shared lock', async () => {
    const fh = await r.file('upgrade-revoked');
    const a = alock('hosta', 1, fh, 0n, 10n);
    const b = alock('hostb', 1, fh, 0n, 10n);
    await r.a.lock({ cookie: cookie(1), block: false, exclusive: false, alock: a, reclaim: false, state: 1 });
    await r.b.lock({ cookie: cookie(2), block: false, exclusive: false, alock: b, reclaim: false, state: 1 });
    // Host A cannot be called back: its upgrade, granted when B lets go, is taken back.
    assert.equal(stat((await r.a.lock({ cookie: cookie(3), block: true, exclusive: true, alock: a, reclaim: false, state: 1 })).stat), 'BLOCKED');
    await r.b.unlock({ cookie: cookie(4), alock: b });
    // While A holds the exclusive grant, B cannot even share.
    await eventually(
      async () => stat((await r.b.test({ cookie: cookie(5), exclusive: false, alock: b })).stat) === 'GRANTED',
      'upgrade taken back',
    );
    const probe = await r.b.test({ cookie: cookie(6), exclusive: true, alock: b });
    assert.equal(stat(probe.stat), 'DENIED');
    assert.deepEqual([probe.holder?.svid, probe.holder?.exclusive], [1, false]);
  });

  test('a client that answers GRANTED with DENIED does not get the lock either', async () => {
    const fh = await r.file('refused');
    await r.a.lock({ cookie: cookie(1), block: false, exclusive: true, alock: alock('hosta', 1, fh), reclaim: false, state: 1 });
    r.peer.grantAnswer = Nlm4Stat.DENIED;
    try {
      const n = r.peer.granted.length;
      await r.b.lock({ cookie: cookie(2), block: true, exclusive: true, alock: alock('hostb', 1, fh), reclaim: false, state: 1 });
      await r.a.unlock({ cookie: cookie(3), alock: alock('hosta', 1, fh) });
      await eventually(() => r.peer.granted.length > n, 'GRANTED callback');
      await eventually(
        async () => stat((await r.a.test({ cookie: cookie(4), exclusive: true, alock: alock('hosta', 2, fh) })).stat) === 'GRANTED',
        'grant taken back',
      );
    } finally {
      r.peer.grantAnswer = Nlm4Stat.GRANTED;
    }
  });

  test('CANCEL withdraws a blocked request: no callback, and the lock stays free for others', async () => {
    const fh = await r.file('cancel');
    await r.a.lock({ cookie: cookie(1), block: false, exclusive: true, alock: alock('hosta', 1, fh), reclaim: false, state: 1 });
    const want = alock('hostb', 2, fh);
    await r.b.lock({ cookie: cookie(2), block: true, exclusive: true, alock: want, reclaim: false, state: 1 });
    assert.equal(stat((await r.b.cancel({ cookie: cookie(3), block: true, exclusive: true, alock: want })).stat), 'GRANTED');
    const n = r.peer.granted.length;
    await r.a.unlock({ cookie: cookie(4), alock: alock('hosta', 1, fh) });
    assert.equal(stat((await r.a.test({ cookie: cookie(5), exclusive: true, alock: alock('hosta', 9, fh) })).stat), 'GRANTED');
    assert.equal(r.peer.granted.length, n);
  });

  test('FREE_ALL releases everything of the host and lets another host\'s waiter in', async () => {
    const f1 = await r.file('free1');
    const f2 = await r.file('free2');
    for (const [i, fh] of [f1, f2].entries()) {
      await r.a.lock({ cookie: cookie(i), block: false, exclusive: true, alock: alock('crashy', 1, fh), reclaim: false, state: 1 });
    }
    const n = r.peer.granted.length;
    await r.b.lock({ cookie: cookie(9), block: true, exclusive: false, alock: alock('hostb', 1, f2), reclaim: false, state: 1 });
    await r.a.freeAll({ name: 'CRASHY', state: 3 });
    assert.equal(stat((await r.a.test({ cookie: cookie(10), exclusive: true, alock: alock('other', 1, f1) })).stat), 'GRANTED');
    await eventually(() => r.peer.granted.length > n, 'waiter granted');
    assert.ok(r.t.server.lockReport().held.every((l) => l.host !== 'crashy'));
  });

  test('SHARE reservations: deny modes against access modes, UNSHARE lifts them', async () => {
    const fh = await r.file('share');
    const share = (callerName: string, mode: FshMode, access: FshAccess) => ({
      cookie: cookie(1),
      share: { callerName, fh, oh: Buffer.from(callerName), mode, access },
      reclaim: false,
    });
    assert.equal(stat((await r.a.share(share('pc1', FshMode.DW, FshAccess.RW))).stat), 'GRANTED');
    assert.equal(stat((await r.b.share(share('pc2', FshMode.DN, FshAccess.W))).stat), 'DENIED');
    assert.equal(stat((await r.b.share(share('pc2', FshMode.DN, FshAccess.R))).stat), 'GRANTED');
    assert.equal(stat((await r.b.share(share('pc3', FshMode.DR, FshAccess.R))).stat), 'DENIED');
    assert.equal(stat((await r.a.unshare(share('pc1', FshMode.DW, FshAccess.RW))).stat), 'GRANTED');
    assert.equal(stat((await r.b.share(share('pc3', FshMode.DN, FshAccess.W))).stat), 'GRANTED');
  });

  test('NM_LOCK locks without monitoring and never blocks', async () => {
    const fh = await r.file('nm');
    assert.equal(stat((await r.a.nmLock({ cookie: cookie(1), block: true, exclusive: true, alock: alock('pc', 1, fh), reclaim: false, state: 0 })).stat), 'GRANTED');
    assert.equal(stat((await r.b.nmLock({ cookie: cookie(2), block: true, exclusive: true, alock: alock('pc2', 1, fh), reclaim: false, state: 0 })).stat), 'DENIED');
  });

  test('_MSG calls are answered by _RES calls to the sender\'s lock manager', async () => {
    const fh = await r.file('msg');
    const n = r.peer.results.length;
    await r.b.message('LOCK_MSG', { cookie: cookie(77), block: false, exclusive: true, alock: alock('hostb', 1, fh), reclaim: false, state: 1 });
    await r.b.message('TEST_MSG', { cookie: cookie(78), exclusive: true, alock: alock('hostq', 1, fh) });
    await eventually(() => r.peer.results.length >= n + 2, 'two _RES callbacks');
    const got = r.peer.results.slice(n).sort((x, y) => x.name.localeCompare(y.name));
    assert.deepEqual(got.map((g) => [g.name, Buffer.from(g.res.cookie).readUInt32BE(), stat(g.res.stat)]), [
      ['LOCK_RES', 77, 'GRANTED'],
      ['TEST_RES', 78, 'DENIED'],
    ]);
  });

  test('nfs-node status lists the locks per export and per client', async () => {
    const fh = await r.file('cli-status');
    await r.b.lock({ cookie: cookie(1), block: false, exclusive: true, alock: alock('clihost', 1, fh, 0n, 1n), reclaim: false, state: 1 });
    await r.b.lock({ cookie: cookie(2), block: false, exclusive: true, alock: alock('clihost', 1, fh, 5n, 1n), reclaim: false, state: 1 });
    const lines = formatStatus(await r.t.server.status());
    assert.match(lines[0]!, /LOCKS/);
    assert.ok(lines.includes('  locks of clihost (127.0.0.2): 2 held'), lines.join('\n'));
  });

  test('over UDP: LOCK and TEST, and LOCK_MSG answered by LOCK_RES over UDP', async () => {
    const fh = await r.file('udp');
    const udp = await NlmClient.connect({ host: '127.0.0.1', port: r.t.port, transport: 'udp', localAddress: '127.0.0.2' });
    try {
      assert.equal(stat((await udp.lock({ cookie: cookie(1), block: false, exclusive: true, alock: alock('udphost', 1, fh, 0n, 4n), reclaim: false, state: 1 })).stat), 'GRANTED');
      assert.equal(stat((await r.a.test({ cookie: cookie(2), exclusive: false, alock: alock('hosta', 1, fh, 2n, 1n) })).stat), 'DENIED');
      const n = r.peer.results.length;
      await udp.message('LOCK_MSG', { cookie: cookie(3), block: false, exclusive: true, alock: alock('udphost', 2, fh, 0n, 4n), reclaim: false, state: 1 });
      await eventually(() => r.peer.results.length > n, 'LOCK_RES over UDP');
      assert.deepEqual([r.peer.results.at(-1)!.name, stat(r.peer.results.at(-1)!.res.stat)], ['LOCK_RES', 'DENIED']);
    } finally {
      await udp.close();
    }
  });

  test('status shows the locks of each export and client', async () => {
    const fh = await r.file('status');
    await r.a.lock({ cookie: cookie(1), block: false, exclusive: false, alock: alock('statushost', 4, fh, 8n, 8n), reclaim: false, state: 1 });
    const [exp] = await r.t.server.status();
    const mine = exp!.locks.held.filter((l) => l.host === 'statushost');
    assert.deepEqual(
      mine.map((l) => ({ addresses: l.addresses, svid: l.svid, offset: l.offset, length: l.length, exclusive: l.exclusive })),
      [{ addresses: ['127.0.0.1'], svid: 4, offset: '8', length: '8', exclusive: false }],
    );
  });
});

describe('NLM: limits', () => {
  test('beyond maxEntries, LOCK answers DENIED_NOLOCKS', async () => {
    const r = await lockRig({ locks: { maxEntries: 3 } });
    try {
      const fh = await r.file('many');
      const lockAt = (o: bigint) => r.a.lock({ cookie: cookie(1), block: false, exclusive: true, alock: alock('hosta', 1, fh, o * 10n, 1n), reclaim: false, state: 1 });
      for (const o of [0n, 1n, 2n]) assert.equal(stat((await lockAt(o)).stat), 'GRANTED');
      assert.equal(stat((await lockAt(3n)).stat), 'DENIED_NOLOCKS');
    } finally {
      await r.stop();
    }
  });
});
