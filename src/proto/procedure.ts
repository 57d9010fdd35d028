/**
 * One RPC procedure's wire form: how its arguments and results are read and
 * written. The same codec serves the server (read args, write result) and the
 * client (write args, read result), so each direction is tested against the
 * other.
 */
import type { XdrReader } from '../xdr/reader.js';
import type { XdrWriter } from '../xdr/writer.js';

export interface ProcedureCodec<A, R> {
  /** Procedure number within its program version. */
  readonly proc: number;
  /** The RFC's name for it, e.g. "GETATTR" or "MNT". */
  readonly name: string;
  readArgs(r: XdrReader): A;
  writeArgs(w: XdrWriter, args: A): void;
  readResult(r: XdrReader): R;
  writeResult(w: XdrWriter, res: R): void;
}

/** Procedure 0 of every program: void arguments, void result (RFC 5531 section 12.1). */
export const NULL_CODEC: ProcedureCodec<void, void> = {
  proc: 0,
  name: 'NULL',
  readArgs() {},
  writeArgs() {},
  readResult() {},
  writeResult() {},
};
