/** Annotated-hex pieces shared by the NLM fixture tests, with their decoded values. */

export const COOKIE_HEX = `00000004 c0ffee01  // cookie: netobj, 4 bytes\n`;
export const COOKIE = Buffer.from('c0ffee01', 'hex');

export const FH = Buffer.from('0000000100000002', 'hex');
export const OH1 = Buffer.from('own1');
export const OH2 = Buffer.from('own2');

/** caller_name, fh, oh and svid: every field of nlm4_lock/nlm_lock before the range. */
export const LOCK_HEAD_HEX = `
  00000005 686f7374 61000000  // caller_name "hosta"
  00000008 00000001 00000002  // fh: netobj, 8 bytes
  00000004 6f776e31  // oh "own1"
  0000007b  // svid 123
`;
export const LOCK_HEAD = { callerName: 'hosta', fh: FH, oh: OH1, svid: 123 };

/** nlm4_lock: bytes 4 GiB .. 4 GiB + 4095. */
export const ALOCK4_HEX = `${LOCK_HEAD_HEX}
  00000001 00000000  // l_offset 2^32 (uint64)
  00000000 00001000  // l_len 4096 (uint64)
`;
export const ALOCK4 = { ...LOCK_HEAD, offset: 0x1_0000_0000n, length: 4096n };

/** nlm_lock (versions 1 and 3): bytes 4096 .. 4607. */
export const ALOCK3_HEX = `${LOCK_HEAD_HEX}
  00001000  // l_offset 4096 (uint32)
  00000200  // l_len 512 (uint32)
`;
export const ALOCK3 = { ...LOCK_HEAD, offset: 4096n, length: 512n };

/** nlm4_holder: an exclusive lock from 2^32 to end of file. */
export const HOLDER4_HEX = `
  00000001  // exclusive TRUE
  ffffffff  // svid -1 (int32)
  00000004 6f776e32  // oh "own2"
  00000001 00000000  // l_offset 2^32 (uint64)
  00000000 00000000  // l_len 0: to end of file
`;
export const HOLDER4 = { exclusive: true, svid: -1, oh: OH2, offset: 0x1_0000_0000n, length: 0n };

/** nlm_holder: a shared lock on bytes 256 .. 511. */
export const HOLDER3_HEX = `
  00000000  // exclusive FALSE
  00000007  // svid 7
  00000004 6f776e32  // oh "own2"
  00000100  // l_offset 256 (uint32)
  00000100  // l_len 256 (uint32)
`;
export const HOLDER3 = { exclusive: false, svid: 7, oh: OH2, offset: 256n, length: 256n };
