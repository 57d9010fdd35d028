/** What an NLM handler knows of the version it serves. */
import type { NlmV1Codecs, NlmV3Codecs } from '../../proto/nlm/codecs.js';
import type { ProcedureCodec } from '../../proto/procedure.js';
import type { CallContext, Procedure } from '../program.js';

/** Version 1 has the procedures up to GRANTED_RES; versions 3 and 4 add shares, NM_LOCK and FREE_ALL. */
export interface NlmVersion<C extends NlmV1Codecs = NlmV1Codecs> {
  vers: number;
  codecs: C;
  /** Sends a _MSG call's answer (its _RES) to the caller's lock manager, in the background. */
  sendResult<R>(call: CallContext, vers: number, codec: ProcedureCodec<R, void>, res: R): void;
}

/**
 * The asynchronous twin of a procedure (TEST_MSG for TEST, ...): the same
 * work, no result in the reply, and the answer sent to the caller as a call
 * of the matching _RES procedure.
 */
export function asMessage<A, R>(
  v: NlmVersion,
  msg: ProcedureCodec<A, void>,
  res: ProcedureCodec<R, void>,
  run: (args: A, call: CallContext) => Promise<R> | R,
): Procedure<A, void> {
  return {
    codec: msg,
    async handle(args, call) {
      v.sendResult(call, v.vers, res, await run(args, call));
    },
  };
}

export type NlmV3Version = NlmVersion<NlmV3Codecs>;
