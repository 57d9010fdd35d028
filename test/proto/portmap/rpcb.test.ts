import { describe } from 'node:test';
import fc from 'fast-check';
import {
  RPCBPROC_DUMP,
  RPCBPROC_GETADDR,
  RPCBPROC_GETTIME,
  RPCBPROC_GETVERSADDR,
  RPCBPROC_SET,
  RPCBPROC_UNSET,
  type Rpcb,
} from '../../../src/proto/portmap/rpcb.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { u32 } from '../../helpers/nfs3-arbitraries.js';

/** What Linux mount.nfs sends: netid of the transport, empty address and owner. */
const QUERY: Rpcb = { prog: 100005, vers: 3, netid: 'tcp', addr: '', owner: '' };
const QUERY_HEX = `
  000186a5  // prog 100005
  00000003  // vers 3
  00000003 74637000  // netid "tcp"
  00000000  // addr ""
  00000000  // owner ""
`;

const REG: Rpcb = { prog: 100003, vers: 3, netid: 'tcp6', addr: '::1.8.1', owner: 'superuser' };
const REG_HEX = `
  000186a3  // prog 100003
  00000003  // vers 3
  00000004 74637036  // netid "tcp6"
  00000007 3a3a312e 382e3100  // addr "::1.8.1"
  00000009 73757065 72757365 72000000  // owner "superuser"
`;

const str = fc.string({ maxLength: 40 });
const rpcb: fc.Arbitrary<Rpcb> = fc.record({ prog: u32, vers: u32, netid: str, addr: str, owner: str });

describe('RPCBPROC_GETADDR', () => {
  checkArgsFixture(RPCBPROC_GETADDR, 'mount.nfs query', hex(QUERY_HEX), QUERY);
  checkResultFixture(
    RPCBPROC_GETADDR,
    'universal address',
    hex`0000000d 3132372e 302e302e 312e382e 31000000 // "127.0.0.1.8.1", port 2049`,
    '127.0.0.1.8.1',
  );
  checkResultFixture(RPCBPROC_GETADDR, 'not registered', hex`00000000 // ""`, '');
  checkCodecProperties(RPCBPROC_GETADDR, rpcb, str);
});

describe('RPCBPROC_GETVERSADDR', () => {
  checkArgsFixture(RPCBPROC_GETVERSADDR, 'mount.nfs query', hex(QUERY_HEX), QUERY);
  checkCodecProperties(RPCBPROC_GETVERSADDR, rpcb, str);
});

describe('RPCBPROC_SET', () => {
  checkArgsFixture(RPCBPROC_SET, 'ipv6 registration', hex(REG_HEX), REG);
  checkResultFixture(RPCBPROC_SET, 'true', hex`00000001`, true);
  checkCodecProperties(RPCBPROC_SET, rpcb, fc.boolean());
});

describe('RPCBPROC_UNSET', () => {
  checkArgsFixture(RPCBPROC_UNSET, 'ipv6 registration', hex(REG_HEX), REG);
  checkCodecProperties(RPCBPROC_UNSET, rpcb, fc.boolean());
});

describe('RPCBPROC_DUMP', () => {
  checkResultFixture(
    RPCBPROC_DUMP,
    'two entries',
    hex(`
      00000001  // value follows
      ${REG_HEX}
      00000001  // next follows
      ${QUERY_HEX}
      00000000  // end of list
    `),
    [REG, QUERY],
  );
  checkCodecProperties(RPCBPROC_DUMP, fc.constant(undefined), fc.array(rpcb, { maxLength: 4 }));
});

describe('RPCBPROC_GETTIME', () => {
  checkResultFixture(RPCBPROC_GETTIME, '2024-01-01', hex`65920080 // 1704067200`, 1704067200);
  checkCodecProperties(RPCBPROC_GETTIME, fc.constant(undefined), u32);
});
