/** NFS over UDP with the project's client: small calls work; a READ too big for a datagram is answered cleanly. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Nfs3Client } from '../../src/client/nfs3.js';
import { RpcError } from '../../src/client/errors.js';
import { MAX_DATAGRAM } from '../../src/client/rpc-udp-client.js';
import { StableHow } from '../../src/proto/nfs3/constants.js';
import { forEachBackend, HOST, name, ROOT } from './harness.js';

forEachBackend('UDP transport', (env) => {
  let udp: Nfs3Client;
  before(async () => {
    // Retransmissions slower than any reply here: a dropped reply shows as a timeout, not as a retry that hides it.
    udp = await Nfs3Client.connect({ host: HOST, port: env().t.port, transport: 'udp', strictReplies: true, auth: ROOT, retransmitMs: 5000, timeoutMs: 20_000 });
  });
  after(() => udp.close());

  test('32 KiB WRITE and READ, LOOKUP and READDIRPLUS over UDP', async () => {
    const e = env();
    const dir = await e.fresh();
    const fh = Buffer.from((await udp.create({ where: { dir, name: name('f') }, how: { mode: 0, objAttributes: {} } })).obj!);
    const data = randomBytes(32 << 10);
    const w = await udp.write({ file: fh, offset: 0n, count: data.length, stable: StableHow.FILE_SYNC, data });
    assert.equal(w.count, data.length);
    assert.equal(w.committed, StableHow.FILE_SYNC);
    const r = await udp.read({ file: fh, offset: 0n, count: data.length });
    assert.ok(Buffer.from(r.data).equals(data));
    assert.equal(r.eof, true);
    assert.deepEqual(Buffer.from((await udp.lookup({ what: { dir, name: name('f') } })).object), fh);
    const list = await udp.readdirplus({ dir, cookie: 0n, cookieverf: Buffer.alloc(8), dircount: 4096, maxcount: 32768 });
    assert.ok(list.reply.entries.some((x) => x.name.toString() === 'f'));
  });

  test('a 1 MiB READ over UDP: the server answers at once (SYSTEM_ERR, or a reply that fits a datagram), and small READs still work', async () => {
    const e = env();
    const dir = await e.fresh();
    const fh = await e.file(dir, 'big', randomBytes(1 << 20));
    try {
      const r = await udp.read({ file: fh, offset: 0n, count: 1 << 20 });
      assert.ok(r.count <= MAX_DATAGRAM, `a reply of ${r.count} bytes of data came in one datagram`);
    } catch (err) {
      assert.ok(err instanceof RpcError, `not a protocol answer: ${String(err)}`);
      assert.equal(err.kind, 'SYSTEM_ERR');
    }
    const small = await udp.read({ file: fh, offset: 1000n, count: 100 });
    assert.equal(small.count, 100);
  });

  test('a 1 MiB WRITE cannot be sent over UDP: the client refuses it before the wire', async () => {
    const e = env();
    const fh = await e.file(await e.fresh(), 'f');
    const data = Buffer.alloc(1 << 20);
    await assert.rejects(udp.write({ file: fh, offset: 0n, count: data.length, stable: StableHow.UNSTABLE, data }), RangeError);
    assert.equal((await udp.getattr({ object: fh })).objAttributes.size, 0n);
  });
});
