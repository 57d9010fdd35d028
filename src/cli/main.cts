#!/usr/bin/env -S node --max-semi-space-size=8
/**
 * The `nfs-node` command.
 *
 * V8's young generation grows to two 16 MiB semispaces under a server's
 * steady allocation, and that much stays resident. Capped at 8 MiB each,
 * peak RSS over create, lookup and readdir was 25–30 MiB lower at the same
 * CPU per call (4 MiB: no lower, more objects survive into old space). Heap
 * sizes are read once, when V8 starts, so this has to be a node option:
 * here, for the command, and in bench/run.ts, which starts `node` itself.
 *
 * Node runs fs calls on the libuv thread pool, 4 threads by default, sized
 * once at its first use. A few calls stuck on one slow or unplugged disk
 * would then stall every export (and DNS, and crypto), so the pool must be
 * larger, and that must be set before the pool exists. An ES module entry is
 * too late: the loader reads it with the pool. This entry is CommonJS (read
 * synchronously), sets the size, and only then loads the program.
 */
process.env.UV_THREADPOOL_SIZE ??= '16';

void import('./cli.js').then(async ({ main }) => {
  // Exit explicitly: once a command is done nothing it left behind (a stray timer) may keep the process up.
  process.exit(await main(process.argv.slice(2)));
});
