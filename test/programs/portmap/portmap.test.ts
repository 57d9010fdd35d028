import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PMAP_PROGRAM } from '../../../src/proto/portmap/constants.js';
import { PMAPPROC_DUMP, PMAPPROC_GETPORT, PMAPPROC_SET, PMAPPROC_UNSET } from '../../../src/proto/portmap/pmap.js';
import {
  RPCBPROC_DUMP,
  RPCBPROC_GETADDR,
  RPCBPROC_GETTIME,
  RPCBPROC_GETVERSADDR,
  RPCBPROC_SET,
  RPCBPROC_UNSET,
  type Rpcb,
} from '../../../src/proto/portmap/rpcb.js';
import type { ProcedureCodec } from '../../../src/proto/procedure.js';
import { defaultLocalAddress, isLoopback, netidOf } from '../../../src/programs/portmap/address.js';
import { createPortmapProgram, PortmapRegistry } from '../../../src/programs/portmap/index.js';
import type { CallContext, Procedure, Program, Remote } from '../../../src/programs/program.js';
import { callProc } from '../../helpers/nfs3-env.js';

const NFS = 100003;
const MOUNTD = 100005;
const TCP = 6;
const UDP = 17;

function call(address: string, transport: 'tcp' | 'udp' = 'tcp'): CallContext {
  return { xid: 1, remote: { address, port: 900, transport }, auth: undefined };
}
const LOCAL = call('127.0.0.1');
const LOCAL6 = call('::1');
const LAN = call('192.168.7.9');

function proc<A, R>(prog: Program, vers: number, codec: ProcedureCodec<A, R>): Procedure<A, R> {
  const p = prog.versions.get(vers)?.procedures.get(codec.proc);
  assert.ok(p, `version ${vers} has ${codec.name}`);
  assert.equal(p.codec, codec);
  return p as Procedure<A, R>;
}

function setup() {
  const registry = new PortmapRegistry();
  const localAddress = (r: Remote): string => (netidOf(r).endsWith('6') ? '::1' : '127.0.0.1');
  const prog = createPortmapProgram(registry, { localAddress });
  return { registry, prog };
}

const query = (prog: number, vers: number, netid = ''): Rpcb => ({ prog, vers, netid, addr: '', owner: '' });

describe('PortmapRegistry', () => {
  test('set, getport, dump', () => {
    const r = new PortmapRegistry();
    assert.ok(r.set({ prog: NFS, vers: 3, prot: TCP, port: 2049 }));
    assert.ok(r.set({ prog: NFS, vers: 3, prot: UDP, port: 2049 }));
    assert.equal(r.getport(NFS, 3, TCP), 2049);
    assert.equal(r.getport(MOUNTD, 3, TCP), 0);
    assert.deepEqual(r.dump(), [
      { prog: NFS, vers: 3, prot: TCP, port: 2049 },
      { prog: NFS, vers: 3, prot: UDP, port: 2049 },
    ]);
  });

  test('set refuses another port for a registered (prog, vers, prot), accepts the same again', () => {
    const r = new PortmapRegistry();
    assert.ok(r.set({ prog: NFS, vers: 3, prot: TCP, port: 2049 }));
    assert.equal(r.set({ prog: NFS, vers: 3, prot: TCP, port: 2050 }), false);
    assert.ok(r.set({ prog: NFS, vers: 3, prot: TCP, port: 2049 }));
    assert.equal(r.getport(NFS, 3, TCP), 2049);
  });

  test('set refuses protocols other than TCP and UDP, and port 0', () => {
    const r = new PortmapRegistry();
    assert.equal(r.set({ prog: NFS, vers: 3, prot: 132, port: 2049 }), false);
    assert.equal(r.set({ prog: NFS, vers: 3, prot: TCP, port: 0 }), false);
    assert.deepEqual(r.dump(), []);
  });

  test('unset removes every protocol of (prog, vers) and nothing else', () => {
    const r = new PortmapRegistry();
    r.set({ prog: NFS, vers: 3, prot: TCP, port: 2049 });
    r.set({ prog: NFS, vers: 3, prot: UDP, port: 2049 });
    r.register({ prog: NFS, vers: 3, netid: 'tcp6', port: 2049, owner: 'x' });
    r.set({ prog: MOUNTD, vers: 3, prot: TCP, port: 20048 });
    assert.ok(r.unset(NFS, 3));
    assert.equal(r.unset(NFS, 3), false);
    assert.deepEqual(r.registrations().map((x) => x.prog), [MOUNTD]);
  });

  test('getport answers with another version of the program when the asked one is not registered', () => {
    const r = new PortmapRegistry();
    r.set({ prog: NFS, vers: 3, prot: TCP, port: 2049 });
    assert.equal(r.getport(NFS, 4, TCP), 2049);
    assert.equal(r.getport(NFS, 4, UDP), 0);
    assert.equal(r.find(NFS, 4, 'tcp', true), undefined);
  });
});

