/** rpcbind version 3 and 4 procedures (RFC 1833 section 2). */
import {
  RPCBPROC_DUMP,
  RPCBPROC_GETADDR,
  RPCBPROC_GETTIME,
  RPCBPROC_GETVERSADDR,
  RPCBPROC_SET,
  RPCBPROC_UNSET,
  type Rpcb,
} from '../../proto/portmap/rpcb.js';
import { parseUniversalAddress, toUniversalAddress } from '../../proto/portmap/uaddr.js';
import type { ProcedureCodec } from '../../proto/procedure.js';
import { nullProcedure, type CallContext, type Procedure, type Remote } from '../program.js';
import { isLoopback, netidOf } from './address.js';
import type { PortmapRegistry, Registration } from './registry.js';

export type LocalAddress = (remote: Remote) => string;

const WILDCARDS: ReadonlySet<string> = new Set(['0.0.0.0', '::']);

export function rpcbProcedures(registry: PortmapRegistry, localAddress: LocalAddress, v4: boolean): Procedure[] {
  const uaddrOf = (reg: Registration, remote: Remote): string =>
    toUniversalAddress(reg.host ?? localAddress(remote), reg.port);

  // rpcbind answers "" for a program it does not know.
  const lookup = (codec: ProcedureCodec<Rpcb, string>, exactVersion: boolean): Procedure<Rpcb, string> => ({
    codec,
    handle(b: Rpcb, ctx: CallContext): string {
      const reg = registry.find(b.prog, b.vers, b.netid || netidOf(ctx.remote), exactVersion);
      return reg ? uaddrOf(reg, ctx.remote) : '';
    },
  });

  const set: Procedure<Rpcb, boolean> = {
    codec: RPCBPROC_SET,
    handle(b, ctx) {
      const at = parseUniversalAddress(b.addr);
      if (!at || !isLoopback(ctx.remote.address)) return false;
      const host = WILDCARDS.has(at.host) ? undefined : at.host;
      return registry.register({ prog: b.prog, vers: b.vers, netid: b.netid, port: at.port, host, owner: b.owner });
    },
  };
  const unset: Procedure<Rpcb, boolean> = {
    codec: RPCBPROC_UNSET,
    handle: (b, ctx) => isLoopback(ctx.remote.address) && registry.unregister(b.prog, b.vers, b.netid),
  };
  const dump: Procedure<void, Rpcb[]> = {
    codec: RPCBPROC_DUMP,
    handle: (_args, ctx) =>
      registry.registrations().map((r) => ({
        prog: r.prog,
        vers: r.vers,
        netid: r.netid,
        addr: uaddrOf(r, ctx.remote),
        owner: r.owner,
      })),
  };
  const gettime: Procedure<void, number> = {
    codec: RPCBPROC_GETTIME,
    handle: () => Math.floor(Date.now() / 1000) >>> 0,
  };
  const procedures: Procedure[] = [nullProcedure, set, unset, lookup(RPCBPROC_GETADDR, false), dump, gettime];
  if (v4) procedures.push(lookup(RPCBPROC_GETVERSADDR, true));
  return procedures;
}
