/**
 * Network Lock Manager client (RFC 1813 section 6; XNFS for versions 1
 * and 3). Every method returns the decoded reply: a lock manager answers
 * refusals (DENIED, BLOCKED, DENIED_GRACE_PERIOD...) in its `stat`, and the
 * caller decides what each means, so nothing here throws on them.
 */
import {
  NLM_PROGRAM,
  NLM_V1,
  NLM_V3,
  NLM_V3_CODECS,
  NLM_V4,
  NLM4_CODECS,
  type NlmCancelArgs,
  type NlmLockArgs,
  type NlmNotify,
  type NlmRes,
  type NlmShareArgs,
  type NlmShareRes,
  type NlmTestArgs,
  type NlmTestRes,
  type NlmUnlockArgs,
  type NlmV3Codecs,
} from '../proto/nlm/index.js';
import type { ProcedureCodec } from '../proto/procedure.js';
import { connectTransport, ProgramClient, type ConnectOptions } from './program-client.js';
import type { CallOptions, RpcTransport } from './rpc-base.js';

export type NlmVersion = typeof NLM_V1 | typeof NLM_V3 | typeof NLM_V4;

/** The asynchronous procedures: a _MSG call, or a _RES callback carrying a result. */
export type NlmMessageName =
  | 'TEST_MSG'
  | 'LOCK_MSG'
  | 'CANCEL_MSG'
  | 'UNLOCK_MSG'
  | 'GRANTED_MSG'
  | 'TEST_RES'
  | 'LOCK_RES'
  | 'CANCEL_RES'
  | 'UNLOCK_RES'
  | 'GRANTED_RES';

type ArgsOf<C> = C extends ProcedureCodec<infer A, void> ? A : never;

export interface NlmConnectOptions extends ConnectOptions {
  /** Default 4. */
  version?: NlmVersion;
}

export class NlmClient extends ProgramClient {
  /**
   * The codecs of this version's wire dialect. Version 1 uses version 3's
   * (the same encoding): SHARE, UNSHARE, NM_LOCK and FREE_ALL are sent
   * anyway, and a version 1 server answers PROC_UNAVAIL.
   */
  readonly codecs: Readonly<NlmV3Codecs>;

  constructor(transport: RpcTransport, version: NlmVersion = NLM_V4, defaults?: CallOptions) {
    super(transport, NLM_PROGRAM, version, defaults);
    this.codecs = version === NLM_V4 ? NLM4_CODECS : NLM_V3_CODECS;
  }

  static async connect(opts: NlmConnectOptions): Promise<NlmClient> {
    return new NlmClient(await connectTransport(opts), opts.version);
  }

  test(args: NlmTestArgs, opts?: CallOptions): Promise<NlmTestRes> {
    return this.call(this.codecs.TEST, args, opts);
  }

  lock(args: NlmLockArgs, opts?: CallOptions): Promise<NlmRes> {
    return this.call(this.codecs.LOCK, args, opts);
  }

  cancel(args: NlmCancelArgs, opts?: CallOptions): Promise<NlmRes> {
    return this.call(this.codecs.CANCEL, args, opts);
  }

  unlock(args: NlmUnlockArgs, opts?: CallOptions): Promise<NlmRes> {
    return this.call(this.codecs.UNLOCK, args, opts);
  }

  /** The server-to-client callback for a blocked lock now granted. */
  granted(args: NlmTestArgs, opts?: CallOptions): Promise<NlmRes> {
    return this.call(this.codecs.GRANTED, args, opts);
  }

  share(args: NlmShareArgs, opts?: CallOptions): Promise<NlmShareRes> {
    return this.call(this.codecs.SHARE, args, opts);
  }

  unshare(args: NlmShareArgs, opts?: CallOptions): Promise<NlmShareRes> {
    return this.call(this.codecs.UNSHARE, args, opts);
  }

  nmLock(args: NlmLockArgs, opts?: CallOptions): Promise<NlmRes> {
    return this.call(this.codecs.NM_LOCK, args, opts);
  }

  freeAll(args: NlmNotify, opts?: CallOptions): Promise<void> {
    return this.call(this.codecs.FREE_ALL, args, opts);
  }

  /**
   * Sends an asynchronous procedure, e.g. `message('LOCK_MSG', args)` or
   * `message('LOCK_RES', res)`, resolving on its (void) RPC reply. The
   * answer to a _MSG comes later as a _RES call to the sender's own lock
   * manager, not here.
   */
  message<K extends NlmMessageName>(name: K, args: ArgsOf<NlmV3Codecs[K]>, opts?: CallOptions): Promise<void> {
    return this.call(this.codecs[name] as ProcedureCodec<ArgsOf<NlmV3Codecs[K]>, void>, args, opts);
  }
}
