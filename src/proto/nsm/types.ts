/** NSM argument and result types (sm_inter.x). */
import type { SmRes } from './constants.js';

/**
 * my_id: the RPC procedure statd calls back (with a `status`) when the
 * monitored host reboots. Declared `int`, carried as RPC program, version and
 * procedure numbers, which are unsigned in the call header.
 */
export interface MyId {
  myName: string;
  myProg: number;
  myVers: number;
  myProc: number;
}

/** mon_id: which host to watch, and whom to tell. */
export interface MonId {
  monName: string;
  myId: MyId;
}

/** mon: SM_MON's argument. */
export interface Mon {
  monId: MonId;
  /** Exactly SM_PRIV_SIZE bytes (fixed opaque), returned verbatim in the callback. */
  priv: Buffer;
}

/** sm_stat_res: whether statd will monitor, and this host's NSM state number. */
export interface SmStatRes {
  res: SmRes;
  state: number;
}

/** stat_chge: SM_NOTIFY's argument, the rebooted host and its new state. */
export interface StatChange {
  monName: string;
  state: number;
}

/** status: the argument of statd's callback to my_id's procedure. */
export interface SmStatus {
  monName: string;
  state: number;
  /** SM_MON's priv, exactly SM_PRIV_SIZE bytes. */
  priv: Buffer;
}
