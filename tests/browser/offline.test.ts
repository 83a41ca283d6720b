// Offline support (src/offline/): a built deck opened once from its host keeps working when the host
// goes away. Its service worker answers from the cache only when the network fails, so online the
// deck is never served stale, and the model is downloaded once, through the service worker.
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { traceSummaryJson } from '../../src/engine/trace-summary';
import { openDeck, readSlideNumbers, serveFolder, waitForTrace } from '../../src/browser';
import { NodeReference } from './harness';
import { useBuiltDeck } from './built-deck';

const PROMPT = 'The Congress should';

/** Set by the test: the host answers 503 to everything, as one behind a proxy does when it is down. */
let hostDown = false;
const deck = useBuiltDeck({ webgpu: false, override: () => (hostDown ? { status: 503, body: 'Service Unavailable' } : null) });
const reference = new NodeReference();

/** Full downloads of the model's weights from the host (Range requests only read its size). */
function modelDownloads(): number {
  const isModel = (path: string) => path.endsWith('onnx/model.onnx');
  return deck.server.requested.filter(isModel).length - deck.server.ranged.filter(isModel).length;
}

describe('the built deck offline', () => {
  it('reloads and runs its model with the host gone, after one online visit that downloaded the model once; online it is never stale', async () => {
    const expectedIds = traceSummaryJson(await reference.trace(PROMPT)).ids;
    const { context, page, errors, log } = await openDeck(deck.browser, deck.server.deckUrl, `?backend=wasm&prompt=${encodeURIComponent(PROMPT)}`);
    try {
      await waitForTrace(page, PROMPT);
      expect((await readSlideNumbers(page)).tokenIds).toEqual(expectedIds);
      expect(modelDownloads()).toBe(1);
      // The page and its model worker went through the service worker, which kept the model.
      expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${deck.server.deckUrl}service-worker.js`);
      const modelUrl = `${deck.server.deckUrl}models/sotu-gpt/onnx/model.onnx`;
      const cachedModelBytes = () =>
        page.evaluate(async (url) => {
          for (const name of await caches.keys()) {
            const cached = await (await caches.open(name)).match(url);
            if (cached) return (await cached.arrayBuffer()).byteLength;
          }
          return 0;
        }, modelUrl);
      const modelSize = readFileSync(join(deck.dir, 'models/sotu-gpt/onnx/model.onnx')).byteLength;
      await expect.poll(cachedModelBytes, { timeout: 10_000 }).toBe(modelSize);
      expect(await page.evaluate(async () => (await caches.keys()).length)).toBe(1);

      // Online, a changed file on the host is what the deck gets (network first), the model included.
      const indexFile = join(deck.dir, 'index.html');
      writeFileSync(indexFile, readFileSync(indexFile, 'utf8').replace('</head>', '<meta name="deck-test-build" content="second"></head>'));
      await page.reload();
      await waitForTrace(page, PROMPT);
      expect(await page.locator('meta[name="deck-test-build"]').count()).toBe(1);
      expect(modelDownloads()).toBe(2);

      // The host answers, but only with errors (down behind its proxy): the cached deck is better.
      hostDown = true;
      await page.reload();
      await waitForTrace(page, PROMPT);
      expect((await readSlideNumbers(page)).tokenIds).toEqual(expectedIds);
      expect(await page.locator('meta[name="deck-test-build"]').count()).toBe(1);
      expect(modelDownloads()).toBe(3); // asked for again, answered 503: the model came from the cache

      // The host goes away: no server at that port any more, not only the browser told it is offline.
      await deck.server.close();
      await page.reload();
      await waitForTrace(page, PROMPT);
      expect(await page.locator('#deck-status').getAttribute('data-phase')).toBe('ready');
      expect((await readSlideNumbers(page)).tokenIds).toEqual(expectedIds);
      expect(await page.locator('meta[name="deck-test-build"]').count()).toBe(1); // the newest copy was kept
      // Reveal navigates: the next slide, and back.
      const presentSlide = () => page.locator('.slides > section.present').getAttribute('id');
      const first = await presentSlide();
      await page.keyboard.press('ArrowRight');
      await expect.poll(presentSlide).not.toBe(first);
      await page.keyboard.press('ArrowLeft');
      await expect.poll(presentSlide).toBe(first);
      expect(errors).toEqual([]);
      // A one-byte Range request (how transformers.js learns a file's size) is sliced from the cached file;
      // a file never fetched online fails as it would without a service worker
      // (last: Chrome logs that failure as an error).
      const answers = await page.evaluate(async (url) => {
        const range = await fetch(url, { headers: { Range: 'bytes=0-0' } });
        const missing = await fetch(url.replace('model.onnx', 'never-fetched.onnx')).then((response) => response.status, (error: Error) => error.name);
        return { status: range.status, contentRange: range.headers.get('Content-Range'), bytes: (await range.arrayBuffer()).byteLength, missing };
      }, modelUrl);
      expect(answers).toEqual({ status: 206, contentRange: `bytes 0-0/${modelSize}`, bytes: 1, missing: 'TypeError' });
    } catch (error) {
      console.log(log.join('\n')); // the page's and the worker's console, for the report
      throw error;
    } finally {
      await context.close();
    }
  });
});

// Where presenters open it: the root of a host or a sub-path, a prompt in the query and a slide in the
// hash, visited once online; then the host is gone, and the deck reloads, and opens in a new tab.
describe.each([
  { where: 'at the root of a host', base: '/' },
  { where: 'on a sub-path', base: '/talks/llm/' },
])('the built deck offline $where, with ?prompt=', ({ base }) => {
  it('reloads, and opens in a new tab with another prompt, after one online visit, with the host gone', async () => {
    const otherPrompt = 'We the people';
    const [expectedIds, otherIds] = [traceSummaryJson(await reference.trace(PROMPT)).ids, traceSummaryJson(await reference.trace(otherPrompt)).ids];
    const host = await serveFolder(deck.dir, () => null, { base });
    let hostOpen = true;
    const { context, page, errors, log } = await openDeck(deck.browser, host.deckUrl, `?prompt=${encodeURIComponent(PROMPT)}&backend=wasm#/3`);
    try {
      await waitForTrace(page, PROMPT);
      expect((await readSlideNumbers(page)).tokenIds).toEqual(expectedIds);
      // The one visit: the engine's files pass through the service worker, which keeps them as they come.
      const modelUrl = `${host.deckUrl}models/sotu-gpt/onnx/model.onnx`;
      const modelSize = readFileSync(join(deck.dir, 'models/sotu-gpt/onnx/model.onnx')).byteLength;
      const cachedModelBytes = () =>
        page.evaluate(async (url) => {
          for (const name of await caches.keys()) {
            const cached = await (await caches.open(name)).match(url);
            if (cached) return (await cached.arrayBuffer()).byteLength;
          }
          return 0;
        }, modelUrl);
      await expect.poll(cachedModelBytes, { timeout: 10_000 }).toBe(modelSize);

      const slideHash = await page.evaluate(() => window.location.hash); // Reveal names #/3 by its slide's id
      expect(slideHash).not.toBe('');
      await host.close();
      hostOpen = false;
      await page.reload();
      await waitForTrace(page, PROMPT);
      expect((await readSlideNumbers(page)).tokenIds).toEqual(expectedIds);
      expect(await page.evaluate(() => window.location.hash)).toBe(slideHash);

      const tab = await context.newPage();
      const tabErrors: string[] = [];
      tab.on('pageerror', (error) => tabErrors.push(error.message));
      await tab.goto(`${host.deckUrl}?prompt=${encodeURIComponent(otherPrompt)}&backend=wasm#/2`);
      await waitForTrace(tab, otherPrompt);
      expect((await readSlideNumbers(tab)).tokenIds).toEqual(otherIds);
      expect(tabErrors).toEqual([]);
      expect(errors).toEqual([]);
    } catch (error) {
      console.log(log.join('\n'));
      throw error;
    } finally {
      await context.close();
      if (hostOpen) await host.close();
    }
  });
});
