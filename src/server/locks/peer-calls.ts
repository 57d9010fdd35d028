/**
 * Calls from the server to a client's own RPC services: NLM GRANTED and _RES
 * callbacks to its lock manager, SM_NOTIFY to its status monitor. The client's
 * portmapper says where the service listens, as rpc.statd and knfsd's lockd
 * find it. Every call is bounded in time and opens and closes its own
 * connection: callbacks are rare, and an unreachable client (crashed,
 * firewalled, behind NAT) must cost nothing but the timeout.
 */
import { connectTransport } from '../../client/program-client.js';
import { PortmapClient } from '../../client/portmap.js';
import { IPPROTO_TCP, IPPROTO_UDP, PMAP_PORT } from '../../proto/portmap/constants.js';
import type { ProcedureCodec } from '../../proto/procedure.js';

export interface PeerCallOptions {
  /** Where clients' portmappers listen (111; tests point it elsewhere). */
  portmapPort: number;
  /** Bound on each callback, portmapper lookup included. */
  timeoutMs: number;
}

export const DEFAULT_PEER_CALLS: PeerCallOptions = { portmapPort: PMAP_PORT, timeoutMs: 5000 };

export interface PeerService {
  address: string;
  prog: number;
  vers: number;
  transport: 'tcp' | 'udp';
}

export type PeerCall = <A, R>(to: PeerService, codec: ProcedureCodec<A, R>, args: A) => Promise<R>;

export function peerCaller(opts: PeerCallOptions = DEFAULT_PEER_CALLS): PeerCall {
  return async (to, codec, args) => {
    const deadline = Date.now() + opts.timeoutMs;
    const left = () => Math.max(1, deadline - Date.now());
    const common = { host: to.address, transport: to.transport, timeoutMs: left(), privilegedPort: true } as const;
    const port = await using(await PortmapClient.connect({ ...common, port: opts.portmapPort }), (pm) =>
      pm.getport(to.prog, to.vers, to.transport === 'udp' ? IPPROTO_UDP : IPPROTO_TCP, { timeoutMs: left() }),
    );
    if (port === 0) throw new Error(`${to.address} has no program ${to.prog} version ${to.vers} on ${to.transport}`);
    return using(await connectTransport({ ...common, port, timeoutMs: left() }), (t) =>
      t.call(to.prog, to.vers, codec, args, { timeoutMs: left() }),
    );
  };
}

async function using<T extends { close(): Promise<void> }, R>(client: T, fn: (c: T) => Promise<R>): Promise<R> {
  try {
    return await fn(client);
  } finally {
    await client.close().catch(() => {});
  }
}
