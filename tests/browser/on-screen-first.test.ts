// What is seen first (issue 13 item 2): after a prompt edit only the slide on screen is drawn at once, the
// others when the browser is idle (data-live-stale until then); reaching a slide draws it with the current
// Trace, never an older one; print mode draws every slide before printing. The logit lens comes with the Trace on
// its own slide (and on the one before it while a speaker view previews the next slide, until it closes), after the answer elsewhere. The page's requestIdleCallback is
// replaced by a queue the test empties, so "before the next idle period" is a moment the test controls.
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { submitThroughPromptBar } from '../../src/browser';
import { useBuiltDeck } from './built-deck';
import { deckSlides } from '../../slides/index';

const deck = useBuiltDeck({ webgpu: false });
const FIRST = 'The Congress shall have power';
const SECOND = 'We must lower taxes for working families.';

/** Idle callbacks wait in window.__idleQueue until window.__flushIdle() runs them. */
const HOLD_IDLE_CALLBACKS = `
  window.__idleQueue = [];
  window.requestIdleCallback = (callback) => window.__idleQueue.push(callback);
  window.__flushIdle = () => {
    let ran = 0;
    while (window.__idleQueue.length > 0) { window.__idleQueue.shift()({ timeRemaining: () => 50, didTimeout: false }); ran++; }
    return ran;
  };
`;

async function openHoldingIdle(browser: Browser, search: string): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.addInitScript(HOLD_IDLE_CALLBACKS);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  await page.goto(deck.server.deckUrl + search);
  return { page, errors, close: () => context.close() };
}

/** The status says this prompt's Trace arrived (slides may still be stale). */
async function traceArrived(page: Page, prompt: string): Promise<void> {
  await page.waitForFunction(
    (expected) => {
      const status = document.querySelector<HTMLElement>('#deck-status');
      return status?.dataset.running === 'false' && status.getAttribute('data-trace-prompt') === expected;
    },
    prompt,
    { timeout: 120_000 },
  );
}

/** The answer finished streaming and the (off-screen) generation slide drew its end: idle periods given as it goes. */
const generationDrawnDone = (page: Page) =>
  page.waitForFunction(
    () => {
      (window as unknown as { __flushIdle: () => number }).__flushIdle();
      return document.querySelector('#generation .generation-body')?.getAttribute('data-done') === 'true' && document.querySelector('#deck-status')?.getAttribute('data-running') === 'false';
    },
    undefined,
    { timeout: 60_000, polling: 100 },
  );
const staleSlides = (page: Page) => page.evaluate(() => Array.from(document.querySelectorAll<HTMLElement>('section[data-live-stale]'), (section) => section.id));
const slideText = (page: Page, id: string) => page.evaluate((slideId) => document.querySelector(`section#${slideId} .slide-content`)?.textContent ?? '', id);
const flushIdle = (page: Page) => page.evaluate(() => (window as unknown as { __flushIdle: () => number }).__flushIdle());
/** Idle periods until nothing is stale: the answer's run without the cache may still stream after the cached run is done. */
const noStaleAfterIdle = (page: Page) =>
  expect
    .poll(
      async () => {
        await flushIdle(page);
        return staleSlides(page);
      },
      { timeout: 60_000, interval: 200 },
    )
    .toEqual([]);
const allDrawnMarks = (page: Page, prompt: string) =>
  page.evaluate((expected) => performance.getEntriesByName('deck:slides-rendered').filter((mark) => (mark as PerformanceMark).detail?.prompt === expected).length, prompt);

