/**
 * Name rules: a client's names are looked up once (bounded in time), shared by
 * concurrent calls, cached, and decisions follow them; address rules never
 * wait for DNS.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AccessControl, type Governed } from '../../src/server/access.js';
import { parseExports } from '../../src/server/exports-file.js';

function exportOf(clients: string): Governed {
  const rules = parseExports(`/e ${clients}`, 't')[0]!.clients;
  return { options: { ...rules[0]!.options, clients: rules } };
}

function resolver(table: Record<string, string[]>, opts: { hang?: boolean } = {}) {
  const asked: string[] = [];
  const resolve = (address: string): Promise<string[]> => {
    asked.push(address);
    if (opts.hang) return new Promise(() => {});
    return Promise.resolve(table[address] ?? []);
  };
  return { asked, resolve };
}

describe('access by host name', () => {
  test('a name rule matches once the names are known; looked up once for concurrent calls', async () => {
    const r = resolver({ '10.0.0.5': ['ws5.lan'] });
    const ac = new AccessControl({ resolve: r.resolve });
    const exp = exportOf('*.lan(rw)');
    ac.reset([exp]);
    assert.equal(ac.decide(exp, '10.0.0.5'), undefined, 'not allowed before the names are known');
    const p1 = ac.prepare('10.0.0.5');
    const p2 = ac.prepare('::ffff:10.0.0.5');
    assert.ok(p1 && p2);
    await Promise.all([p1, p2]);
    assert.deepEqual(r.asked, ['10.0.0.5', '10.0.0.5'], 'each address form asks once (mapped addresses are unmapped)');
    assert.equal(ac.prepare('10.0.0.5'), undefined, 'known now: no wait');
    assert.equal(ac.decide(exp, '10.0.0.5')?.readOnly, false);
    assert.equal(ac.decide(exp, '::ffff:10.0.0.5')?.readOnly, false);
  });

  test('no lookups at all when no export names hosts', () => {
    const r = resolver({});
    const ac = new AccessControl({ resolve: r.resolve });
    const exp = exportOf('10.0.0.0/8(rw) *(ro)');
    ac.reset([exp]);
    assert.equal(ac.prepare('10.1.2.3'), undefined);
    assert.equal(ac.decide(exp, '10.1.2.3')?.readOnly, false);
    assert.equal(ac.decide(exp, '192.0.2.1')?.readOnly, true);
    assert.deepEqual(r.asked, []);
  });

  test('slow DNS delays a call by the bound only, and the client is decided without names', async () => {
    const r = resolver({}, { hang: true });
    const ac = new AccessControl({ resolve: r.resolve, lookupTimeoutMs: 20 });
    const exp = exportOf('host1(rw) *(ro)');
    ac.reset([exp]);
    // The bound's timer does not keep a process alive (nor this test): something else must.
    const alive = setTimeout(() => {}, 10_000);
    await ac.prepare('10.0.0.9');
    clearTimeout(alive);
    assert.equal(ac.decide(exp, '10.0.0.9')?.readOnly, true, 'the * rule, as for an unnamed host');
  });

  test('lookups in flight are bounded: beyond, calls do not wait', () => {
    const r = resolver({}, { hang: true });
    const ac = new AccessControl({ resolve: r.resolve, maxLookups: 2 });
    ac.reset([exportOf('h(rw)')]);
    assert.ok(ac.prepare('10.0.0.1'));
    assert.ok(ac.prepare('10.0.0.2'));
    assert.equal(ac.prepare('10.0.0.3'), undefined);
    assert.equal(r.asked.length, 2);
  });

  test('expired names are refreshed in the background; the decision follows the new names', async () => {
    const table: Record<string, string[]> = { '10.0.0.7': ['host1'] };
    const r = resolver(table);
    const ac = new AccessControl({ resolve: r.resolve, namesTtlMs: 0 });
    const exp = exportOf('host1(rw)');
    ac.reset([exp]);
    await ac.prepare('10.0.0.7');
    assert.equal(ac.decide(exp, '10.0.0.7')?.readOnly, false);
    table['10.0.0.7'] = ['host2'];
    assert.equal(ac.prepare('10.0.0.7'), undefined, 'a known client never waits');
    assert.equal(ac.decide(exp, '10.0.0.7')?.readOnly, false, 'the old names until the refresh is back');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(ac.decide(exp, '10.0.0.7'), undefined);
  });

  test('decisions are cached per (address, export) and dropped by reset()', () => {
    const ac = new AccessControl();
    const exp = exportOf('10.0.0.1(rw)');
    ac.reset([exp]);
    assert.equal(ac.decide(exp, '10.0.0.1')?.readOnly, false);
    const rules = parseExports('/e 10.0.0.1(ro)', 't')[0]!.clients;
    (exp as { options: Governed['options'] }).options = { ...rules[0]!.options, clients: rules };
    assert.equal(ac.decide(exp, '10.0.0.1')?.readOnly, false, 'cached');
    ac.reset([exp]);
    assert.equal(ac.decide(exp, '10.0.0.1')?.readOnly, true);
  });

  test('the cache of client addresses is bounded', () => {
    const ac = new AccessControl({ maxClients: 3 });
    const exp = exportOf('*(rw)');
    ac.reset([exp]);
    for (let i = 0; i < 100; i++) ac.decide(exp, `10.0.0.${i}`);
    const size = (ac as unknown as { decisions: Map<string, unknown> }).decisions.size;
    assert.ok(size <= 3, `${size} addresses remembered`);
  });
});
