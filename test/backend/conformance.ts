/**
 * The conformance suite every Backend must pass. A backend's test file calls
 * backendConformance() once; the suite registers node:test blocks that use
 * nothing but the Backend interface, each on a fresh backend from `make`.
 *
 *   backendConformance('memory', async () => {
 *     const backend = new MemoryBackend();
 *     return { backend, cleanup: () => backend.close() };
 *   });
 *
 * A backend declares what it cannot do in `caps` (see ConformanceCaps); the
 * tests needing it are skipped with the reason given, never silently.
 * `cleanup` runs after every test, also after a failure, and possibly after
 * the test itself called backend.close().
 */
import { describe } from 'node:test';
import { basics } from './conformance/basics.js';
import { files } from './conformance/files.js';
import type { MakeBackend } from './conformance/fixture.js';
import { handles } from './conformance/handles.js';
import { namespace } from './conformance/namespace.js';
import { permissions } from './conformance/permissions.js';
import { readdir } from './conformance/readdir.js';
import { wcc } from './conformance/wcc.js';

export type { BackendUnderTest, Capability, ConformanceCaps, MakeBackend } from './conformance/fixture.js';
export { ctx, ROOT } from './conformance/fixture.js';

export function backendConformance(name: string, make: MakeBackend): void {
  describe(`backend conformance: ${name}`, () => {
    basics(make);
    files(make);
    namespace(make);
    handles(make);
    readdir(make);
    wcc(make);
    permissions(make);
  });
}
