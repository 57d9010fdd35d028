/** Port mapper v2 and rpcbind v3/v4 constants (RFC 1833). */

export const PMAP_PROGRAM = 100000;
export const PMAP_PORT = 111;
export const PMAP_V2 = 2;
export const RPCB_V3 = 3;
export const RPCB_V4 = 4;

export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** Procedure numbers of port mapper v2 (RFC 1833 section 3.1). CALLIT (5) is not served. */
export enum PmapProc {
  NULL = 0,
  SET = 1,
  UNSET = 2,
  GETPORT = 3,
  DUMP = 4,
}

/**
 * Procedure numbers of rpcbind v3 and v4 (RFC 1833 section 2.1). The ones
 * missing here (CALLIT/BCAST, UADDR2TADDR, TADDR2UADDR, INDIRECT,
 * GETADDRLIST, GETSTAT) are not served: clients get PROC_UNAVAIL.
 */
export enum RpcbProc {
  NULL = 0,
  SET = 1,
  UNSET = 2,
  GETADDR = 3,
  DUMP = 4,
  GETTIME = 6,
  /** Version 4 only. */
  GETVERSADDR = 9,
}

/**
 * The RFC leaves rpcb strings unbounded; decoding needs a cap. Real netids,
 * universal addresses (at most 53 characters for IPv6) and owners (a uid or
 * "superuser") are far shorter, and a local socket path fits too.
 */
export const RPCB_MAX_STRING = 1024;