describe('port mapper v2', () => {
  test('SET and UNSET from loopback change the registry', async () => {
    const { registry, prog } = setup();
    const m = { prog: MOUNTD, vers: 3, prot: TCP, port: 20048 };
    assert.equal(await callProc(proc(prog, 2, PMAPPROC_SET), m, LOCAL), true);
    assert.equal(await callProc(proc(prog, 2, PMAPPROC_GETPORT), { ...m, port: 0 }, LAN), 20048);
    assert.equal(await callProc(proc(prog, 2, PMAPPROC_UNSET), m, call('::ffff:127.0.0.1')), true);
    assert.deepEqual(registry.dump(), []);
  });

  test('SET and UNSET from elsewhere are refused', async () => {
    const { registry, prog } = setup();
    registry.set({ prog: NFS, vers: 3, prot: TCP, port: 2049 });
    const m = { prog: MOUNTD, vers: 3, prot: TCP, port: 20048 };
    assert.equal(await callProc(proc(prog, 2, PMAPPROC_SET), m, LAN), false);
    assert.equal(await callProc(proc(prog, 2, PMAPPROC_UNSET), { ...m, prog: NFS }, LAN), false);
    assert.deepEqual(registry.dump(), [{ prog: NFS, vers: 3, prot: TCP, port: 2049 }]);
  });

  test('DUMP lists only what v2 can express', async () => {
    const { registry, prog } = setup();
    registry.set({ prog: NFS, vers: 3, prot: TCP, port: 2049 });
    registry.register({ prog: NFS, vers: 3, netid: 'tcp6', port: 2049, owner: 'x' });
    assert.deepEqual(await callProc(proc(prog, 2, PMAPPROC_DUMP), undefined, LAN), [
      { prog: NFS, vers: 3, prot: TCP, port: 2049 },
    ]);
  });
});

