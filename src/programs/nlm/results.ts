/**
 * TEST_RES, LOCK_RES, CANCEL_RES, UNLOCK_RES, GRANTED_RES: answers to
 * asynchronous (_MSG) calls. This server sends no _MSG calls (its callbacks
 * are synchronous GRANTED calls), so an answer concerns nothing it asked:
 * it is accepted, so the sender does not retransmit, and dropped.
 */
import type { Procedure } from '../program.js';
import type { NlmVersion } from './version.js';

export function results(v: NlmVersion): Procedure[] {
  const c = v.codecs;
  return [c.TEST_RES, c.LOCK_RES, c.CANCEL_RES, c.UNLOCK_RES, c.GRANTED_RES].map((codec): Procedure => ({ codec, handle() {} }));
}
