/**
 * Universal addresses for TCP and UDP over IPv4 and IPv6 (RFC 5665 section
 * 5.2.3): the host's usual text form followed by the port as two decimal
 * octets, e.g. "127.0.0.1.8.1" or "::1.8.1" for port 2049.
 */
import { isIP } from 'node:net';

export interface HostPort {
  host: string;
  port: number;
}

export function toUniversalAddress(host: string, port: number): string {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new RangeError(`bad port ${port}`);
  return `${host}.${port >> 8}.${port & 0xff}`;
}

const OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** undefined for anything that is not an IP universal address (a local socket path, garbage). */
export function parseUniversalAddress(uaddr: string): HostPort | undefined {
  const lo = uaddr.lastIndexOf('.');
  const hi = uaddr.lastIndexOf('.', lo - 1);
  if (hi <= 0) return undefined;
  const hiText = uaddr.slice(hi + 1, lo);
  const loText = uaddr.slice(lo + 1);
  if (!OCTET.test(hiText) || !OCTET.test(loText)) return undefined;
  const p1 = Number(hiText);
  const p2 = Number(loText);
  if (p1 > 255 || p2 > 255) return undefined;
  const host = uaddr.slice(0, hi);
  return isIP(host) === 0 ? undefined : { host, port: (p1 << 8) | p2 };
}
