#!/usr/bin/env node
/**
 * The `nfs-node` command.
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
