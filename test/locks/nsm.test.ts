/** NSM end to end: client reboots release locks and mounts; a server restart is announced and followed by a grace period. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/cli/cli.js';
import { NsmClient } from '../../src/client/nsm.js';
import { Nlm4Stat, NLM_PROGRAM } from '../../src/proto/nlm/constants.js';
import { SmRes } from '../../src/proto/nsm/constants.js';
import { NLMPROC_NSM_NOTIFY, startPeerHost } from '../helpers/lock-peer.js';
import { alock, cookie, eventually, lockRig, type LockRig } from './rig.js';

const stat = (s: Nlm4Stat) => Nlm4Stat[s];

describe('NSM: a client that rebooted', () => {
  let r: LockRig;
  before(async () => (r = await lockRig()));
  after(() => r.stop());

  test('SM_STAT gives an odd state number', async () => {
    const s = await r.nsm.stat('anyone');
    assert.equal(s.res, SmRes.SUCC);
    assert.equal(s.state % 2, 1);
  });

  test('SM_NOTIFY naming a host releases its locks and its mount entries, and nobody else\'s', async () => {
    const fh = await r.file('rebooted');
    await r.a.lock({ cookie: cookie(1), block: false, exclusive: true, alock: alock('hosta', 1, fh, 0n, 10n), reclaim: false, state: 1 });
    await r.b.lock({ cookie: cookie(2), block: false, exclusive: true, alock: alock('hostb', 1, fh, 20n, 10n), reclaim: false, state: 1 });
    assert.ok((await r.mount.dump()).some((m) => m.hostname === '127.0.0.1'));
    await r.nsm.notify({ monName: 'HostA', state: 7 });
    assert.deepEqual(await r.mount.dump(), []);
    assert.equal(stat((await r.b.test({ cookie: cookie(3), exclusive: true, alock: alock('hostz', 1, fh, 0n, 10n) })).stat), 'GRANTED');
    assert.equal(stat((await r.a.test({ cookie: cookie(4), exclusive: true, alock: alock('hostz', 1, fh, 25n, 1n) })).stat), 'DENIED');
  });

  test('SM_NOTIFY from a host\'s address releases its locks whatever name it gives', async () => {
    const fh = await r.file('by-address');
    await r.b.lock({ cookie: cookie(1), block: false, exclusive: true, alock: alock('hostb', 2, fh), reclaim: false, state: 1 });
    const fromB = await NsmClient.connect({ host: '127.0.0.1', port: r.t.port, localAddress: '127.0.0.2' });
    try {
      await fromB.notify({ monName: 'hostb.example', state: 9 });
    } finally {
      await fromB.close();
    }
    assert.equal(stat((await r.a.test({ cookie: cookie(2), exclusive: true, alock: alock('hostz', 1, fh) })).stat), 'GRANTED');
  });

  test('SM_MON is accepted only from this machine, and its callback reaches the local lock manager', async () => {
    const local = await startPeerHost('127.0.0.1', r.peer.port);
    try {
      const fromB = await NsmClient.connect({ host: '127.0.0.1', port: r.t.port, localAddress: '127.0.0.2' });
      const mon = { monId: { monName: '127.0.0.3', myId: { myName: 'localhost', myProg: NLM_PROGRAM, myVers: 4, myProc: NLMPROC_NSM_NOTIFY } }, priv: Buffer.alloc(16, 5) };
      try {
        assert.equal((await fromB.mon(mon)).res, SmRes.FAIL);
      } finally {
        await fromB.close();
      }
      assert.equal((await r.nsm.mon(mon)).res, SmRes.SUCC);
      const c = await NsmClient.connect({ host: '127.0.0.1', port: r.t.port, localAddress: '127.0.0.3' });
      try {
        await c.notify({ monName: 'whatever', state: 11 });
      } finally {
        await c.close();
      }
      await eventually(() => local.statusCallbacks.length > 0, 'callback to the local lock manager');
      assert.deepEqual(
        { ...local.statusCallbacks[0], priv: Buffer.from(local.statusCallbacks[0]!.priv) },
        { monName: '127.0.0.3', state: 11, priv: Buffer.alloc(16, 5) },
      );
      assert.equal(await r.nsm.unmon(mon.monId), (await r.nsm.stat('x')).state);
    } finally {
      await local.stop();
    }
  });
});

describe('NSM: the server restarts', () => {
  let stateDir: string;
  let dir: string;
  before(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'nfs-node-nsm-state-'));
    dir = await mkdtemp(path.join(os.tmpdir(), 'nfs-node-nsm-export-'));
  });
  after(async () => {
    await rm(stateDir, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  test('monitored clients are told the new state; only reclaims are granted until the grace period ends', async () => {
    const first = await lockRig({ backend: 'local', dir, stateDir });
    let fh: Buffer;
    let firstState: number;
    try {
      fh = await first.file('reclaim-me');
      firstState = (await first.nsm.stat('x')).state;
      assert.equal(stat((await first.b.lock({ cookie: cookie(1), block: false, exclusive: true, alock: alock('hostb', 1, fh), reclaim: false, state: 1 })).stat), 'GRANTED');
    } finally {
      await first.stop();
    }
    // Long enough for the checks below to run inside it on a loaded machine; the test then waits it out.
    const second = await lockRig({ backend: 'local', dir, stateDir, locks: { graceMs: 5000 } });
    try {
      await eventually(() => second.peer.notifies.length > 0, 'SM_NOTIFY to the monitored client');
      const told = second.peer.notifies[0]!;
      assert.equal(told.monName, 'nfs-server');
      assert.ok(told.state > firstState && told.state % 2 === 1, `state ${told.state} after ${firstState}`);
      assert.equal((await second.nsm.stat('x')).state, told.state);
      assert.notEqual(second.t.server.lockReport().graceEndsAt, null);
      const other = alock('hosta', 1, fh);
      assert.equal(stat((await second.a.lock({ cookie: cookie(2), block: false, exclusive: true, alock: other, reclaim: false, state: 1 })).stat), 'DENIED_GRACE_PERIOD');
      assert.equal(stat((await second.a.test({ cookie: cookie(3), exclusive: true, alock: other })).stat), 'DENIED_GRACE_PERIOD');
      assert.equal(stat((await second.b.lock({ cookie: cookie(4), block: false, exclusive: true, alock: alock('hostb', 1, fh), reclaim: true, state: 3 })).stat), 'GRANTED');
      await eventually(() => second.t.server.lockReport().graceEndsAt === null, 'grace period over', 20_000);
      assert.equal(stat((await second.a.lock({ cookie: cookie(5), block: false, exclusive: true, alock: other, reclaim: false, state: 1 })).stat), 'DENIED');
    } finally {
      await second.stop();
    }
  });

  test('a restart with nobody to tell has no grace period', async () => {
    const r = await lockRig({ backend: 'local', dir, stateDir: await mkdtemp(path.join(os.tmpdir(), 'nfs-node-nsm-fresh-')) });
    try {
      assert.equal(r.t.server.lockReport().graceEndsAt, null);
      const fh = await r.file('fresh');
      assert.equal(stat((await r.a.lock({ cookie: cookie(1), block: false, exclusive: true, alock: alock('hosta', 1, fh), reclaim: false, state: 1 })).stat), 'GRANTED');
    } finally {
      await r.stop();
      await rm(r.t.stateDir, { recursive: true, force: true });
    }
  });
});

describe('eject and locks', () => {
  test('an idle export with a lock held holds nothing; eject releases the lock and says so', async () => {
    const r = await lockRig({ backend: 'local' });
    try {
      const fh = await r.file('ejected');
      await r.a.lock({ cookie: cookie(1), block: false, exclusive: true, alock: alock('hosta', 1, fh), reclaim: false, state: 1 });
      // Locked, and idle: nothing is held on the storage (descriptors close after the idle window).
      await eventually(async () => (await r.t.server.status())[0]!.unmountable, 'export idle with a lock held');
      const [before] = await r.t.server.status();
      assert.equal(before!.locks.held.length, 1);
      assert.equal(before!.openDescriptors, 0);
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['eject', r.t.exportPath, '--state-dir', r.t.stateDir], { out: (l) => out.push(l), err: (l) => err.push(l) });
      assert.equal(code, 0, err.join('\n'));
      assert.match(out.join('\n'), /ejected in \d+ ms; nothing is held/);
      assert.match(err.join('\n'), /^1 NLM lock of clients released/m);
      assert.equal(r.t.server.lockReport().held.length, 0);
      assert.equal(stat((await r.a.lock({ cookie: cookie(2), block: false, exclusive: true, alock: alock('hosta', 1, fh), reclaim: false, state: 1 })).stat), 'STALE_FH');
    } finally {
      await r.stop();
    }
  });
});
