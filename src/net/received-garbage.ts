/**
 * A young-generation collection after every few megabytes received.
 *
 * Every chunk a socket reads is a Buffer of its own, and a large WRITE is
 * joined from its chunks into one more: two bytes of memory outside the JS
 * heap per byte received, garbage once the call is done. That memory comes
 * back only when V8 collects the small Buffer objects that hold it, and a
 * young generation of 16 MiB semispaces holding a few hundred of them fills
 * slowly, so V8 waits until 64 MiB of such memory is outstanding: under a
 * sequential write the process held 40–60 MiB of dead socket buffers at its
 * peak. A scavenge of the young generation takes well under a millisecond
 * here (it copies only what is still alive), against tens of milliseconds of
 * I/O for the megabytes received in between.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Bytes received between two collections. */
const EVERY = 8 * 1024 * 1024;

type Collect = (opts: { type: 'minor' }) => void;

// V8 gives `gc` only to contexts created while --expose-gc is set: one context
// gets it, the flag goes back off, and nothing else (no client code) sees it.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as Collect;
setFlagsFromString('--no-expose-gc');

let received = 0;

/** Counts bytes read from a socket; collects the young generation every EVERY bytes. */
export function noteReceived(bytes: number): void {
  received += bytes;
  if (received < EVERY) return;
  received = 0;
  collect({ type: 'minor' });
}
