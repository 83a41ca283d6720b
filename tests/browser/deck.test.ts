// The deck in headless chromium shows the numbers `npm run trace -- --json` computes in Node:
// the same token ids, attention weights, next-token probabilities, logit lens and greedy answer, on WASM and on WebGPU.
// It works from a sub-path, keeps the prompt in the URL, and asks nothing of any other origin.
import { describe, expect, it } from 'vitest';
import { traceSummaryJson } from '../../src/engine/trace-summary';
import { deckSlides } from '../../slides/index';
import {
  openDeck,
  readSlideNumbers,
  type SlideNumbers,
  typePrompt,
  waitForEngineIdle,
  waitForTrace,
} from '../../src/browser';
import { nextTokenProbs, NodeReference } from './harness';
import { useBuiltDeck } from './built-deck';

const PROMPT = 'How do I bake chocolate chip cookies?';

/** The id of the slide that follows `id` in the deck. */
function slideAfter(id: string): string {
  return deckSlides[deckSlides.findIndex((slide) => slide.id === id) + 1].id;
}
/** fp32 on three runtimes (onnxruntime-node, WASM, SwiftShader WebGPU) agrees far closer than this. */
const PROB_TOLERANCE = 1e-4;

const deck = useBuiltDeck({ webgpu: true });
const reference = new NodeReference();

function expectAttentionMatches(shown: SlideNumbers['attention'], expected: number[][][][]): void {
  const probs = expected[shown.layer][shown.head];
  const n = probs.length;
  expect(shown.cells.length).toBe((n * (n + 1)) / 2); // every query sees itself and the tokens before it
  for (const cell of shown.cells) {
    expect(cell.key).toBeLessThanOrEqual(cell.query);
    expect(Math.abs(cell.prob - probs[cell.query][cell.key]), `layer ${shown.layer} head ${shown.head} q${cell.query} k${cell.key}`).toBeLessThan(PROB_TOLERANCE);
  }
}

