/**
 * The admin page in a real browser (Debian's Chromium, driven by
 * playwright-core): an export with a connected client, Eject, the storage
 * becoming unmountable, Attach; in a wide and a narrow window. Screenshots go
 * to test-artifacts/ for a person to look at.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { mountExport, startAdminRig, writeAndRead, type AdminRig, type Mounted } from './http-rig.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const WAIT_MS = 15_000;

/** Chromium from Debian, installed here when missing (as scripts/test.sh does) if we may. */
function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  assert.equal(process.getuid?.(), 0, `${CHROMIUM} is missing: apt-get install chromium (as root), or run scripts/test.sh as root`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: 'ignore', env });
}

describe('admin page in a browser', () => {
  let rig: AdminRig;
  let client: Mounted;
  let profile: string;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    ensureChromium();
    await mkdir(ARTIFACTS, { recursive: true });
    rig = await startAdminRig();
    client = await mountExport(rig);
    await writeAndRead(client, 'hello.txt', Buffer.from('hello from the browser test\n'));
    profile = await mkdtemp(join(tmpdir(), 'nfs-node-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 800 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(WAIT_MS);
  });

  after(async () => {
    await context?.close();
    await client?.close();
    await rig?.stop();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  const card = () => page.locator(`section.card[data-export="${rig.exportPath}"]`);

  test('shows the export with its client, ejects it, then attaches it again', async () => {
    await page.goto(`${rig.base}/`);
    await card().and(page.locator('[data-state="attached"]')).waitFor();
    await page.locator('#live.on').waitFor();
    await card().locator('tr.client', { hasText: '127.0.0.1' }).waitFor();
    assert.match(await card().locator('.state').innerText(), /attached/);
    // Rates need two snapshots: wait for a number to replace the placeholder.
    await page.locator('#t-ops').filter({ hasText: /^\d/ }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'admin-wide.png'), fullPage: true });

    await card().getByRole('button', { name: 'Eject' }).click();
    await card().and(page.locator('[data-state="detached"]')).waitFor();
    await card().locator('.result', { hasText: 'the storage can be unmounted' }).waitFor();
    assert.match(await card().locator('.storage').innerText(), /can be unmounted now/);
    assert.equal(await card().getByRole('button', { name: 'Eject' }).isDisabled(), true);
    assert.equal((await rig.server.status())[0]!.state, 'detached', 'the server really ejected it');
    await page.screenshot({ path: join(ARTIFACTS, 'admin-ejected.png'), fullPage: true });

    await card().getByRole('button', { name: 'Attach' }).click();
    await card().and(page.locator('[data-state="attached"]')).waitFor();
    await card().locator('.result', { hasText: 'Attached' }).waitFor();
    assert.equal((await rig.server.status())[0]!.state, 'attached');
  });

  test('asks for the token when the server wants one, then works with it', async () => {
    const token = 'browser-test-token';
    const guarded = await startAdminRig({ token });
    try {
      await page.goto(`${guarded.base}/`);
      await page.locator('#auth.show').waitFor();
      assert.equal(await page.locator('section.card').count(), 0, 'nothing is shown without the token');
      await page.locator('#token').fill(token);
      await page.getByRole('button', { name: 'Use token' }).click();
      await page.locator(`section.card[data-export="${guarded.exportPath}"][data-state="attached"]`).waitFor();
      await page.locator('#live.on').waitFor();
    } finally {
      await guarded.stop();
    }
  });

  test('fits a narrow window without sideways scrolling', async () => {
    await page.setViewportSize({ width: 380, height: 800 });
    await page.goto(`${rig.base}/`);
    await card().and(page.locator('[data-state="attached"]')).waitFor();
    await card().locator('tr.client').first().waitFor();
    // A function, not a string (the page's CSP forbids eval); typed by hand: no DOM types in this project.
    const overflow = await page.evaluate(() => {
      const w = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
      return w.document.documentElement.scrollWidth - w.innerWidth;
    });
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the window`);
    const box = await card().getByRole('button', { name: 'Eject' }).boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 380, 'the Eject button is in view');
    await page.screenshot({ path: join(ARTIFACTS, 'admin-narrow.png'), fullPage: true });
  });
});
