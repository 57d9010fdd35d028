/** A client bound to one program version over any RPC transport. */
import { NULL_CODEC, type ProcedureCodec } from '../proto/procedure.js';
import type { CallOptions, RpcTransport } from './rpc-base.js';
import { RpcClient, type RpcClientOptions } from './rpc-client.js';
import { RpcUdpClient, type RpcUdpClientOptions } from './rpc-udp-client.js';

export class ProgramClient {
  constructor(
    readonly transport: RpcTransport,
    readonly prog: number,
    readonly vers: number,
    /** Defaults for every call of this client (credential, timeout). */
    protected readonly defaults: CallOptions = {},
  ) {}

  /** A raw call: the decoded result, whatever its status. */
  call<A, R>(codec: ProcedureCodec<A, R>, args: A, opts?: CallOptions): Promise<R> {
    return this.transport.call(this.prog, this.vers, codec, args, opts ? { ...this.defaults, ...opts } : this.defaults);
  }

  /** Procedure 0: checks that the server runs this program version. */
  null(opts?: CallOptions): Promise<void> {
    return this.call(NULL_CODEC, undefined, opts);
  }

  /** Closes the underlying transport (shared transports are closed for every client on them). */
  close(): Promise<void> {
    return this.transport.close();
  }
}

export interface ConnectOptions extends RpcClientOptions, Omit<RpcUdpClientOptions, keyof RpcClientOptions> {
  /** Default TCP. */
  transport?: 'tcp' | 'udp';
}

/** Opens a TCP or UDP transport, as asked. */
export async function connectTransport(opts: ConnectOptions): Promise<RpcTransport> {
  return opts.transport === 'udp' ? RpcUdpClient.connect(opts) : RpcClient.connect(opts);
}
