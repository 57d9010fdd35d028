/**
 * The port mapper's table: which (program, version, netid) listens on which
 * port. One table serves port mapper v2 (protocol numbers, ports) and
 * rpcbind v3/v4 (netids, universal addresses), as in rpcbind.
 */
import { IPPROTO_TCP, IPPROTO_UDP } from '../../proto/portmap/constants.js';
import type { Mapping } from '../../proto/portmap/pmap.js';

export interface Registration {
  prog: number;
  vers: number;
  /** "tcp", "udp", "tcp6" or "udp6". */
  netid: string;
  port: number;
  /**
   * The address the service listens on; undefined for a wildcard listener,
   * which answers on whatever address the caller reached us at.
   */
  host?: string;
  owner: string;
}

const NETID_OF_PROT: ReadonlyMap<number, string> = new Map([
  [IPPROTO_TCP, 'tcp'],
  [IPPROTO_UDP, 'udp'],
]);
const PROT_OF_NETID: ReadonlyMap<string, number> = new Map([...NETID_OF_PROT].map(([p, n]) => [n, p]));
/** Only IP transports are served: local (AF_UNIX) registrations belong to the system's rpcbind. */
const NETIDS: ReadonlySet<string> = new Set(['tcp', 'udp', 'tcp6', 'udp6']);

const key = (prog: number, vers: number, netid: string): string => `${prog}/${vers}/${netid}`;

export class PortmapRegistry {
  private readonly regs = new Map<string, Registration>();

  /**
   * Adds a registration. As rpcbind, refuses (false) to replace one of the
   * same (prog, vers, netid) with another address: the owner must unset
   * first. Registering the same address again succeeds.
   */
  register(reg: Registration): boolean {
    if (!NETIDS.has(reg.netid) || !Number.isInteger(reg.port) || reg.port <= 0 || reg.port > 0xffff) return false;
    const k = key(reg.prog, reg.vers, reg.netid);
    const old = this.regs.get(k);
    if (old) return old.port === reg.port && old.host === reg.host;
    this.regs.set(k, { ...reg });
    return true;
  }

  /** Removes (prog, vers) on `netid`, or on every netid when it is omitted or empty. True when anything was removed. */
  unregister(prog: number, vers: number, netid?: string): boolean {
    if (netid) return this.regs.delete(key(prog, vers, netid));
    let removed = false;
    for (const n of NETIDS) removed = this.regs.delete(key(prog, vers, n)) || removed;
    return removed;
  }

  /**
   * The registration that answers a lookup. Unless `exactVersion`, another
   * version of the program on the same netid answers too, as in portmap and
   * rpcbind: the client then learns the versions served from PROG_MISMATCH.
   * An IPv6 netid falls back to a wildcard registration of its IPv4 netid,
   * since a wildcard listener on a dual-stack socket takes both.
   */
  find(prog: number, vers: number, netid: string, exactVersion: boolean): Registration | undefined {
    const hit = this.findOn(prog, vers, netid, exactVersion);
    if (hit || !netid.endsWith('6')) return hit;
    const v4 = this.findOn(prog, vers, netid.slice(0, -1), exactVersion);
    return v4 && v4.host === undefined ? v4 : undefined;
  }

  private findOn(prog: number, vers: number, netid: string, exactVersion: boolean): Registration | undefined {
    const exact = this.regs.get(key(prog, vers, netid));
    if (exact || exactVersion) return exact;
    for (const r of this.regs.values()) if (r.prog === prog && r.netid === netid) return r;
    return undefined;
  }

  registrations(): Registration[] {
    return [...this.regs.values()].map((r) => ({ ...r }));
  }

  /** Port mapper v2 SET: a wildcard registration of a TCP or UDP port. */
  set(m: Mapping, owner = 'superuser'): boolean {
    const netid = NETID_OF_PROT.get(m.prot);
    return netid !== undefined && this.register({ prog: m.prog, vers: m.vers, netid, port: m.port, owner });
  }

  /** Port mapper v2 UNSET: every protocol of (prog, vers). */
  unset(prog: number, vers: number): boolean {
    return this.unregister(prog, vers);
  }

  /** Port mapper v2 GETPORT: the port, 0 when nothing answers. */
  getport(prog: number, vers: number, prot: number): number {
    const netid = NETID_OF_PROT.get(prot);
    return (netid !== undefined && this.find(prog, vers, netid, false)?.port) || 0;
  }

  /** Port mapper v2 DUMP: the IPv4 TCP and UDP registrations (v2 cannot express the others). */
  dump(): Mapping[] {
    const out: Mapping[] = [];
    for (const r of this.regs.values()) {
      const prot = PROT_OF_NETID.get(r.netid);
      if (prot !== undefined) out.push({ prog: r.prog, vers: r.vers, prot, port: r.port });
    }
    return out;
  }
}
