// A presenter's own Reveal.js deck with our live slides dropped in (the README's example,
// tests/fixtures/own-deck/index.html): the plugin is built as `npm run build:plugin` builds it, set
// next to Reveal.js's own files, and its live slides (HTML and markdown) must show what the Node
// trace computes, while the presenter's own slides and notes stay theirs.
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceSummaryJson } from '../../src/engine/trace-summary';
import {
  launchChromium,
  MODELS_FOLDER,
  modelFolderOrThrow,
  openDeck,
  readSlideNumbers,
  serveFolder,
  waitForTrace,
  type StaticServer,
} from '../../src/browser';
import { NodeReference } from './harness';

const FIXTURE = resolve('tests/fixtures/own-deck/index.html');
const CONFIGURED_PROMPT = 'The state of the union is'; // the fixture's liveLlm.prompt

/** The presenter's folder: their index.html, Reveal.js's dist as reveal.js/, and our plugin build as live-llm/. */
async function buildOwnDeck(): Promise<string> {
  modelFolderOrThrow();
  const dir = mkdtempSync(join(tmpdir(), 'own-deck-'));
  await promisify(execFile)(
    process.execPath,
    [resolve('node_modules/vite/bin/vite.js'), 'build', '--config', 'vite.plugin.config.ts', '--outDir', join(dir, 'live-llm'), '--emptyOutDir', '--logLevel', 'warn'],
    { env: { ...process.env, NODE_ENV: 'production', DECK_MODELS: MODELS_FOLDER } },
  );
  cpSync(resolve('node_modules/reveal.js/dist'), join(dir, 'reveal.js'), { recursive: true });
  copyFileSync(FIXTURE, join(dir, 'index.html'));
  // The same deck with our plugin listed before Markdown: its sections appear after our init.
  const fixture = readFileSync(FIXTURE, 'utf8');
  const livePluginFirst = fixture.replace('plugins: [Markdown, Notes, LiveLLM]', 'plugins: [LiveLLM, Markdown, Notes]');
  if (livePluginFirst === fixture) throw new Error('the fixture no longer lists its plugins as this test expects');
  writeFileSync(join(dir, 'live-plugin-first.html'), livePluginFirst);
  return dir;
}

