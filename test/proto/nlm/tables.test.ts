/** The per-version codec tables, and the bounds every NLM decoder enforces. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NLM_V1_CODECS, NLM_V3_CODECS, NLM4_CODECS } from '../../../src/proto/nlm/codecs.js';
import { LM_MAXNAMELEN, LM_MAXSTRLEN, MAXNETOBJ_SZ, NlmProc } from '../../../src/proto/nlm/constants.js';
import { NLMPROC4_FREE_ALL } from '../../../src/proto/nlm/free-all.js';
import { NLMPROC4_SHARE } from '../../../src/proto/nlm/share.js';
import { NLMPROC_TEST, NLMPROC4_TEST, NLMPROC4_TEST_RES } from '../../../src/proto/nlm/test.js';
import type { NlmTestArgs } from '../../../src/proto/nlm/types.js';
import { NULL_CODEC, type ProcedureCodec } from '../../../src/proto/procedure.js';
import { XdrError, XdrReader } from '../../../src/xdr/reader.js';
import { decodeAll, encodeWith } from '../../helpers/codec-properties.js';
import { ALOCK4, COOKIE, FH, OH1 } from './fixtures.js';

const V3_ONLY = ['SHARE', 'UNSHARE', 'NM_LOCK', 'FREE_ALL'];

test('every table entry is the procedure its key names', () => {
  for (const table of [NLM_V1_CODECS, NLM_V3_CODECS, NLM4_CODECS]) {
    for (const [key, codec] of Object.entries(table) as [string, ProcedureCodec<unknown, unknown>][]) {
      assert.equal(codec.name, key);
      assert.equal(codec.proc, NlmProc[key as keyof typeof NlmProc]);
    }
  }
  assert.equal(NLM4_CODECS.NULL, NULL_CODEC);
});

test('version 1 has procedures 0-15; versions 3 and 4 add SHARE, UNSHARE, NM_LOCK, FREE_ALL', () => {
  const procs = (t: object) => Object.values(t).map((c: ProcedureCodec<unknown, unknown>) => c.proc);
  assert.deepEqual(procs(NLM_V1_CODECS).sort((a, b) => a - b), Array.from({ length: 16 }, (_, i) => i));
  assert.deepEqual(procs(NLM_V3_CODECS).sort((a, b) => a - b), procs(NLM4_CODECS).sort((a, b) => a - b));
  assert.deepEqual(Object.keys(NLM_V3_CODECS).filter((k) => !(k in NLM_V1_CODECS)), V3_ONLY);
});

test('versions 1 and 3 share one dialect; version 4 has its own', () => {
  for (const [key, codec] of Object.entries(NLM_V1_CODECS)) {
    assert.equal(NLM_V3_CODECS[key as keyof typeof NLM_V1_CODECS], codec, key);
  }
  assert.equal(NLM_V3_CODECS.TEST, NLMPROC_TEST);
  assert.notEqual(NLM4_CODECS.TEST, NLMPROC_TEST);
  assert.equal(NLM4_CODECS.TEST, NLMPROC4_TEST);
  assert.equal(NLM4_CODECS.TEST_RES, NLMPROC4_TEST_RES);
});

function testArgs(over: Partial<NlmTestArgs['alock']> & { cookie?: Buffer }): Buffer {
  const { cookie = COOKIE, ...alock } = over;
  return encodeWith(NLMPROC4_TEST.writeArgs, { cookie, exclusive: false, alock: { ...ALOCK4, ...alock } });
}

function refused(codec: (r: XdrReader) => unknown, bytes: Buffer): void {
  assert.throws(() => codec(new XdrReader(bytes)), XdrError);
}

test('caller_name is bounded by LM_MAXSTRLEN', () => {
  decodeAll(NLMPROC4_TEST.readArgs, testArgs({ callerName: 'h'.repeat(LM_MAXSTRLEN) }));
  refused(NLMPROC4_TEST.readArgs, testArgs({ callerName: 'h'.repeat(LM_MAXSTRLEN + 1) }));
  refused(NLMPROC_TEST.readArgs, encodeWith(NLMPROC_TEST.writeArgs, {
    cookie: COOKIE,
    exclusive: false,
    alock: { ...ALOCK4, offset: 0n, callerName: 'h'.repeat(LM_MAXSTRLEN + 1) },
  }));
  const share = (callerName: string) =>
    encodeWith(NLMPROC4_SHARE.writeArgs, {
      cookie: COOKIE,
      share: { callerName, fh: FH, oh: OH1, mode: 0, access: 0 },
      reclaim: false,
    });
  refused(NLMPROC4_SHARE.readArgs, share('h'.repeat(LM_MAXSTRLEN + 1)));
});

test('every netobj (cookie, fh, oh) is bounded by MAXNETOBJ_SZ', () => {
  const big = Buffer.alloc(MAXNETOBJ_SZ + 1);
  decodeAll(NLMPROC4_TEST.readArgs, testArgs({ cookie: big.subarray(1), fh: big.subarray(1), oh: big.subarray(1) }));
  refused(NLMPROC4_TEST.readArgs, testArgs({ cookie: big }));
  refused(NLMPROC4_TEST.readArgs, testArgs({ fh: big }));
  refused(NLMPROC4_TEST.readArgs, testArgs({ oh: big }));
  refused(NLMPROC4_TEST.readResult, encodeWith(NLMPROC4_TEST.writeResult, { cookie: big, stat: 0 }));
});

test("FREE_ALL's name is bounded by MAXNAMELEN (LM_MAXSTRLEN + 1)", () => {
  const notify = (n: number) => encodeWith(NLMPROC4_FREE_ALL.writeArgs, { name: 'h'.repeat(n), state: 1 });
  decodeAll(NLMPROC4_FREE_ALL.readArgs, notify(LM_MAXNAMELEN));
  refused(NLMPROC4_FREE_ALL.readArgs, notify(LM_MAXNAMELEN + 1));
});

test('a forged netobj length larger than the message is refused before allocation', () => {
  const bytes = Buffer.from('7fffffff', 'hex');
  refused(NLMPROC4_TEST.readArgs, bytes);
});

test('fsh4_mode and fsh4_access outside their enums are refused', () => {
  const good = encodeWith(NLMPROC4_SHARE.writeArgs, {
    cookie: COOKIE,
    share: { callerName: 'h', fh: FH, oh: OH1, mode: 3, access: 3 },
    reclaim: false,
  });
  decodeAll(NLMPROC4_SHARE.readArgs, good);
  for (const at of [good.length - 12, good.length - 8]) {
    const bad = Buffer.from(good);
    bad.writeUInt32BE(4, at);
    refused(NLMPROC4_SHARE.readArgs, bad);
  }
});
