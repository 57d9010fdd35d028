/**
 * The MOUNT program (100005), versions 1 and 3. The versions differ only in
 * MNT's result; the other procedures are the same objects in both tables.
 */
import { MOUNT_PROGRAM, MOUNT_V1, MOUNT_V3 } from '../../proto/mount/constants.js';
import type { ServerEnv } from '../../server/env.js';
import type { MountList } from '../../server/mount-list.js';
import { nullProcedure, procedureTable, program, type Program } from '../program.js';
import { dump } from './dump.js';
import { exportProc } from './export.js';
import { mnt1, mnt3 } from './mnt.js';
import { MountService, type MountHooks } from './service.js';
import { umnt } from './umnt.js';
import { umntall } from './umntall.js';

export type { MountHooks } from './service.js';

export function createMountProgram(env: ServerEnv, mounts: MountList, hooks: MountHooks = {}): Program {
  const svc = new MountService(env, mounts, hooks);
  const shared = [nullProcedure, dump(svc), umnt(svc), umntall(svc), exportProc(svc)];
  return program(MOUNT_PROGRAM, 'mountd', [
    procedureTable(MOUNT_V1, [...shared, mnt1(svc)]),
    procedureTable(MOUNT_V3, [...shared, mnt3(svc)]),
  ]);
}
