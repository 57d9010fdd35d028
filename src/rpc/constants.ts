/** ONC RPC v2 constants (RFC 5531 section 9). */

export const RPC_VERSION = 2;

export const enum MsgType {
  CALL = 0,
  REPLY = 1,
}

export const enum ReplyStat {
  MSG_ACCEPTED = 0,
  MSG_DENIED = 1,
}

export const enum AcceptStat {
  SUCCESS = 0,
  PROG_UNAVAIL = 1,
  PROG_MISMATCH = 2,
  PROC_UNAVAIL = 3,
  GARBAGE_ARGS = 4,
  SYSTEM_ERR = 5,
}

export const enum RejectStat {
  RPC_MISMATCH = 0,
  AUTH_ERROR = 1,
}

export const enum AuthStat {
  AUTH_OK = 0,
  AUTH_BADCRED = 1,
  AUTH_REJECTEDCRED = 2,
  AUTH_BADVERF = 3,
  AUTH_REJECTEDVERF = 4,
  AUTH_TOOWEAK = 5,
  AUTH_INVALIDRESP = 6,
  AUTH_FAILED = 7,
}

export const enum AuthFlavor {
  AUTH_NONE = 0,
  AUTH_SYS = 1,
  AUTH_SHORT = 2,
}

/** RFC 5531: the body of an opaque_auth is at most 400 bytes. */
export const MAX_AUTH_BYTES = 400;
/** RFC 5531 appendix A: AUTH_SYS machine names are at most 255 bytes, at most 16 groups. */
export const MAX_MACHINE_NAME = 255;
export const MAX_AUTH_SYS_GIDS = 16;
