// Bad input never breaks the deck: an empty prompt invites, a long one is cut with a notice,
// markup in a prompt stays text, odd Unicode runs cleanly, a missing or corrupt model file is
// named on screen while Reveal still navigates, a browser without WebGPU runs on WASM, and a deck
// opened as a file says how to open it.
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { deckSlides } from '../../slides/index';
import {
  openDeck,
  readSlideNumbers,
  serveFolder,
  setPromptValue,
  typePrompt,
  waitForEngineIdle,
  waitForTrace,
} from '../../src/browser';
import { NodeReference } from './harness';
import { useBuiltDeck } from './built-deck';

const deck = useBuiltDeck({ webgpu: false }); // no adapter here: the deck must pick WASM itself
const reference = new NodeReference();

/** Counts the `run` messages the page sends its worker (installed before the deck's own scripts). */
async function countRuns(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const send = Worker.prototype.postMessage;
    (window as unknown as { __runs: number }).__runs = 0;
    Worker.prototype.postMessage = function (this: Worker, message: unknown, ...rest: unknown[]) {
      if ((message as { type?: string })?.type === 'run') (window as unknown as { __runs: number }).__runs++;
      return (send as (...args: unknown[]) => void).call(this, message, ...rest);
    } as typeof send;
  });
}

describe('bad input', () => {
  it('says how to open the deck when it is opened as a file (no script runs), and never shows that when it starts', async () => {
    const context = await deck.browser.newContext();
    const page = await context.newPage();
    await page.goto(`file://${deck.dir}/index.html`);
    const message = page.locator('#deck-not-started');
    await expect.poll(() => message.evaluate((element) => getComputedStyle(element).opacity), { timeout: 10_000 }).toBe('1');
    expect(await message.textContent()).toContain('npm run preview');

    await page.goto(deck.server.deckUrl);
    await waitForEngineIdle(page);
    expect(await page.locator('#deck-not-started').count()).toBe(0);
    await context.close();
  });

  it('runs on WASM with a quiet notice when the browser has no WebGPU adapter', async () => {
    const { context, page, errors } = await openDeck(deck.browser, deck.server.deckUrl);
    await waitForEngineIdle(page);
    const status = page.locator('#deck-status');
    expect(await status.getAttribute('data-phase')).toBe('ready');
    expect(await status.getAttribute('data-backend')).toBe('wasm');
    expect(await status.locator('[data-notice="backend"]').textContent()).toMatch(/WebGPU.*WASM/);
    expect(await status.locator('[data-notice="backend"]').getAttribute('class')).toContain('status-quiet');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('invites a prompt, and runs nothing, while the prompt is empty', async () => {
    const context = await deck.browser.newContext();
    const page = await context.newPage();
    await countRuns(page);
    await page.goto(deck.server.deckUrl);
    await waitForEngineIdle(page);
    const invitation = page.locator('section#tokenization .slide-content');
    expect(await invitation.textContent()).toMatch(/Type a prompt/);
    expect(await page.locator('#deck-status [data-notice="empty"]').count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { __runs: number }).__runs)).toBe(0);

    await typePrompt(page, 'Hello there');
    await waitForTrace(page, 'Hello there');
    const runsAfterPrompt = await page.evaluate(() => (window as unknown as { __runs: number }).__runs);
    expect(runsAfterPrompt).toBe(1);
    for (const empty of ['   ', '']) {
      await typePrompt(page, empty);
      await expect.poll(() => page.locator('#deck-status').getAttribute('data-trace-prompt')).toBeNull();
      expect(await invitation.textContent()).toMatch(/Type a prompt/);
      expect(await page.locator('#deck-status [data-notice="run-error"]').count()).toBe(0);
    }
    expect(await page.evaluate(() => (window as unknown as { __runs: number }).__runs)).toBe(runsAfterPrompt);
    // The URL follows after the typing pause (src/deck/live-llm-plugin.ts writes it 400 ms after the last edit, Enter too).
    // Read in the page, not from page.url(): that is Playwright's copy, updated by a protocol event after replaceState.
    await expect.poll(() => page.evaluate(() => new URLSearchParams(window.location.search).has('prompt')), { timeout: 10_000 }).toBe(false);
    await context.close();
  });

  it('cuts a prompt longer than the context window from the left, with a visible notice', async () => {
    const prompt = 'The union is strong and the people are free. '.repeat(40);
    const { context, page, errors } = await openDeck(deck.browser, deck.server.deckUrl);
    await waitForEngineIdle(page);
    await typePrompt(page, prompt);
    await waitForTrace(page, prompt);
    const expected = await reference.trace(prompt);
    expect(expected.droppedTokens).toBeGreaterThan(0);
    const status = page.locator('#deck-status');
    expect(await status.getAttribute('data-dropped-tokens')).toBe(String(expected.droppedTokens));
    const notice = status.locator('[data-notice="dropped"]');
    expect(await notice.isVisible()).toBe(true);
    expect(await notice.textContent()).toContain(String(expected.droppedTokens));
    expect((await readSlideNumbers(page)).tokenIds).toEqual(expected.tokens.map((t) => t.id));

    // 256 x 256 attention weights: one image, a pixel per cell; a click on it picks the row under the pointer.
    await page.evaluate(() => (window.location.hash = '#/attention'));
    const image = page.locator('section#attention .heatmap-image');
    await expect.poll(() => image.isVisible()).toBe(true);
    expect(await image.getAttribute('data-rows')).toBe('256');
    const box = (await image.boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.25, box.y + box.height * 0.5 + 1);
    const attentionRoot = page.locator('section#attention .slide-content');
    await expect.poll(() => attentionRoot.getAttribute('data-query')).toBe('128');
    expect(await page.locator('section#attention [data-query][data-key][data-prob]').count()).toBe(129); // the chosen row's cells
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows markup in a prompt as text and never runs it', async () => {
    const prompt = '<img src=x onerror=window.__pwned=1><script>window.__pwned=1</script>';
    const { context, page, errors } = await openDeck(deck.browser, deck.server.deckUrl);
    await waitForEngineIdle(page);
    await typePrompt(page, prompt);
    await waitForTrace(page, prompt);
    await page.waitForTimeout(200); // an onerror would fire by now
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('.reveal img, .reveal script, #deck-status img').count()).toBe(0);
    const chipsText = await page.locator('section#tokenization .token-row').textContent();
    expect(chipsText).toContain('<script>');
    expect(await page.locator('section#title aside.notes').textContent()).toContain(prompt);
    expect(await page.inputValue('#title-prompt')).toBe(prompt);
    // The same prompt opened from a link is text too.
    await page.goto(`${deck.server.deckUrl}?prompt=${encodeURIComponent(prompt)}`);
    await waitForTrace(page, prompt);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('runs emoji, CJK, right-to-left text, control characters and a lone surrogate without errors', async () => {
    const prompt = 'Family 👩‍👩‍👧 家族 مرحبا بالعالم \u202Ereversed\u202C bell\u0007 nul\u0000 tab\t lone\uD800 end';
    const { context, page, errors } = await openDeck(deck.browser, deck.server.deckUrl);
    await waitForEngineIdle(page);
    await setPromptValue(page, prompt);
    await waitForEngineIdle(page);
    const status = page.locator('#deck-status');
    await expect.poll(() => status.getAttribute('data-token-count'), { timeout: 30_000 }).not.toBe('');
    // The slide on screen is drawn first, the tokenization slide when the browser is idle.
    await page.waitForFunction(() => !document.querySelector('[data-live-stale]'), undefined, { timeout: 120_000 });
    const expected = await reference.trace(prompt);
    expect(await status.getAttribute('data-token-count')).toBe(String(expected.tokens.length));
    expect((await readSlideNumbers(page)).tokenIds).toEqual(expected.tokens.map((t) => t.id));
    expect(await page.locator('section#tokenization .slide-content').getAttribute('data-token-count')).toBe(String(expected.tokens.length));
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('a broken model folder', () => {
  it('says the deck has no such model when a link names one models.json does not list, and what it has', async () => {
    const { context, page, errors } = await openDeck(deck.browser, deck.server.deckUrl, '?backend=wasm&model=sotu-gtp&prompt=Hello');
    await waitForEngineIdle(page);
    const message = page.locator('#deck-status [data-notice="load-error"]');
    expect(await message.textContent()).toMatch(/^This deck has no model sotu-gtp \(its models\.json lists sotu-gpt.*\): check \?model= in the link/);
    expect(await page.locator('section#tokenization .slide-content').textContent()).toContain('This deck has no model sotu-gtp');
    expect(errors.filter((error) => !error.includes('the model failed to load'))).toEqual([]); // the worker's own log of it
    await context.close();
  });

  const modelFile = 'models/sotu-gpt/onnx/model.onnx';

  for (const [what, override] of [
    ['missing', { status: 404, body: 'not found' }],
    ['corrupt', { status: 200, body: Buffer.from('this is not an ONNX protobuf, just forty-odd bytes of text') }],
  ] as const) {
    it(`names the ${what} file, and Reveal still navigates`, async () => {
      const broken = await serveFolder(deck.dir, (path) => (path === modelFile ? override : null));
      try {
        const { context, page } = await openDeck(deck.browser, broken.deckUrl, '?prompt=Hello');
        await waitForEngineIdle(page);
        const status = page.locator('#deck-status');
        expect(await status.getAttribute('data-phase')).toBe('failed');
        const message = status.locator('[data-notice="load-error"]');
        expect(await message.isVisible()).toBe(true);
        expect(await message.textContent()).toContain('model.onnx');
        expect(await page.locator('section#tokenization .slide-content').textContent()).toContain('model.onnx');

        await page.locator('body').click({ position: { x: 5, y: 5 } }); // the keyboard belongs to the deck
        // Arrows still walk the deck in order, past the slides that could not get a Trace.
        for (const slide of deckSlides.slice(1, 4)) {
          await page.keyboard.press('ArrowRight');
          await expect.poll(() => new URL(page.url()).hash, { timeout: 10_000 }).toBe(`#/${slide.id}`); // a loaded machine may take over the 1 s default
        }
        await context.close();
      } finally {
        await broken.close();
      }
    });
  }
});
