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

/** A codec for procedures with void arguments or results. */
export const VOID = {
  read(): void {},
  write(): void {},
};
