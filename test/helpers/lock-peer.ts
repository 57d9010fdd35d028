/**
 * Another host on the loopback (127.0.0.2 by default) with what a client
 * machine runs for locking: a portmapper, a lock manager that receives the
 * server's GRANTED and _RES calls, and a status monitor that receives its
 * SM_NOTIFY. Built from the project's own dispatcher and transports, so the
 * server's callbacks cross real sockets and real portmapper lookups.
 */
import { Dispatcher } from '../../src/net/dispatcher.js';
import { TcpTransport } from '../../src/net/tcp.js';
import { UdpTransport } from '../../src/net/udp.js';
import { NLM4_CODECS, NLM_V3_CODECS, type NlmV1Codecs } from '../../src/proto/nlm/codecs.js';
import { Nlm4Stat, NLM_PROGRAM, NLM_V3, NLM_V4 } from '../../src/proto/nlm/constants.js';
import type { NlmRes, NlmTestArgs, NlmTestRes } from '../../src/proto/nlm/types.js';
import { readSmStatus, SM_NOTIFY, writeSmStatus } from '../../src/proto/nsm/sm.js';
import { SM_PROGRAM, SM_V1 } from '../../src/proto/nsm/constants.js';
import type { SmStatus, StatChange } from '../../src/proto/nsm/types.js';
import { IPPROTO_TCP, IPPROTO_UDP } from '../../src/proto/portmap/constants.js';
import { createPortmapProgram, PortmapRegistry } from '../../src/programs/portmap/index.js';
import { nullProcedure, procedureTable, program, type Procedure, type Program } from '../../src/programs/program.js';
import { silentLogger } from '../../src/server/log.js';

export interface PeerHost {
  address: string;
  /** The portmapper's port (and every service's: they share it). */
  port: number;
  granted: NlmTestArgs[];
  /** _RES calls received, by procedure name. */
  results: Array<{ name: string; res: NlmRes | NlmTestRes }>;
  notifies: StatChange[];
  /** Status monitor callbacks (SM_MON's my_id: NLM version 4, procedure 16, as Linux's lockd registers). */
  statusCallbacks: SmStatus[];
  /** What GRANTED answers (default GRANTED: the client took the lock). */
  grantAnswer: Nlm4Stat;
  stop(): Promise<void>;
}

/** The procedure Linux's lockd names in SM_MON for statd's callback. */
export const NLMPROC_NSM_NOTIFY = 16;

export async function startPeerHost(address = '127.0.0.2', port = 0): Promise<PeerHost> {
  const peer = { granted: [], results: [], notifies: [], statusCallbacks: [], grantAnswer: Nlm4Stat.GRANTED } as unknown as PeerHost;
  const statusCallback: Procedure<SmStatus, void> = {
    codec: { proc: NLMPROC_NSM_NOTIFY, name: 'NSM_NOTIFY', readArgs: readSmStatus, writeArgs: writeSmStatus, readResult() {}, writeResult() {} },
    handle: (s) => void peer.statusCallbacks.push(structuredClone(s)),
  };
  const lockClientSide = (vers: number, c: NlmV1Codecs) => {
    const record = (name: string) => (res: NlmRes | NlmTestRes) => void peer.results.push({ name, res: structuredClone(res) });
    const procs: Procedure[] = [
      nullProcedure,
      {
        codec: c.GRANTED,
        handle: (args: NlmTestArgs) => {
          peer.granted.push(structuredClone(args));
          return { cookie: args.cookie, stat: peer.grantAnswer };
        },
      },
      ...(['TEST_RES', 'LOCK_RES', 'CANCEL_RES', 'UNLOCK_RES', 'GRANTED_RES'] as const).map(
        (name): Procedure => ({ codec: c[name], handle: record(name) }),
      ),
      ...(vers === NLM_V4 ? [statusCallback] : []),
    ];
    return procedureTable(vers, procs);
  };
  const nlm = program(NLM_PROGRAM, 'nlockmgr-client', [lockClientSide(NLM_V3, NLM_V3_CODECS), lockClientSide(NLM_V4, NLM4_CODECS)]);
  const nsm = program(SM_PROGRAM, 'status', [
    procedureTable(SM_V1, [nullProcedure, { codec: SM_NOTIFY, handle: (change: StatChange) => void peer.notifies.push({ ...change }) }]),
  ]);
  const registry = new PortmapRegistry();
  const programs: Program[] = [createPortmapProgram(registry), nlm, nsm];
  const dispatcher = new Dispatcher(programs, silentLogger);
  const tcp = new TcpTransport(dispatcher, { log: silentLogger });
  port = await tcp.listen(port, address);
  const udp = new UdpTransport(dispatcher, { log: silentLogger });
  await udp.bind(port, address);
  for (const p of programs) {
    for (const vers of p.versions.keys()) {
      for (const prot of [IPPROTO_TCP, IPPROTO_UDP]) registry.set({ prog: p.prog, vers, prot, port });
    }
  }
  return Object.assign(peer, {
    address,
    port,
    async stop() {
      await tcp.close(0);
      udp.close(0);
    },
  });
}
