/**
 * A ServerEnv for handler tests: a real ExportRegistry and HandleCodec (random
 * secret), the silent logger, default limits, and a CallContext as root.
 */
import { randomBytes } from 'node:crypto';
import type { Backend } from '../../src/backend/backend.js';
import type { CallContext, Procedure } from '../../src/programs/program.js';
import { Nfs3Support } from '../../src/programs/nfs3/support.js';
import { DEFAULT_LIMITS, type ServerEnv, type TransferLimits } from '../../src/server/env.js';
import { ExportRegistry, type Export, type ExportOptions } from '../../src/server/exports.js';
import { HandleCodec } from '../../src/server/handles.js';
import { silentLogger } from '../../src/server/log.js';
import { XdrReader } from '../../src/xdr/reader.js';
import { XdrWriter } from '../../src/xdr/writer.js';

export interface TestEnv {
  env: ServerEnv;
  support: Nfs3Support;
  /** Adds an export and returns it with a function giving client handles for its backend handles. */
  addExport(
    path: string,
    backend: Backend,
    options?: Partial<ExportOptions>,
  ): { exp: Export; fh(backendHandle: Buffer): Buffer };
}

export function testEnv(limits: TransferLimits = DEFAULT_LIMITS): TestEnv {
  const exports = new ExportRegistry(new HandleCodec(randomBytes(32)));
  const env: ServerEnv = { exports, limits, log: silentLogger, touch() {} };
  return {
    env,
    support: new Nfs3Support(env),
    addExport(path, backend, options) {
      const exp = exports.add(path, backend, options);
      return { exp, fh: (h) => exports.handleFor(exp, h) };
    },
  };
}

export const ROOT_CALL: CallContext = {
  xid: 1,
  remote: { address: '127.0.0.1', port: 700, transport: 'tcp' },
  auth: { stamp: 0, machineName: 'test', uid: 0, gid: 0, gids: [] },
};

/**
 * Runs a handler as the dispatcher would: arguments through the codec's
 * encoding, and the result too, so a result the codec cannot encode fails.
 */
export async function callProc<A, R>(proc: Procedure<A, R>, args: A, call: CallContext = ROOT_CALL): Promise<R> {
  const w = new XdrWriter();
  proc.codec.writeArgs(w, args);
  const res = await proc.handle(proc.codec.readArgs(new XdrReader(w.toBuffer())), call);
  encodedLength(proc, res);
  return res;
}

/** The encoded length of a result, for checking replies against the client's byte budgets. */
export function encodedLength<A, R>(proc: Procedure<A, R>, res: R): number {
  const w = new XdrWriter();
  proc.codec.writeResult(w, res);
  return w.length;
}
