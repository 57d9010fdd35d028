#!/usr/bin/env -S node --max-semi-space-size=8 --max-old-space-size=1024
/**
 * The `nfs-node` command.
 *
 * V8's young generation grows to two 16 MiB semispaces under a server's
 * steady allocation, and that much stays resident. Capped at 8 MiB each,
 * peak RSS over create, lookup and readdir was 25–30 MiB lower at the same
 * CPU per call (4 MiB: no lower, more objects survive into old space).
 * The old generation is allowed to grow to 4 times what survived the last
 * full collection on machines with 8 GiB or more (V8 picks the factor from
 * the heap's limit): the server's live heap is 10–20 MiB, so the old space
 * filled with 30–50 MiB of garbage between collections. A 1 GiB limit
 * gives a factor of about 1.6: peak RSS over all of nfsbench's workloads
 * twice was 166 → 128 MiB, CPU the same. 1 GiB is far above anything the
 * server keeps in that heap: its caches are bounded, and directory listings
 * (the one thing that grows with what clients ask for) live outside it.
 * Heap sizes are read once, when V8 starts, so these have to be node
 * options: here, for the command; bench/run.ts reads them from this line.
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
