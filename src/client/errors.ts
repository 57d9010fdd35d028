/**
 * Errors a client call can end with, besides the procedure's own status
 * (which is a result, not an error, at the RPC layer).
 */
import { AcceptStat, AuthStat } from '../rpc/constants.js';

export type RpcErrorKind =
  | 'PROG_UNAVAIL'
  | 'PROG_MISMATCH'
  | 'PROC_UNAVAIL'
  | 'GARBAGE_ARGS'
  | 'SYSTEM_ERR'
  | 'RPC_MISMATCH'
  | 'AUTH_ERROR';

const ACCEPT_KINDS: Record<number, RpcErrorKind> = {
  [AcceptStat.PROG_UNAVAIL]: 'PROG_UNAVAIL',
  [AcceptStat.PROG_MISMATCH]: 'PROG_MISMATCH',
  [AcceptStat.PROC_UNAVAIL]: 'PROC_UNAVAIL',
  [AcceptStat.GARBAGE_ARGS]: 'GARBAGE_ARGS',
  [AcceptStat.SYSTEM_ERR]: 'SYSTEM_ERR',
};

export function acceptErrorKind(stat: AcceptStat): RpcErrorKind {
  return ACCEPT_KINDS[stat] ?? 'SYSTEM_ERR';
}

const AUTH_STAT_NAMES: Record<number, string> = {
  [AuthStat.AUTH_OK]: 'AUTH_OK',
  [AuthStat.AUTH_BADCRED]: 'AUTH_BADCRED',
  [AuthStat.AUTH_REJECTEDCRED]: 'AUTH_REJECTEDCRED',
  [AuthStat.AUTH_BADVERF]: 'AUTH_BADVERF',
  [AuthStat.AUTH_REJECTEDVERF]: 'AUTH_REJECTEDVERF',
  [AuthStat.AUTH_TOOWEAK]: 'AUTH_TOOWEAK',
  [AuthStat.AUTH_INVALIDRESP]: 'AUTH_INVALIDRESP',
  [AuthStat.AUTH_FAILED]: 'AUTH_FAILED',
};

export function authStatName(stat: number): string {
  return AUTH_STAT_NAMES[stat] ?? `auth_stat ${stat}`;
}

export interface RpcErrorDetails {
  /** Supported range, for PROG_MISMATCH (program versions) and RPC_MISMATCH (RPC versions). */
  low?: number;
  high?: number;
  /** The auth_stat of an AUTH_ERROR. */
  authStat?: AuthStat;
}

/** The server answered the call but did not run the procedure (accept errors and rejections). */
export class RpcError extends Error {
  readonly low?: number;
  readonly high?: number;
  readonly authStat?: AuthStat;

  constructor(
    readonly kind: RpcErrorKind,
    /** What was called, e.g. "GETATTR (100003 v3)". */
    readonly call: string,
    details: RpcErrorDetails = {},
  ) {
    super(`${call}: ${kind}${describe(details)}`);
    this.name = 'RpcError';
    if (details.low !== undefined) this.low = details.low;
    if (details.high !== undefined) this.high = details.high;
    if (details.authStat !== undefined) this.authStat = details.authStat;
  }
}

function describe(d: RpcErrorDetails): string {
  if (d.authStat !== undefined) return ` (${authStatName(d.authStat)})`;
  if (d.low !== undefined) return ` (supported ${d.low}..${d.high})`;
  return '';
}

/** No reply within the call's time limit; its xid is forgotten, so a late reply is dropped. */
export class RpcTimeoutError extends Error {
  constructor(
    readonly call: string,
    readonly timeoutMs: number,
  ) {
    super(`${call}: no reply within ${timeoutMs} ms`);
    this.name = 'RpcTimeoutError';
  }
}

/** The transport failed or was closed with the call still pending (or before it was made). */
export class RpcConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RpcConnectionError';
  }
}
