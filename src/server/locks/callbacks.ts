/** The NLM calls the server makes to clients: GRANTED for queued locks, and the _RES answers to _MSG calls. */
import { nlmCodecs } from '../../proto/nlm/codecs.js';
import { Nlm4Stat, NLM_PROGRAM } from '../../proto/nlm/constants.js';
import type { ProcedureCodec } from '../../proto/procedure.js';
import { unmapAddress } from '../../programs/portmap/address.js';
import type { CallContext } from '../../programs/program.js';
import type { Logger } from '../log.js';
import type { GrantedCallback } from './lock-manager.js';
import type { PeerCall } from './peer-calls.js';

/** GRANTED in the version and over the transport the client used; true once the client took it. */
export function grantedCallback(peers: PeerCall): GrantedCallback {
  return async (w) => {
    const { address, transport, vers } = w.callback;
    const res = await peers({ address, prog: NLM_PROGRAM, vers, transport }, nlmCodecs(vers).GRANTED, {
      cookie: w.args.cookie,
      exclusive: w.args.exclusive,
      alock: w.args.alock,
    });
    return res.stat === Nlm4Stat.GRANTED;
  };
}

/** Sends a _RES back to the lock manager of the host that sent the _MSG; a lost one is the client's to retry. */
export function resultSender(peers: PeerCall, log: Logger) {
  return <R>(call: CallContext, vers: number, codec: ProcedureCodec<R, void>, res: R): void => {
    const to = { address: unmapAddress(call.remote.address), prog: NLM_PROGRAM, vers, transport: call.remote.transport };
    peers(to, codec, res).catch((err: unknown) => log.debug('nlm: _RES not delivered', { ...to, proc: codec.name, err }));
  };
}
