/**
 * fast-check arbitraries for the NLM types, per wire dialect: version 1/3
 * values are restricted to what that dialect can carry (32-bit offsets,
 * nlm_stats), so decoding an encoding gives the value back.
 */
import fc from 'fast-check';
import { FshAccess, FshMode, Nlm4Stat } from '../../../src/proto/nlm/constants.js';
import type {
  NlmCancelArgs,
  NlmHolder,
  NlmLock,
  NlmLockArgs,
  NlmNotify,
  NlmRes,
  NlmShareArgs,
  NlmShareRes,
  NlmTestArgs,
  NlmTestRes,
  NlmUnlockArgs,
} from '../../../src/proto/nlm/types.js';
import { bytes, u64 } from '../../helpers/nfs3-arbitraries.js';

export const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
export const netobj = bytes(40);
export const callerName = fc.string({ maxLength: 30 });

export interface NlmArbitraries {
  lock: fc.Arbitrary<NlmLock>;
  holder: fc.Arbitrary<NlmHolder>;
  testArgs: fc.Arbitrary<NlmTestArgs>;
  lockArgs: fc.Arbitrary<NlmLockArgs>;
  cancelArgs: fc.Arbitrary<NlmCancelArgs>;
  unlockArgs: fc.Arbitrary<NlmUnlockArgs>;
  testRes: fc.Arbitrary<NlmTestRes>;
  res: fc.Arbitrary<NlmRes>;
  shareArgs: fc.Arbitrary<NlmShareArgs>;
  shareRes: fc.Arbitrary<NlmShareRes>;
  notify: fc.Arbitrary<NlmNotify>;
}

function arbitraries(offset: fc.Arbitrary<bigint>, maxStat: Nlm4Stat): NlmArbitraries {
  const stat = fc.integer({ min: 0, max: maxStat }) as fc.Arbitrary<Nlm4Stat>;
  const lock = fc.record({ callerName, fh: netobj, oh: netobj, svid: int32, offset, length: offset });
  const holder = fc.record({ exclusive: fc.boolean(), svid: int32, oh: netobj, offset, length: offset });
  const testRes: fc.Arbitrary<NlmTestRes> = fc.oneof(
    fc.record({ cookie: netobj, holder }).map((v): NlmTestRes => ({ ...v, stat: Nlm4Stat.DENIED })),
    fc.record({ cookie: netobj, stat: stat.filter((s) => s !== Nlm4Stat.DENIED) }),
  );
  return {
    lock,
    holder,
    testArgs: fc.record({ cookie: netobj, exclusive: fc.boolean(), alock: lock }),
    lockArgs: fc.record({
      cookie: netobj,
      block: fc.boolean(),
      exclusive: fc.boolean(),
      alock: lock,
      reclaim: fc.boolean(),
      state: int32,
    }),
    cancelArgs: fc.record({ cookie: netobj, block: fc.boolean(), exclusive: fc.boolean(), alock: lock }),
    unlockArgs: fc.record({ cookie: netobj, alock: lock }),
    testRes,
    res: fc.record({ cookie: netobj, stat }),
    shareArgs: fc.record({
      cookie: netobj,
      share: fc.record({
        callerName,
        fh: netobj,
        oh: netobj,
        mode: fc.constantFrom(FshMode.DN, FshMode.DR, FshMode.DW, FshMode.DRW),
        access: fc.constantFrom(FshAccess.NONE, FshAccess.R, FshAccess.W, FshAccess.RW),
      }),
      reclaim: fc.boolean(),
    }),
    shareRes: fc.record({ cookie: netobj, stat, sequence: int32 }),
    notify: fc.record({ name: callerName, state: int32 }),
  };
}

/** Version 4: uint64 offsets, every nlm4_stats. */
export const v4 = arbitraries(u64, Nlm4Stat.FAILED);
/** Versions 1 and 3: uint32 offsets, nlm_stats up to DEADLCK. */
export const v3 = arbitraries(fc.bigInt({ min: 0n, max: 0xffff_ffffn }), Nlm4Stat.DEADLCK);
