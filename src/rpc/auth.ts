/**
 * Credentials: opaque_auth and the AUTH_SYS body (RFC 5531 section 8.2, appendix A).
 */
import { XdrError, XdrReader } from '../xdr/reader.js';
import { XdrWriter } from '../xdr/writer.js';
import { AuthFlavor, MAX_AUTH_BYTES, MAX_AUTH_SYS_GIDS, MAX_MACHINE_NAME } from './constants.js';

export interface OpaqueAuth {
  flavor: number;
  body: Buffer;
}

export const AUTH_NONE: OpaqueAuth = Object.freeze({ flavor: AuthFlavor.AUTH_NONE, body: Buffer.alloc(0) });

export interface AuthSys {
  stamp: number;
  machineName: string;
  uid: number;
  gid: number;
  gids: number[];
}

export function readOpaqueAuth(r: XdrReader): OpaqueAuth {
  const flavor = r.u32();
  return { flavor, body: r.opaque(MAX_AUTH_BYTES) };
}

export function writeOpaqueAuth(w: XdrWriter, a: OpaqueAuth): void {
  w.u32(a.flavor).opaque(a.body);
}

/** Decodes an AUTH_SYS body; the whole body must be consumed (a short or long body is AUTH_BADCRED). */
export function decodeAuthSys(body: Buffer): AuthSys {
  const r = new XdrReader(body);
  const cred: AuthSys = {
    stamp: r.u32(),
    machineName: r.string(MAX_MACHINE_NAME),
    uid: r.u32(),
    gid: r.u32(),
    gids: r.array(MAX_AUTH_SYS_GIDS, (x) => x.u32()),
  };
  if (r.remaining !== 0) throw new XdrError(`AUTH_SYS body has ${r.remaining} trailing bytes`);
  return cred;
}

export function encodeAuthSys(cred: AuthSys): OpaqueAuth {
  const w = new XdrWriter(64);
  w.u32(cred.stamp).string(cred.machineName).u32(cred.uid).u32(cred.gid);
  w.array(cred.gids, (x, g) => x.u32(g));
  return { flavor: AuthFlavor.AUTH_SYS, body: w.toBuffer() };
}
