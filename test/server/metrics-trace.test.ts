/**
 * The dispatcher's call observer, and what rides on it: the debug trace of
 * every call, and nothing at all per call when neither metrics nor debug
 * logging is wanted.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MountClient } from '../../src/client/mount.js';
import { Nfs3Client } from '../../src/client/nfs3.js';
import { Dispatcher, type ObservedCall } from '../../src/net/dispatcher.js';
import type { Remote } from '../../src/programs/program.js';
import { createLogger, silentLogger } from '../../src/server/log.js';
import { CallNames, callObserver, replyStatus } from '../../src/server/metrics.js';
import { callRecord, ECHO, TEST_PROG, testProgram, TestProc, THROW } from '../helpers/raw-rpc.js';
import { startTestServer } from '../helpers/test-server.js';

const remote: Remote = { address: '127.0.0.1', port: 700, transport: 'tcp' };

describe('call observer', () => {
  test('sees each answered call: header, times, reply and the handler result', async () => {
    const d = new Dispatcher([testProgram()], silentLogger);
    const seen: ObservedCall[] = [];
    d.observer = (c) => seen.push(c);
    const echo = callRecord({ xid: 7, prog: TEST_PROG, vers: 2, proc: TestProc.ECHO, args: (w) => ECHO.writeArgs(w, Buffer.from('hi')) });
    const reply = await d.dispatch(echo, remote);
    await d.dispatch(callRecord({ xid: 8, prog: TEST_PROG, vers: 2, proc: 999 }), remote);
    await d.dispatch(callRecord({ xid: 9, prog: TEST_PROG, vers: 2, proc: THROW.proc }), remote);
    await d.dispatch(Buffer.alloc(8), remote);

    assert.deepEqual(
      seen.map((c) => [c.xid, c.prog, c.vers, c.proc, replyStatus(c.reply).status]),
      [
        [7, TEST_PROG, 2, TestProc.ECHO, 'SUCCESS'],
        [8, TEST_PROG, 2, 999, 'PROC_UNAVAIL'],
        [9, TEST_PROG, 2, THROW.proc, 'SYSTEM_ERR'],
      ],
      'the undecodable record, dropped unanswered, is not reported',
    );
    assert.equal(seen[0]!.reply, reply, 'the observer sees the reply sent');
    assert.deepEqual(seen[0]!.result, Buffer.from('hi'));
    assert.equal(seen[1]!.result, undefined);
    assert.ok(seen[0]!.endNs >= seen[0]!.startNs);
    assert.equal(seen[0]!.remote, remote);
  });

  test('an observer that throws costs the client nothing but a logged error', async () => {
    const lines: string[] = [];
    const d = new Dispatcher([testProgram()], createLogger({ write: (l) => lines.push(l) }));
    d.observer = () => {
      throw new Error('observer bug');
    };
    const reply = await d.dispatch(callRecord({ xid: 1, prog: TEST_PROG, vers: 2, proc: 0 }), remote);
    assert.equal(replyStatus(reply!).status, 'SUCCESS');
    assert.ok(lines.some((l) => /call observer failed/.test(l)));
  });

  test('no observer at all without metrics and below debug', () => {
    for (const level of ['info', 'warn', 'error'] as const) {
      assert.equal(callObserver(new CallNames(), undefined, createLogger({ level, write: () => {} })), undefined, level);
    }
    assert.equal(typeof callObserver(new CallNames(), undefined, createLogger({ level: 'debug', write: () => {} })), 'function');
  });

  test('at debug level, every call is traced: program, procedure, xid, client, status, duration', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', json: true, write: (l) => lines.push(l) });
    const t = await startTestServer({ log });
    try {
      const mount = await MountClient.connect({ host: '127.0.0.1', port: t.port });
      const nfs = await Nfs3Client.connect({ host: '127.0.0.1', port: t.port });
      try {
        const root = Buffer.from((await mount.mnt(t.exportPath)).fhandle);
        await nfs.getattr({ object: root });
        await nfs.lookup({ what: { dir: root, name: Buffer.from('nope') } }).catch(() => {});
      } finally {
        await Promise.all([mount.close(), nfs.close()]);
      }
    } finally {
      await t.stop();
    }
    const calls = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.msg === 'call');
    const summary = calls.map((c) => `${String(c.prog)} ${String(c.proc)} ${String(c.status)}`);
    assert.deepEqual(summary, ['mountd MNT MNT3_OK', 'nfs GETATTR NFS3_OK', 'nfs LOOKUP NFS3ERR_NOENT']);
    for (const c of calls) {
      assert.equal(c.level, 'debug');
      assert.equal(typeof c.xid, 'number');
      assert.match(String(c.client), /^127\.0\.0\.1:\d+\/tcp$/);
      assert.equal(typeof c.ms, 'number');
    }
    assert.ok(lines.some((l) => (JSON.parse(l) as { msg: string }).msg === 'started'), 'the start is logged');
  });
});
