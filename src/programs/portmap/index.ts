/**
 * The port mapper program (100000): port mapper v2 and rpcbind v3 and v4
 * over one registry. Only loopback callers may change the registry, as
 * rpcbind allows.
 */
import { PMAP_PROGRAM, PMAP_V2, RPCB_V3, RPCB_V4 } from '../../proto/portmap/constants.js';
import { procedureTable, program, type Program } from '../program.js';
import { defaultLocalAddress } from './address.js';
import { pmapProcedures } from './pmap.js';
import type { PortmapRegistry } from './registry.js';
import { rpcbProcedures, type LocalAddress } from './rpcb.js';

export { PortmapRegistry, type Registration } from './registry.js';

export interface PortmapOptions {
  /**
   * Our address as the caller should use it, for registrations made on a
   * wildcard address (all of ours, from set()). The dispatcher knows only the
   * caller's address, so a server bound to one address should return it here.
   * Defaults to the interface on the caller's subnet, else loopback.
   */
  localAddress?: LocalAddress;
}

export function createPortmapProgram(registry: PortmapRegistry, opts: PortmapOptions = {}): Program {
  const local = opts.localAddress ?? defaultLocalAddress;
  return program(PMAP_PROGRAM, 'portmapper', [
    procedureTable(PMAP_V2, pmapProcedures(registry)),
    procedureTable(RPCB_V3, rpcbProcedures(registry, local, false)),
    procedureTable(RPCB_V4, rpcbProcedures(registry, local, true)),
  ]);
}
