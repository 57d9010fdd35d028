/** MNT (RFC 1813 appendix I; version 1, RFC 1094 appendix A). */
import { AuthFlavor } from '../../rpc/constants.js';
import { FHSIZE, MountStat3 } from '../../proto/mount/constants.js';
import { MOUNTPROC3_MNT, type MountRes3 } from '../../proto/mount/v3.js';
import { MOUNTPROC_MNT, type FhStatus } from '../../proto/mount/v1.js';
import type { Procedure } from '../program.js';
import type { MountService } from './service.js';

/**
 * Only AUTH_SYS is offered: it is the only flavor that carries the
 * identity the backend checks permissions with (AUTH_NONE callers are
 * squashed to anonymous anyway), and Linux refuses a mount whose list has
 * no flavor it can use.
 */
const AUTH_FLAVORS: readonly number[] = [AuthFlavor.AUTH_SYS];

export function mnt3(svc: MountService): Procedure<string, MountRes3> {
  return {
    codec: MOUNTPROC3_MNT,
    async handle(dirpath, ctx) {
      const res = await svc.mount(dirpath, ctx);
      return res.status === MountStat3.OK
        ? { status: res.status, fhandle: res.fhandle, authFlavors: [...AUTH_FLAVORS] }
        : res;
    },
  };
}

/**
 * Version 1 handles are a fixed 32 bytes: ours are shorter for small
 * backend handles (ext4's 8 bytes give 24) and are padded with zeros; a
 * longer one cannot be expressed. Statuses are errnos in version 1, so the
 * two mountstat3 values that are not map to EIO. The handle is of use only to
 * NFSv2, which this server does not serve: version 1 matters for showmount.
 */
export function mnt1(svc: MountService): Procedure<string, FhStatus> {
  return {
    codec: MOUNTPROC_MNT,
    async handle(dirpath, ctx) {
      const res = await svc.mount(dirpath, ctx);
      if (res.status !== MountStat3.OK) {
        const errnoOnly = res.status === MountStat3.NOTSUPP || res.status === MountStat3.SERVERFAULT;
        return { status: errnoOnly ? MountStat3.IO : res.status };
      }
      if (res.fhandle.length > FHSIZE) {
        svc.env.log.warn('MOUNT v1 refused: handle longer than 32 bytes', { dirpath, length: res.fhandle.length });
        return { status: MountStat3.IO };
      }
      const fhandle = Buffer.alloc(FHSIZE);
      res.fhandle.copy(fhandle);
      return { status: res.status, fhandle };
    },
  };
}