describe('the slide on screen first', () => {
  it('draws only the attention slide after a prompt edit there, the others when idle or reached, never stale', async () => {
    const { page, errors, close } = await openHoldingIdle(deck.browser, `?backend=wasm&prompt=${encodeURIComponent(FIRST)}#/attention`);
    await traceArrived(page, FIRST);
    await flushIdle(page);
    await generationDrawnDone(page);
    await noStaleAfterIdle(page);
    expect(await slideText(page, 'tokenization')).not.toContain('taxes');

    await submitThroughPromptBar(page, SECOND);
    await traceArrived(page, SECOND);
    // Before the next idle period: the attention slide shows the new prompt; every other live slide waits.
    const stale = await staleSlides(page);
    expect(stale).not.toContain('attention');
    expect(stale).toEqual(expect.arrayContaining(['title', 'tokenization', 'logit-lens', 'next-token']));
    expect(await slideText(page, 'attention')).toContain('taxes');
    expect(await slideText(page, 'tokenization')).not.toContain('taxes'); // still the first prompt's, marked stale
    expect(await allDrawnMarks(page, SECOND)).toBe(0);

    // Reaching a slide draws it with the current Trace at once.
    await page.evaluate(() => (window.location.hash = '#/tokenization'));
    await page.waitForFunction(() => document.querySelector('section#tokenization')?.classList.contains('present'));
    expect(await staleSlides(page)).not.toContain('tokenization');
    expect(await slideText(page, 'tokenization')).toContain('taxes');

    // The idle periods draw the rest; then the all-slides mark (npm run bench) is set.
    expect(await flushIdle(page)).toBeGreaterThan(0);
    await generationDrawnDone(page);
    await noStaleAfterIdle(page);
    expect(await allDrawnMarks(page, SECOND)).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await close();
  }, 240_000);

  it('while a newer prompt runs, idle periods draw no slide with the older Trace', async () => {
    const { page, errors, close } = await openHoldingIdle(deck.browser, `?backend=wasm&prompt=${encodeURIComponent(FIRST)}#/attention`);
    await traceArrived(page, FIRST);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('e');
    await page.locator('#prompt-bar-input').waitFor({ state: 'visible', timeout: 10_000 });
    // Enter, then the idle periods, in one task: the new Trace cannot have arrived in between.
    const during = await page.evaluate((prompt) => {
      const stale = () => Array.from(document.querySelectorAll<HTMLElement>('section[data-live-stale]'), (section) => section.id);
      const field = document.querySelector<HTMLTextAreaElement>('#prompt-bar-input')!;
      field.value = prompt;
      field.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste', data: prompt }));
      field.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', bubbles: true, cancelable: true }));
      const before = stale();
      (window as unknown as { __flushIdle: () => number }).__flushIdle();
      return { before, after: stale(), running: document.querySelector<HTMLElement>('#deck-status')?.dataset.running };
    }, SECOND);
    expect(during.running).toBe('true');
    expect(during.before).toEqual(expect.arrayContaining(['title', 'tokenization']));
    expect(during.after).toEqual(during.before); // nothing drawn with the first prompt's Trace
    await traceArrived(page, SECOND);
    await generationDrawnDone(page);
    await noStaleAfterIdle(page);
    expect(await slideText(page, 'tokenization')).toContain('taxes');
    expect(errors).toEqual([]);
    await close();
  }, 240_000);

  it('on the logit lens\'s slide the Trace brings the lens; elsewhere the answer does, once it is done', async () => {
    const { page, errors, close } = await openHoldingIdle(deck.browser, `?backend=wasm&prompt=${encodeURIComponent(FIRST)}#/logit-lens`);
    const lens = page.locator('section#logit-lens .slide-content');
    await traceArrived(page, FIRST);
    // Drawn as the Trace arrived, from the Trace itself: no wait for the answer.
    expect(await lens.getAttribute('data-lens-source')).toBe('trace');
    expect(await lens.getAttribute('data-lens-pending')).toBeNull();
    expect(Number(await lens.getAttribute('data-stage-count'))).toBeGreaterThan(1);
    await generationDrawnDone(page);

    await page.evaluate(() => (window.location.hash = '#/attention'));
    await page.waitForFunction(() => document.querySelector('section#attention')?.classList.contains('present'));
    await submitThroughPromptBar(page, SECOND);
    await traceArrived(page, SECOND);
    await generationDrawnDone(page);
    await noStaleAfterIdle(page);
    expect(await lens.getAttribute('data-lens-source')).toBe('answer');
    expect(await lens.getAttribute('data-lens-pending')).toBeNull();
    expect(errors).toEqual([]);
    await close();
  }, 240_000);

  it("on the slide before the lens's, the Trace brings the lens once a speaker view previews the next slide", async () => {
    const before = deckSlides[deckSlides.findIndex((slide) => slide.id === 'logit-lens') - 1].id;
    const { page, errors, close } = await openHoldingIdle(deck.browser, `?backend=wasm&prompt=${encodeURIComponent(FIRST)}#/${before}`);
    const lens = page.locator('section#logit-lens .slide-content');
    await traceArrived(page, FIRST);
    await generationDrawnDone(page);
    await noStaleAfterIdle(page);
    expect(await lens.getAttribute('data-lens-source')).toBe('answer'); // no speaker view: after the answer

    const speakerViewOpened = page.context().waitForEvent('page');
    await page.keyboard.press('s');
    const speakerView = await speakerViewOpened;
    // Its previews have said hello once one draws the presenter's Trace: the upcoming one shows the lens's slide.
    const previewsDrawn = async () => {
      for (const frame of speakerView.frames()) {
        const source = await frame.evaluate(() => document.querySelector('section#logit-lens .slide-content')?.getAttribute('data-lens-source') ?? null).catch(() => null);
        if (source) return true;
      }
      return false;
    };
    await expect.poll(previewsDrawn, { timeout: 30_000 }).toBe(true);
    await page.bringToFront();
    await submitThroughPromptBar(page, SECOND);
    await traceArrived(page, SECOND);
    await noStaleAfterIdle(page);
    expect(await lens.getAttribute('data-lens-source')).toBe('trace');

    // The speaker view closed: its previews said bye, and the lens waits for the answer again.
    await generationDrawnDone(page);
    await speakerView.close();
    await submitThroughPromptBar(page, FIRST);
    await traceArrived(page, FIRST);
    await generationDrawnDone(page);
    await noStaleAfterIdle(page);
    expect(await lens.getAttribute('data-lens-source')).toBe('answer');
    expect(errors).toEqual([]);
    await close();
  }, 240_000);

  it('draws every slide at once in print mode (no idle period needed)', async () => {
    const { page, errors, close } = await openHoldingIdle(deck.browser, `?print-pdf&backend=wasm&prompt=${encodeURIComponent(SECOND)}`);
    await traceArrived(page, SECOND);
    expect(await staleSlides(page)).toEqual([]);
    expect(await slideText(page, 'tokenization')).toContain('taxes');
    expect(await slideText(page, 'attention')).toContain('taxes');
    expect(await allDrawnMarks(page, SECOND)).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await close();
  }, 240_000);
});