describe.each([{ backend: 'wasm' }, { backend: 'webgpu' }])('live slides in a presenter’s own deck ($backend)', ({ backend }) => {
  let dir: string;
  let server: StaticServer;
  let browser: Browser;
  const reference = new NodeReference();

  beforeAll(async () => {
    dir = await buildOwnDeck();
    server = await serveFolder(dir);
    browser = await launchChromium({ webgpu: backend === 'webgpu' });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('draws its HTML and markdown live slides from the model, keeps the presenter’s own slides and notes, and runs a new prompt from the E key', async () => {
    const { context, page, errors, requests } = await openDeck(browser, server.deckUrl, `?backend=${backend}`);
    await waitForTrace(page, CONFIGURED_PROMPT);
    expect(await page.locator('#deck-status').getAttribute('data-backend')).toBe(backend);

    // The presenter's slides, as they wrote them; ours, in their places (the markdown one included).
    expect(await page.locator('.slides > section').first().textContent()).toContain('My own slide');
    expect(await page.locator('.slides > section[data-live]').evaluateAll((sections) => sections.map((section) => section.id))).toEqual([
      'tokenization',
      'next-token',
      'attention',
    ]);
    expect(await page.locator('section#next-token').evaluate((section) => section.hasAttribute('data-markdown-parsed'))).toBe(true);

    const trace = await reference.trace(CONFIGURED_PROMPT);
    const expected = traceSummaryJson(trace);
    const numbers = await readSlideNumbers(page);
    expect(numbers.tokenIds).toEqual(expected.ids);
    expect(numbers.topk.map((row) => row.id)).toEqual(expected.topk.map((entry) => entry.id));
    numbers.topk.forEach((row, rank) => expect(Math.abs(row.prob - expected.topk[rank].prob), `rank ${rank + 1}`).toBeLessThan(1e-4));
    const { layer, head, cells } = numbers.attention;
    expect(cells.length).toBe((expected.ids.length * (expected.ids.length + 1)) / 2); // the causal triangle
    for (const cell of cells) expect(Math.abs(cell.prob - expected.attention[layer][head][cell.query][cell.key])).toBeLessThan(1e-4);

    // The presenter's note stays, before the live notes, which quote the Trace.
    const notes = await page.locator('section#attention aside.notes').allTextContents();
    expect(notes[0]).toBe('My own note comes first, then the live numbers.');
    expect(notes[1]).toContain(`(${expected.ids.length} of ${expected.ids.length})`);

    // Reveal navigates from the presenter's slide onto ours, and E works there.
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => new URL(page.url()).hash, { timeout: 10_000 }).toBe('#/tokenization');
    await page.keyboard.press('e');
    await expect.poll(() => page.locator('#prompt-bar').isVisible()).toBe(true);
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('Hello world');
    await page.keyboard.press('Enter');
    await waitForTrace(page, 'Hello world');
    expect((await readSlideNumbers(page)).tokenIds).toEqual(traceSummaryJson(await reference.trace('Hello world')).ids);

    // Everything came from the presenter's folder: nothing from another origin, the model once.
    const origin = new URL(server.deckUrl).origin;
    expect(requests.filter((url) => !url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:'))).toEqual([]);
    const isModel = (path: string) => path.endsWith('onnx/model.onnx');
    expect(server.requested.filter(isModel).length - server.ranged.filter(isModel).length).toBe(1);
    expect(server.requested.filter(isModel).every((path) => path === 'live-llm/models/sotu-gpt/onnx/model.onnx')).toBe(true);
    // The browser's own /favicon.ico, which this bare deck does not have, is the only 404.
    expect(server.requested.filter((path) => path.startsWith('/'))).toEqual(['/favicon.ico']);
    expect(errors.filter((error) => !error.includes('404 (Not Found)'))).toEqual([]);
    expect(errors.length).toBeLessThanOrEqual(1);
    await context.close();
  }, 300_000);

  it('binds markdown live slides that appear after its own init (plugin listed before Markdown)', async () => {
    const { context, page, errors } = await openDeck(browser, server.deckUrl, `live-plugin-first.html?backend=${backend}&prompt=Hello`);
    await waitForTrace(page, 'Hello');
    const expected = traceSummaryJson(await reference.trace('Hello'));
    const numbers = await readSlideNumbers(page);
    expect(numbers.tokenIds).toEqual(expected.ids);
    expect(numbers.topk.map((row) => row.id)).toEqual(expected.topk.map((entry) => entry.id)); // from the markdown slide
    expect(errors.filter((error) => !error.includes('404 (Not Found)'))).toEqual([]);
    await context.close();
  }, 300_000);

  it('prints (?print-pdf) one page per slide, its live slides with the real values', async () => {
    const { context, page, errors } = await openDeck(browser, server.deckUrl, `?print-pdf&backend=${backend}`);
    await waitForTrace(page, CONFIGURED_PROMPT);
    await page.waitForFunction(() => document.documentElement.dataset.printLayout === 'ready', undefined, { timeout: 60_000 });
    const pages = await page.evaluate(() => Array.from(document.querySelectorAll('.reveal .slides > .pdf-page'), (pdfPage) => pdfPage.textContent ?? ''));
    expect(pages).toHaveLength(5); // my slide, tokenization, the markdown slide, next-token, attention
    expect(pages[0]).toContain('My own slide');
    const expected = traceSummaryJson(await reference.trace(CONFIGURED_PROMPT));
    expect((await readSlideNumbers(page)).tokenIds).toEqual(expected.ids);
    expect(pages.join(' ')).not.toContain('Loading');
    expect(errors.filter((error) => !error.includes('404 (Not Found)'))).toEqual([]);
    await context.close();
  }, 300_000);
});
