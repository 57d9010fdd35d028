/** NlmClient and NsmClient against a fake server: the right program, version, procedure and dialect. */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { NlmClient } from '../../../src/client/nlm.js';
import { NsmClient } from '../../../src/client/nsm.js';
import { NLM_V3_CODECS, NLM4_CODECS } from '../../../src/proto/nlm/codecs.js';
import { NLM_PROGRAM, Nlm4Stat } from '../../../src/proto/nlm/constants.js';
import { SM_PROGRAM, SmRes } from '../../../src/proto/nsm/constants.js';
import { NSM_CODECS } from '../../../src/proto/nsm/sm.js';
import type { ProcedureCodec } from '../../../src/proto/procedure.js';
import { assertSameValue } from '../../helpers/codec-properties.js';
import { FakeTcpServer, successReply, type FakeCall } from '../../helpers/fake-rpc-server.js';
import { ALOCK3, ALOCK4, COOKIE } from './fixtures.js';

type AnyCodec = ProcedureCodec<unknown, unknown>;

interface Seen {
  prog: number;
  vers: number;
  proc: number;
  args: unknown;
}

/** Answers each call with `results[name]`, decoding its arguments with the codec its (prog, vers, proc) names. */
async function fakeServer(results: Record<string, unknown>) {
  const seen: Seen[] = [];
  const tables = new Map<string, object>([
    [`${NLM_PROGRAM}/4`, NLM4_CODECS],
    [`${NLM_PROGRAM}/3`, NLM_V3_CODECS],
    [`${SM_PROGRAM}/1`, NSM_CODECS],
  ]);
  const server = await FakeTcpServer.start((call: FakeCall) => {
    const table = Object.values(tables.get(`${call.prog}/${call.vers}`) ?? {}) as AnyCodec[];
    const codec = table.find((c) => c.proc === call.proc)!;
    seen.push({ prog: call.prog, vers: call.vers, proc: call.proc, args: codec.readArgs(call.args) });
    call.send(successReply(call.xid, codec, results[codec.name]));
  });
  after(() => server.close());
  return { server, seen };
}

const LOCKARGS4 = { cookie: COOKIE, block: true, exclusive: true, alock: ALOCK4, reclaim: false, state: 1 };

test('NlmClient (version 4) returns a refusal as a result, not an error', async () => {
  const { server, seen } = await fakeServer({ LOCK: { cookie: COOKIE, stat: Nlm4Stat.DENIED_GRACE_PERIOD } });
  const c = await NlmClient.connect({ host: '127.0.0.1', port: server.port });
  const res = await c.lock(LOCKARGS4);
  await c.close();
  assertSameValue(res, { cookie: COOKIE, stat: Nlm4Stat.DENIED_GRACE_PERIOD });
  assert.equal(seen.length, 1);
  assertSameValue(seen[0], { prog: NLM_PROGRAM, vers: 4, proc: 2, args: LOCKARGS4 });
});

test('NlmClient version 3 speaks the 32-bit dialect', async () => {
  const holder = { exclusive: true, svid: 9, oh: Buffer.from('x'), offset: 10n, length: 0n };
  const { server, seen } = await fakeServer({ TEST: { cookie: COOKIE, stat: Nlm4Stat.DENIED, holder } });
  const c = await NlmClient.connect({ host: '127.0.0.1', port: server.port, version: 3 });
  const args = { cookie: COOKIE, exclusive: false, alock: ALOCK3 };
  const res = await c.test(args);
  await c.close();
  assertSameValue(res, { cookie: COOKIE, stat: Nlm4Stat.DENIED, holder });
  assertSameValue(seen[0], { prog: NLM_PROGRAM, vers: 3, proc: 1, args });
});

test('NlmClient sends _MSG and _RES procedures by name', async () => {
  const { server, seen } = await fakeServer({});
  const c = await NlmClient.connect({ host: '127.0.0.1', port: server.port });
  await c.message('LOCK_MSG', LOCKARGS4);
  await c.message('GRANTED_RES', { cookie: COOKIE, stat: Nlm4Stat.GRANTED });
  await c.close();
  assertSameValue(
    seen.map((s) => [s.proc, s.args]),
    [
      [7, LOCKARGS4],
      [15, { cookie: COOKIE, stat: Nlm4Stat.GRANTED }],
    ],
  );
});

test('NsmClient calls SM_MON and SM_UNMON_ALL', async () => {
  const { server, seen } = await fakeServer({ MON: { res: SmRes.SUCC, state: 3 }, UNMON_ALL: 3 });
  const c = await NsmClient.connect({ host: '127.0.0.1', port: server.port });
  const myId = { myName: 'me', myProg: NLM_PROGRAM, myVers: 3, myProc: 16 };
  const mon = { monId: { monName: 'hosta', myId }, priv: Buffer.alloc(16, 1) };
  assertSameValue(await c.mon(mon), { res: SmRes.SUCC, state: 3 });
  assert.equal(await c.unmonAll(myId), 3);
  await c.close();
  assertSameValue(
    seen.map((s) => [s.prog, s.vers, s.proc, s.args]),
    [
      [SM_PROGRAM, 1, 2, mon],
      [SM_PROGRAM, 1, 4, myId],
    ],
  );
});