describe('rpcbind v3 and v4', () => {
  for (const vers of [3, 4]) {
    test(`v${vers} GETADDR answers a universal address built from the local address`, async () => {
      const { registry, prog } = setup();
      registry.set({ prog: NFS, vers: 3, prot: TCP, port: 2049 });
      registry.set({ prog: MOUNTD, vers: 3, prot: UDP, port: 20048 });
      const getaddr = proc(prog, vers, RPCBPROC_GETADDR);
      assert.equal(await callProc(getaddr, query(NFS, 3, 'tcp'), LOCAL), '127.0.0.1.8.1');
      assert.equal(await callProc(getaddr, query(MOUNTD, 3, 'udp'), LOCAL), '127.0.0.1.78.80');
      assert.equal(await callProc(getaddr, query(MOUNTD, 3, 'tcp'), LOCAL), '');
      assert.equal(await callProc(getaddr, query(100024, 1, 'tcp'), LOCAL), '');
    });
  }

  test('an empty netid means the transport the call came on', async () => {
    const { registry, prog } = setup();
    registry.set({ prog: MOUNTD, vers: 3, prot: UDP, port: 20048 });
    const getaddr = proc(prog, 4, RPCBPROC_GETADDR);
    assert.equal(await callProc(getaddr, query(MOUNTD, 3), call('127.0.0.1', 'udp')), '127.0.0.1.78.80');
    assert.equal(await callProc(getaddr, query(MOUNTD, 3), call('127.0.0.1', 'tcp')), '');
  });

  test('tcp6 falls back to a wildcard tcp registration, with an IPv6 address', async () => {
    const { registry, prog } = setup();
    registry.set({ prog: NFS, vers: 3, prot: TCP, port: 2049 });
    registry.register({ prog: MOUNTD, vers: 3, netid: 'tcp', port: 20048, host: '10.0.0.1', owner: 'x' });
    const getaddr = proc(prog, 4, RPCBPROC_GETADDR);
    assert.equal(await callProc(getaddr, query(NFS, 3, 'tcp6'), LOCAL6), '::1.8.1');
    assert.equal(await callProc(getaddr, query(MOUNTD, 3, 'tcp6'), LOCAL6), '', 'bound to an IPv4 address');
  });

  test('SET with an address registers it; a wildcard address registers the port only', async () => {
    const { prog } = setup();
    const set = proc(prog, 3, RPCBPROC_SET);
    const getaddr = proc(prog, 3, RPCBPROC_GETADDR);
    const reg = (addr: string, netid = 'tcp'): Rpcb => ({ prog: MOUNTD, vers: 3, netid, addr, owner: '0' });
    assert.equal(await callProc(set, reg('10.1.2.3.78.80'), LOCAL), true);
    assert.equal(await callProc(getaddr, query(MOUNTD, 3, 'tcp'), LAN), '10.1.2.3.78.80');
    assert.equal(await callProc(set, reg('0.0.0.0.78.80', 'udp'), LOCAL), true);
    assert.equal(await callProc(getaddr, query(MOUNTD, 3, 'udp'), LOCAL), '127.0.0.1.78.80');
    assert.equal(await callProc(set, reg('10.1.2.3.78.81'), LOCAL), false, 'already registered elsewhere');
    assert.equal(await callProc(set, reg('/run/rpcbind.sock', 'local'), LOCAL), false);
    assert.equal(await callProc(set, reg('10.1.2.3.1.1', 'tcp6'), LAN), false, 'not from loopback');
  });

  test('UNSET with a netid removes that netid; with none, all of them; only from loopback', async () => {
    const { registry, prog } = setup();
    registry.set({ prog: NFS, vers: 3, prot: TCP, port: 2049 });
    registry.set({ prog: NFS, vers: 3, prot: UDP, port: 2049 });
    const unset = proc(prog, 4, RPCBPROC_UNSET);
    assert.equal(await callProc(unset, query(NFS, 3, 'udp'), LAN), false);
    assert.equal(await callProc(unset, query(NFS, 3, 'udp'), LOCAL), true);
    assert.deepEqual(registry.registrations().map((r) => r.netid), ['tcp']);
    registry.set({ prog: NFS, vers: 3, prot: UDP, port: 2049 });
    assert.equal(await callProc(unset, query(NFS, 3), LOCAL), true);
    assert.deepEqual(registry.registrations(), []);
  });

  test('GETVERSADDR (v4) answers only the exact version; GETADDR any version', async () => {
    const { registry, prog } = setup();
    registry.set({ prog: NFS, vers: 3, prot: TCP, port: 2049 });
    assert.equal(await callProc(proc(prog, 4, RPCBPROC_GETVERSADDR), query(NFS, 4, 'tcp'), LOCAL), '');
    assert.equal(await callProc(proc(prog, 4, RPCBPROC_GETVERSADDR), query(NFS, 3, 'tcp'), LOCAL), '127.0.0.1.8.1');
    assert.equal(await callProc(proc(prog, 4, RPCBPROC_GETADDR), query(NFS, 4, 'tcp'), LOCAL), '127.0.0.1.8.1');
  });

  test('DUMP lists every registration with its universal address and owner', async () => {
    const { registry, prog } = setup();
    registry.set({ prog: NFS, vers: 3, prot: TCP, port: 2049 });
    registry.register({ prog: MOUNTD, vers: 3, netid: 'udp6', port: 20048, host: 'fe80::1', owner: '0' });
    assert.deepEqual(await callProc(proc(prog, 3, RPCBPROC_DUMP), undefined, LOCAL), [
      { prog: NFS, vers: 3, netid: 'tcp', addr: '127.0.0.1.8.1', owner: 'superuser' },
      { prog: MOUNTD, vers: 3, netid: 'udp6', addr: 'fe80::1.78.80', owner: '0' },
    ]);
  });

  test('GETTIME is the server time in seconds', async () => {
    const { prog } = setup();
    const before = Math.floor(Date.now() / 1000);
    const t = await callProc(proc(prog, 4, RPCBPROC_GETTIME), undefined, LAN);
    assert.ok(t >= before && t <= Math.floor(Date.now() / 1000), `${t}`);
  });
});

test('program table: v2, v3 and v4 with their procedures', () => {
  const { prog } = setup();
  assert.equal(prog.prog, PMAP_PROGRAM);
  const procs = (v: number) => [...prog.versions.get(v)!.procedures.keys()].sort((a, b) => a - b);
  assert.deepEqual(procs(2), [0, 1, 2, 3, 4]);
  assert.deepEqual(procs(3), [0, 1, 2, 3, 4, 6]);
  assert.deepEqual(procs(4), [0, 1, 2, 3, 4, 6, 9]);
});

test('the second argument of createPortmapProgram is optional', () => {
  assert.equal(createPortmapProgram(new PortmapRegistry()).versions.size, 3);
});

describe('addresses', () => {
  test('loopback', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopback(a), a);
    for (const a of ['10.0.0.1', '::2', '::ffff:10.0.0.1', 'fe80::1']) assert.ok(!isLoopback(a), a);
  });

  test('netid of a caller', () => {
    assert.equal(netidOf({ address: '10.0.0.1', port: 1, transport: 'udp' }), 'udp');
    assert.equal(netidOf({ address: '::ffff:10.0.0.1', port: 1, transport: 'tcp' }), 'tcp');
    assert.equal(netidOf({ address: 'fe80::1', port: 1, transport: 'tcp' }), 'tcp6');
  });

  test('default local address: loopback for loopback callers, of their family', () => {
    assert.equal(defaultLocalAddress({ address: '127.0.0.1', port: 1, transport: 'tcp' }), '127.0.0.1');
    assert.equal(defaultLocalAddress({ address: '::ffff:127.0.0.1', port: 1, transport: 'tcp' }), '127.0.0.1');
    assert.equal(defaultLocalAddress({ address: '::1', port: 1, transport: 'udp' }), '::1');
  });
});
