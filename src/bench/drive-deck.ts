// Driving the real built deck: prompt edit -> every slide rendered, timed between two performance
// marks the deck sets (src/deck/main.ts, src/deck/render-slides.ts).
import type { Browser, Page } from 'playwright-core';
import { openDeck, submitThroughPromptBar, waitForEngineIdle } from '../browser';
import { log, type BenchBackend } from './bench-settings';
import type { PromptPair } from './bench-prompts';
import { median, summary, type Summary } from './statistics';

export interface PromptEditResult {
  tokens: number;
  prompts: [string, string];
  warmUps: number;
  /** Prompt edit until every slide is drawn. */
  summary: Summary;
  /** Prompt edit until the slide on screen (the attention slide) is drawn. */
  visibleSlide: Summary;
}

/**
 * Milliseconds from the edit (a 'bench:edit-started' mark set just before the prompt bar is filled, or the deck's
 * 'deck:prompt-submitted' mark for `prompt` if earlier) to 'deck:visible-slide-rendered' (the slide on screen) and to
 * 'deck:slides-rendered' (every slide). From the edit, not from Enter: the deck also runs a prompt while it is typed,
 * and on a loaded machine that run can draw the slide before Enter is pressed (a negative time from Enter).
 */
async function promptToSlidesMs(page: Page, prompt: string): Promise<{ all: number; visible: number }> {
  await page.evaluate(() => {
    performance.clearMarks();
    performance.mark('bench:edit-started');
  });
  await submitThroughPromptBar(page, prompt);
  await page.waitForFunction(
    (expected) => performance.getEntriesByName('deck:slides-rendered').some((mark) => (mark as PerformanceMark).detail?.prompt === expected),
    prompt,
    { timeout: 120_000 },
  );
  // No named helper inside: tsx would wrap it in __name(), which the page does not have.
  return page.evaluate((expected) => {
    const [submitted, rendered, visible] = ['deck:prompt-submitted', 'deck:slides-rendered', 'deck:visible-slide-rendered'].map((name) =>
      performance.getEntriesByName(name).find((mark) => (mark as PerformanceMark).detail?.prompt === expected),
    );
    const edited = performance.getEntriesByName('bench:edit-started')[0];
    if (!submitted || !rendered || !edited) throw new Error('the deck set no deck:prompt-submitted mark for this prompt');
    const start = Math.min(edited.startTime, submitted.startTime);
    return { all: rendered.startTime - start, visible: (visible ?? rendered).startTime - start };
  }, prompt);
}

/**
 * After each Trace the worker streams a generation (with, then without, the KV cache). Each
 * measurement starts once it has finished, so no repetition pays for the previous one's tail.
 * Returns false when the kv-cache slide never said so (it is then given a fixed pause instead).
 */
async function waitForGenerationDone(page: Page, prompt: string, timeout: number): Promise<boolean> {
  try {
    await page.waitForFunction(
      (expected) => {
        const status = document.querySelector<HTMLElement>('#deck-status');
        if (status?.dataset.running !== 'false' || status.getAttribute('data-trace-prompt') !== expected) return false;
        const kv = document.querySelector('section#kv-cache');
        return !!kv?.querySelector('.kv-timing') && !kv.querySelector('.generation-streaming') && !document.querySelector('[data-live-stale]');
      },
      prompt,
      { timeout },
    );
    return true;
  } catch {
    return false;
  }
}

/** Each pair's prompt edits timed in the deck on WASM, on the attention slide: the pair's two prompts alternated, `reps` times each. */
export async function benchDeck(browser: Browser, deckUrl: string, pairs: PromptPair[], reps: number, notes: string[], search = '', backend: BenchBackend = 'wasm'): Promise<{ results: PromptEditResult[]; errors: string[] }> {
  const deck = await openDeck(browser, deckUrl, `?backend=${backend}${search}#/attention`);
  try {
    await waitForEngineIdle(deck.page);
    const phase = await deck.page.getAttribute('#deck-status', 'data-phase');
    const running = await deck.page.getAttribute('#deck-status', 'data-backend');
    if (phase !== 'ready') throw new Error(`the deck's model did not load (phase ${phase}): ${deck.errors.join(' | ')}`);
    if (running !== backend) throw new Error(`the deck runs on ${running}, not ${backend}`);
    const results: PromptEditResult[] = [];
    let generationSignal = true;
    const settle = async (prompt: string) => {
      if (generationSignal && !(await waitForGenerationDone(deck.page, prompt, 60_000))) {
        generationSignal = false;
        notes.push('the kv-cache slide never showed its generation finished: a fixed 3 s pause was used between repetitions instead');
      }
      if (!generationSignal) await deck.page.waitForTimeout(3000);
    };
    // A warm-up round over every prompt first (JIT, first renders of each slide), not counted.
    for (const pair of pairs) {
      for (const prompt of pair.texts) {
        await promptToSlidesMs(deck.page, prompt);
        await settle(prompt);
      }
    }
    log('deck: warm-up round done');
    for (const pair of pairs) {
      const warmUps = 2;
      const samples: number[] = [];
      const visibleSamples: number[] = [];
      for (let rep = -warmUps; rep < 2 * reps; rep++) {
        const prompt = pair.texts[(rep + warmUps) % 2]; // alternate, so the prompt really changes
        const ms = await promptToSlidesMs(deck.page, prompt);
        await settle(prompt);
        const shown = Number(await deck.page.getAttribute('#deck-status', 'data-token-count'));
        if (shown !== pair.tokens) throw new Error(`the deck read ${shown} tokens for a ${pair.tokens}-token prompt`);
        if (rep >= 0) samples.push(ms.all);
        if (rep >= 0) visibleSamples.push(ms.visible);
      }
      log(`deck${search}, ${pair.tokens} tokens: median ${median(visibleSamples).toFixed(1)} ms to the slide on screen, ${median(samples).toFixed(1)} ms to every slide`);
      results.push({ tokens: pair.tokens, prompts: pair.texts, warmUps, summary: summary(samples), visibleSlide: summary(visibleSamples) });
    }
    return { results, errors: deck.errors };
  } finally {
    await deck.context.close();
  }
}
