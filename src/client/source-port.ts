/**
 * Reserved source ports (< 1024), which `secure` exports require: only root
 * may bind them, and any of them may be taken, so try them in turn from a
 * random start (as glibc's bindresvport does over 512..1023).
 */
import { randomInt } from 'node:crypto';

const LOW = 512;
const HIGH = 1023;

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Calls `attempt` with successive reserved ports until one is not in use. */
export async function withReservedPort<T>(attempt: (port: number) => Promise<T>): Promise<T> {
  const span = HIGH - LOW + 1;
  const start = randomInt(span);
  let last: unknown;
  for (let i = 0; i < span; i++) {
    try {
      return await attempt(LOW + ((start + i) % span));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // EADDRNOTAVAIL: the port is free locally but its 4-tuple to this server is still in TIME_WAIT.
      if (code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL') throw err;
      last = err;
    }
  }
  throw last;
}
