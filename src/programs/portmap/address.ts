/** Caller addresses as the port mapper needs them: netids, loopback, and our own address towards a caller. */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Remote } from '../program.js';

const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** A dual-stack socket reports IPv4 callers as ::ffff:a.b.c.d; they are IPv4 callers. */
export function unmapAddress(address: string): string {
  return MAPPED_V4.exec(address)?.[1] ?? address;
}

export function isLoopback(address: string): boolean {
  const a = unmapAddress(address);
  return isIPv4(a) ? a.startsWith('127.') : a === '::1';
}

/** The netid of the transport a call came on: "tcp", "udp", "tcp6" or "udp6". */
export function netidOf(remote: Remote): string {
  return isIPv6(unmapAddress(remote.address)) ? `${remote.transport}6` : remote.transport;
}

/**
 * Our address as seen from `remote`, for registrations bound to a wildcard:
 * the address of the interface whose subnet holds the caller (what routing
 * would pick for a directly attached client), else loopback. libtirpc
 * clients (rpcinfo, showmount) connect to the host of the address we
 * return; the Linux kernel and mount.nfs use only its port.
 */
export function defaultLocalAddress(remote: Remote): string {
  const caller = unmapAddress(remote.address);
  const family = isIPv6(caller) ? 'ipv6' : 'ipv4';
  const loopback = family === 'ipv6' ? '::1' : '127.0.0.1';
  if (isLoopback(caller)) return loopback;
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.internal || a.family.toLowerCase() !== family || a.cidr === null) continue;
      const subnet = new BlockList();
      subnet.addSubnet(a.address, Number(a.cidr.slice(a.cidr.indexOf('/') + 1)), family);
      if (subnet.check(caller, family)) return a.address;
    }
  }
  return loopback;
}
