/**
 * Network Status Monitor constants (sm_inter.x; XNFS chapter 11). Lock
 * managers ask their local statd to watch peers (SM_MON) and statd tells
 * peers when this host reboots (SM_NOTIFY).
 */

export const SM_PROGRAM = 100024;
export const SM_V1 = 1;

/** Bound of every host name (mon_name, my_name). */
export const SM_MAXSTRLEN = 1024;
/** Size of the fixed opaque `priv` the monitor hands back in its callback. */
export const SM_PRIV_SIZE = 16;

export enum SmProc {
  NULL = 0,
  STAT = 1,
  MON = 2,
  UNMON = 3,
  UNMON_ALL = 4,
  SIMU_CRASH = 5,
  NOTIFY = 6,
}

/** res: stat_succ / stat_fail. */
export enum SmRes {
  SUCC = 0,
  FAIL = 1,
}
