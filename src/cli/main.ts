#!/usr/bin/env node
/**
 * The `nfs-node` command.
 */

// Before anything touches the filesystem: Node runs fs calls on the libuv
// thread pool, 4 threads by default and sized once, at its first use. A few
// calls stuck on one slow or unplugged disk would then stall every export
// (and DNS, and crypto). The rest of the program is imported only after this
// line, since static imports would run first.
process.env.UV_THREADPOOL_SIZE ??= '16';

const { main } = await import('./cli.js');
// Exit explicitly: once a command is done nothing it left behind (a stray timer) may keep the process up.
process.exit(await main(process.argv.slice(2)));
