/**
 * Network Status Monitor client (sm_inter.x, program 100024 version 1):
 * how a lock manager talks to its local statd, and how statd tells peers
 * of a reboot (SM_NOTIFY). Results come back as decoded, status included.
 */
import {
  SM_MON,
  SM_NOTIFY,
  SM_PROGRAM,
  SM_SIMU_CRASH,
  SM_STAT,
  SM_UNMON,
  SM_UNMON_ALL,
  SM_V1,
  type Mon,
  type MonId,
  type MyId,
  type SmStatRes,
  type StatChange,
} from '../proto/nsm/index.js';
import { connectTransport, ProgramClient, type ConnectOptions } from './program-client.js';
import type { CallOptions, RpcTransport } from './rpc-base.js';

export class NsmClient extends ProgramClient {
  constructor(transport: RpcTransport, defaults?: CallOptions) {
    super(transport, SM_PROGRAM, SM_V1, defaults);
  }

  static async connect(opts: ConnectOptions): Promise<NsmClient> {
    return new NsmClient(await connectTransport(opts));
  }

  /** Could `monName` be monitored? (res), and the monitor's state number. */
  stat(monName: string, opts?: CallOptions): Promise<SmStatRes> {
    return this.call(SM_STAT, monName, opts);
  }

  mon(args: Mon, opts?: CallOptions): Promise<SmStatRes> {
    return this.call(SM_MON, args, opts);
  }

  /** Resolves to the monitor's state number. */
  unmon(args: MonId, opts?: CallOptions): Promise<number> {
    return this.call(SM_UNMON, args, opts);
  }

  /** Resolves to the monitor's state number. */
  unmonAll(args: MyId, opts?: CallOptions): Promise<number> {
    return this.call(SM_UNMON_ALL, args, opts);
  }

  simuCrash(opts?: CallOptions): Promise<void> {
    return this.call(SM_SIMU_CRASH, undefined, opts);
  }

  notify(args: StatChange, opts?: CallOptions): Promise<void> {
    return this.call(SM_NOTIFY, args, opts);
  }
}
