import { describe } from 'node:test';
import fc from 'fast-check';
import {
  PMAPPROC_DUMP,
  PMAPPROC_GETPORT,
  PMAPPROC_NULL,
  PMAPPROC_SET,
  PMAPPROC_UNSET,
  type Mapping,
} from '../../../src/proto/portmap/pmap.js';
import { checkArgsFixture, checkCodecProperties, checkResultFixture, hex } from '../../helpers/codec-properties.js';
import { u32 } from '../../helpers/nfs3-arbitraries.js';

const NFS_TCP: Mapping = { prog: 100003, vers: 3, prot: 6, port: 2049 };
const NFS_TCP_HEX = `
  000186a3  // prog 100003
  00000003  // vers 3
  00000006  // prot IPPROTO_TCP
  00000801  // port 2049
`;
const MOUNT_UDP: Mapping = { prog: 100005, vers: 3, prot: 17, port: 20048 };

const mapping: fc.Arbitrary<Mapping> = fc.record({ prog: u32, vers: u32, prot: u32, port: u32 });

describe('PMAPPROC_SET', () => {
  checkArgsFixture(PMAPPROC_SET, 'nfs tcp', hex(NFS_TCP_HEX), NFS_TCP);
  checkResultFixture(PMAPPROC_SET, 'true', hex`00000001 // TRUE`, true);
  checkResultFixture(PMAPPROC_SET, 'false', hex`00000000 // FALSE`, false);
  checkCodecProperties(PMAPPROC_SET, mapping, fc.boolean());
});

describe('PMAPPROC_UNSET', () => {
  checkArgsFixture(PMAPPROC_UNSET, 'nfs tcp', hex(NFS_TCP_HEX), NFS_TCP);
  checkCodecProperties(PMAPPROC_UNSET, mapping, fc.boolean());
});

describe('PMAPPROC_GETPORT', () => {
  checkArgsFixture(PMAPPROC_GETPORT, 'nfs tcp', hex(NFS_TCP_HEX), NFS_TCP);
  checkResultFixture(PMAPPROC_GETPORT, 'port 2049', hex`00000801`, 2049);
  checkResultFixture(PMAPPROC_GETPORT, 'not registered', hex`00000000`, 0);
  checkCodecProperties(PMAPPROC_GETPORT, mapping, u32);
});

describe('PMAPPROC_DUMP', () => {
  checkArgsFixture(PMAPPROC_DUMP, 'void', hex``, undefined);
  checkResultFixture(
    PMAPPROC_DUMP,
    'two mappings',
    hex(`
      00000001  // value follows
      ${NFS_TCP_HEX}
      00000001  // next follows
      000186a5  // prog 100005
      00000003  // vers 3
      00000011  // prot IPPROTO_UDP
      00004e50  // port 20048
      00000000  // end of list
    `),
    [NFS_TCP, MOUNT_UDP],
  );
  checkResultFixture(PMAPPROC_DUMP, 'empty', hex`00000000 // no entries`, []);
  checkCodecProperties(PMAPPROC_DUMP, fc.constant(undefined), fc.array(mapping, { maxLength: 5 }));
});

describe('PMAPPROC_NULL', () => {
  checkArgsFixture(PMAPPROC_NULL, 'void', hex``, undefined);
  checkResultFixture(PMAPPROC_NULL, 'void', hex``, undefined);
});
