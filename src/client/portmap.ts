/** Port mapper version 2 (RFC 1833 section 3) over TCP or UDP. */
import {
  IPPROTO_TCP,
  PMAP_PORT,
  PMAP_PROGRAM,
  PMAP_V2,
  PMAPPROC_DUMP,
  PMAPPROC_GETPORT,
  PMAPPROC_SET,
  PMAPPROC_UNSET,
  type Mapping,
} from '../proto/portmap/index.js';
import { connectTransport, ProgramClient, type ConnectOptions } from './program-client.js';
import type { CallOptions, RpcTransport } from './rpc-base.js';

export type PortmapConnectOptions = Omit<ConnectOptions, 'port'> & {
  /** Default 111. */
  port?: number;
};

export class PortmapClient extends ProgramClient {
  constructor(transport: RpcTransport, defaults?: CallOptions) {
    super(transport, PMAP_PROGRAM, PMAP_V2, defaults);
  }

  static async connect(opts: PortmapConnectOptions): Promise<PortmapClient> {
    return new PortmapClient(await connectTransport({ ...opts, port: opts.port ?? PMAP_PORT }));
  }

  /** The port `prog`/`vers` listens on over `prot` (IPPROTO_TCP or IPPROTO_UDP); 0 when not registered. */
  getport(prog: number, vers: number, prot: number = IPPROTO_TCP, opts?: CallOptions): Promise<number> {
    return this.call(PMAPPROC_GETPORT, { prog, vers, prot, port: 0 }, opts);
  }

  /** Registers a mapping; false when the port mapper refused it (for instance, already registered). */
  set(mapping: Mapping, opts?: CallOptions): Promise<boolean> {
    return this.call(PMAPPROC_SET, mapping, opts);
  }

  /** Removes every mapping of mapping.prog/vers (prot and port are ignored by the protocol). */
  unset(mapping: Mapping, opts?: CallOptions): Promise<boolean> {
    return this.call(PMAPPROC_UNSET, mapping, opts);
  }

  dump(opts?: CallOptions): Promise<Mapping[]> {
    return this.call(PMAPPROC_DUMP, undefined, opts);
  }
}
