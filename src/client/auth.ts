/** Credentials a client sends: AUTH_SYS built from the process by default. */
import os from 'node:os';
import { encodeAuthSys, type OpaqueAuth } from '../rpc/auth.js';
import { MAX_AUTH_SYS_GIDS, MAX_MACHINE_NAME } from '../rpc/constants.js';

export interface AuthSysOptions {
  uid: number;
  gid: number;
  gids?: readonly number[];
  /** Defaults to os.hostname(). */
  machineName?: string;
  stamp?: number;
}

/** An AUTH_SYS credential; extra groups beyond the protocol's 16 are dropped, like the kernel client does. */
export function authSys(o: AuthSysOptions): OpaqueAuth {
  return encodeAuthSys({
    stamp: (o.stamp ?? Math.floor(Date.now() / 1000)) >>> 0,
    machineName: truncateUtf8(o.machineName ?? os.hostname(), MAX_MACHINE_NAME),
    uid: o.uid,
    gid: o.gid,
    gids: (o.gids ?? []).slice(0, MAX_AUTH_SYS_GIDS),
  });
}

/** AUTH_SYS for this process's uid, gid and supplementary groups (0 where the platform has no ids). */
export function processAuth(): OpaqueAuth {
  const gid = process.getgid?.() ?? 0;
  const groups = process.getgroups?.() ?? [];
  return authSys({ uid: process.getuid?.() ?? 0, gid, gids: groups.filter((g) => g !== gid) });
}

function truncateUtf8(s: string, max: number): string {
  const b = Buffer.from(s, 'utf8');
  return b.length <= max ? s : b.subarray(0, max).toString('utf8').replace(/\uFFFD+$/, '');
}
