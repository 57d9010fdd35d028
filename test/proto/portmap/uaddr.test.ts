import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseUniversalAddress, toUniversalAddress } from '../../../src/proto/portmap/uaddr.js';

test('IPv4 universal address', () => {
  assert.equal(toUniversalAddress('127.0.0.1', 2049), '127.0.0.1.8.1');
  assert.deepEqual(parseUniversalAddress('127.0.0.1.8.1'), { host: '127.0.0.1', port: 2049 });
  assert.deepEqual(parseUniversalAddress('10.1.2.3.0.111'), { host: '10.1.2.3', port: 111 });
});

test('IPv6 universal address', () => {
  assert.equal(toUniversalAddress('::1', 20048), '::1.78.80');
  assert.deepEqual(parseUniversalAddress('::1.78.80'), { host: '::1', port: 20048 });
  assert.deepEqual(parseUniversalAddress('fe80::1:2.255.255'), { host: 'fe80::1:2', port: 65535 });
  assert.deepEqual(parseUniversalAddress('::ffff:1.2.3.4.0.1'), { host: '::ffff:1.2.3.4', port: 1 });
});

test('anything else is not an IP universal address', () => {
  const bad = ['', '127.0.0.1', '127.0.0.1.8', '127.0.0.1.256.1', '127.0.0.1.8.01', 'host.8.1', '.8.1'];
  bad.push('/run/rpcbind.sock');
  for (const uaddr of bad) {
    assert.equal(parseUniversalAddress(uaddr), undefined, uaddr);
  }
});

test('ports outside 0..65535 are refused', () => {
  assert.throws(() => toUniversalAddress('127.0.0.1', 65536), RangeError);
  assert.throws(() => toUniversalAddress('127.0.0.1', -1), RangeError);
});

test('round trip', () => {
  const host = fc.oneof(fc.ipV4(), fc.ipV6());
  fc.assert(
    fc.property(host, fc.integer({ min: 0, max: 65535 }), (h, port) => {
      assert.deepEqual(parseUniversalAddress(toUniversalAddress(h, port)), { host: h, port });
    }),
    { numRuns: 200 },
  );
});