describe.each(['wasm', 'webgpu'] as const)('the deck on %s', (backend) => {
  it(`shows the token ids, attention and next-token probabilities the trace command computes (${backend})`, async () => {
    const { context, page, errors } = await openDeck(deck.browser, deck.server.deckUrl, `?backend=${backend}`);
    await waitForEngineIdle(page);
    const status = page.locator('#deck-status');
    expect(await status.getAttribute('data-phase')).toBe('ready');
    expect(await status.getAttribute('data-backend')).toBe(backend);
    await expect.poll(() => status.locator('[data-notice="backend"]').textContent()).toContain('forced');

    await typePrompt(page, PROMPT);
    await waitForTrace(page, PROMPT);
    const shown = await readSlideNumbers(page);
    const expectedTrace = await reference.trace(PROMPT);
    const expected = traceSummaryJson(expectedTrace);

    expect(shown.tokenIds).toEqual(expected.ids);
    expect(await status.getAttribute('data-token-count')).toBe(String(expected.ids.length));

    // Ranks of near-equal candidates may swap between runtimes, so compare each shown candidate's
    // probability with Node's for the same id, and the ranked values with Node's ranked values.
    const nodeProbs = nextTokenProbs(expectedTrace);
    expect(shown.topk.length).toBe(expected.topk.length);
    shown.topk.forEach((candidate, rank) => {
      expect(Math.abs(candidate.prob - nodeProbs[candidate.id]), `candidate ${candidate.id}`).toBeLessThan(PROB_TOLERANCE);
      expect(Math.abs(candidate.prob - expected.topk[rank].prob), `rank ${rank + 1}`).toBeLessThan(PROB_TOLERANCE);
    });

    expect(shown.attention.layer).toBe(0);
    expectAttentionMatches(shown.attention, expected.attention);
    // The last layer's last head too, chosen on the slide as the presenter would.
    const lastLayer = expected.attention.length - 1;
    const lastHead = expected.attention[lastLayer].length - 1;
    await page.locator('section#attention [aria-label="Layer"] button').nth(lastLayer).dispatchEvent('click');
    await page.locator('section#attention [aria-label="Head"] button').nth(lastHead).dispatchEvent('click');
    const chosen = (await readSlideNumbers(page)).attention;
    expect([chosen.layer, chosen.head]).toEqual([lastLayer, lastHead]);
    expectAttentionMatches(chosen, expected.attention);

    // The logit lens comes after the answer (the traced pass leaves it out, no slide on screen shows it): the same rows as Node's
    // traced pass computes, the slide (off screen) drawn when it arrives.
    const lens = page.locator('section#logit-lens .slide-content');
    await expect.poll(() => lens.getAttribute('data-stage-count'), { timeout: 60_000 }).toBe(String(expectedTrace.extras!.logitLens.length));
    expect(await lens.getAttribute('data-lens-pending')).toBeNull();
    const lensCells = await page.$$eval('section#logit-lens .lens-stage-row', (rows) =>
      rows.map((row) => Array.from(row.querySelectorAll<HTMLElement>('.lens-cell[data-rank]'), (cell) => ({ id: Number(cell.dataset.tokenId), prob: Number(cell.dataset.prob) }))),
    );
    lensCells.forEach((cells, stage) => {
      const nodeRow = expectedTrace.extras!.logitLens[stage].top;
      expect(cells.map((cell) => cell.id), `lens stage ${stage}`).toEqual(nodeRow.map((candidate) => candidate.id));
      cells.forEach((cell, rank) => expect(Math.abs(cell.prob - nodeRow[rank].prob), `lens stage ${stage} rank ${rank + 1}`).toBeLessThan(PROB_TOLERANCE));
    });

    // The answer went on from the Trace's pass (its cache on the GPU on WebGPU), and is the one Node's loop gives.
    expect(await page.locator('section#kv-cache .kv-same-tokens').textContent()).toContain('Step 1 is the prompt’s own pass.');
    const generated = await page.$$eval('section#generation .generation-step[data-step]', (rows) => rows.map((row) => Number((row as HTMLElement).dataset.tokenId)));
    expect(generated.length).toBeGreaterThan(0);
    expect(generated).toEqual(await reference.answerIds(PROMPT, generated.length));

    // The prompt is in the URL, so a link reproduces the deck.
    await expect.poll(() => new URL(page.url()).searchParams.get('prompt')).toBe(PROMPT);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('the deck', () => {
  it('opens a link with ?prompt= on its slide, and the prompt bar (E) changes the prompt from any slide', async () => {
    const { context, page, errors } = await openDeck(deck.browser, deck.server.deckUrl, `?backend=wasm&prompt=${encodeURIComponent(PROMPT)}#/attention`);
    await waitForTrace(page, PROMPT);
    expect(await page.locator('section#attention').getAttribute('class')).toContain('present');
    expect(await page.inputValue('#title-prompt')).toBe(PROMPT);

    await page.keyboard.press('e');
    const bar = page.locator('#prompt-bar');
    await expect.poll(() => bar.isVisible()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('prompt-bar-input');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('The state of the'); // typed key by key: runs are debounced, only the newest counts
    await page.keyboard.type(' union is strong');
    await page.keyboard.press('Enter');
    await waitForTrace(page, 'The state of the union is strong');
    expect(await bar.isVisible()).toBe(false);
    expect(await page.inputValue('#title-prompt')).toBe('The state of the union is strong');
    // Speaker notes follow the new Trace too.
    expect(await page.locator('section#title aside.notes').textContent()).toContain('"The state of the union is strong"');

    // Esc closes the bar without touching the deck (Reveal's Esc would open the overview).
    await page.keyboard.press('e');
    await expect.poll(() => bar.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => bar.isVisible()).toBe(false);
    expect(await page.locator('.reveal.overview').count()).toBe(0);

    // Reveal has the keyboard back: still on the attention slide, and arrows move on.
    expect(new URL(page.url()).hash).toBe('#/attention');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => new URL(page.url()).hash, { timeout: 10_000 }).toBe(`#/${slideAfter('attention')}`);
    await page.evaluate(() => (window.location.hash = '#/next-token'));
    const expected = traceSummaryJson(await reference.trace('The state of the union is strong'));
    expect((await readSlideNumbers(page)).tokenIds).toEqual(expected.ids);
    await expect.poll(() => new URL(page.url()).searchParams.get('prompt')).toBe('The state of the union is strong');
    expect(errors).toEqual([]);
    await context.close();
  });

  // A presenter's clicker sends PageDown / PageUp. Typed without Enter, the prompt keeps the field focused, and Reveal
  // ignores keys while a field has focus: the clicker must still move the slides, here and in the speaker view.
  it("moves the slides on a clicker's PageDown / PageUp while a prompt field has focus, and the typed prompt still runs", async () => {
    const { context, page, errors } = await openDeck(deck.browser, deck.server.deckUrl, '?backend=wasm');
    await waitForEngineIdle(page);
    await page.click('#title-prompt');
    await page.keyboard.type('The Congress shall'); // no Enter: the typing pause runs it
    await page.keyboard.press('PageDown');
    await expect.poll(() => new URL(page.url()).hash, { timeout: 10_000 }).toBe(`#/${slideAfter('title')}`);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id ?? null)).not.toBe('title-prompt'); // Reveal has the keys back
    await waitForTrace(page, 'The Congress shall');
    await page.keyboard.press('PageUp');
    await expect.poll(() => new URL(page.url()).hash, { timeout: 10_000 }).toBe('#/title');

    // The speaker view's prompt field gives the clicker's keys to the speaker view, which moves the slides.
    const speakerViewOpened = context.waitForEvent('page');
    await page.keyboard.press('s');
    const speakerView = await speakerViewOpened;
    const speakerPrompt = speakerView.locator('#speaker-prompt');
    await expect.poll(() => speakerPrompt.inputValue(), { timeout: 30_000 }).toBe('The Congress shall');
    await speakerPrompt.click();
    await speakerView.keyboard.press('PageDown');
    await expect.poll(() => new URL(page.url()).hash, { timeout: 10_000 }).toBe(`#/${slideAfter('title')}`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("fills the speaker view (S) with the live notes, and refreshes them when the Trace changes", async () => {
    const { context, page, errors } = await openDeck(deck.browser, deck.server.deckUrl, '?backend=wasm&prompt=Hello');
    await waitForTrace(page, 'Hello');
    const speakerViewOpened = context.waitForEvent('page');
    await page.keyboard.press('s');
    const speakerView = await speakerViewOpened;
    const notes = speakerView.locator('.speaker-controls-notes');
    await expect.poll(() => notes.textContent(), { timeout: 30_000 }).toContain('"Hello"');
    // A new prompt while the deck stays on the same slide: the speaker sees the new numbers at once.
    await page.bringToFront();
    await page.keyboard.press('e');
    await page.keyboard.type('The people of the union');
    await page.keyboard.press('Enter');
    await waitForTrace(page, 'The people of the union');
    await expect.poll(() => notes.textContent(), { timeout: 10_000 }).toContain('"The people of the union"');
    expect(errors).toEqual([]);
    await context.close();
  });

  // Issue 12 changed this: SwiftShader's adapter is a software fallback, so the deck now chooses WASM by itself
  // (before: WebGPU); ?backend=webgpu still forces WebGPU (the describe.each above). The badge fades once loaded.
  it('asks nothing of any other origin while it loads and runs a prompt (WASM chosen by itself over a software adapter)', async () => {
    const { context, page, requests } = await openDeck(deck.browser, deck.server.deckUrl, `?prompt=${encodeURIComponent(PROMPT)}`);
    await waitForTrace(page, PROMPT);
    const status = page.locator('#deck-status');
    expect(await status.getAttribute('data-backend')).toBe('wasm');
    expect(await status.locator('[data-notice="backend"]').textContent()).toMatch(/software fallback \(SwiftShader.*running on WASM/);
    expect(await status.getAttribute('data-reason')).toMatch(/software fallback/);
    await expect.poll(() => status.getAttribute('data-quiet')).toBe('true');
    await expect.poll(() => status.evaluate((element) => getComputedStyle(element).opacity)).toBe('0');
    const deckOrigin = new URL(deck.server.deckUrl).origin;
    const elsewhere = requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== deckOrigin);
    expect(elsewhere).toEqual([]);
    // The log holds the worker's requests too: the model and the runtime came from the deck's sub-path.
    const deckPaths = requests.map((url) => (url.startsWith(deck.server.deckUrl) ? url.slice(deck.server.deckUrl.length) : url));
    expect(deckPaths).toContain('models/sotu-gpt/onnx/model.onnx');
    expect(deckPaths).toContain('ort/ort-wasm-simd-threaded.asyncify.wasm');
    expect(deck.server.requested.filter((path) => path.startsWith('/'))).toEqual([]); // nothing outside the sub-path
    await context.close();
  });
});
