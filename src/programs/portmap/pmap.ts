/** Port mapper version 2 procedures (RFC 1833 section 3). */
import {
  PMAPPROC_DUMP,
  PMAPPROC_GETPORT,
  PMAPPROC_SET,
  PMAPPROC_UNSET,
  type Mapping,
} from '../../proto/portmap/pmap.js';
import { nullProcedure, type Procedure } from '../program.js';
import { isLoopback } from './address.js';
import type { PortmapRegistry } from './registry.js';

export function pmapProcedures(registry: PortmapRegistry): Procedure[] {
  const set: Procedure<Mapping, boolean> = {
    codec: PMAPPROC_SET,
    // v2 carries no owner; rpcbind records such registrations as "unknown".
    handle: (m, ctx) => isLoopback(ctx.remote.address) && registry.set(m, 'unknown'),
  };
  const unset: Procedure<Mapping, boolean> = {
    codec: PMAPPROC_UNSET,
    handle: (m, ctx) => isLoopback(ctx.remote.address) && registry.unset(m.prog, m.vers),
  };
  const getport: Procedure<Mapping, number> = {
    codec: PMAPPROC_GETPORT,
    handle: (m) => registry.getport(m.prog, m.vers, m.prot),
  };
  const dump: Procedure<void, Mapping[]> = { codec: PMAPPROC_DUMP, handle: () => registry.dump() };
  return [nullProcedure, set, unset, getport, dump];
}
