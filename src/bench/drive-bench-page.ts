// Driving the bench page (bench.html, src/bench/bench-page.ts): raw forward passes of the plain and the
// traced model, the deck's runTrace, and generation, all on the page's thread.
import type { Browser } from 'playwright-core';
import type { ForwardTimes, GenerationTimes, LoadResult } from './bench-page';
import { GENERATION_PROMPT_TOKENS, log, NEW_TOKENS, type BenchBackend, type BenchModel } from './bench-settings';
import type { PromptPair } from './bench-prompts';

export interface PageResults {
  load: LoadResult;
  forward: ForwardTimes[];
  deckGeneration: GenerationTimes;
  deckLensInFirstStepGeneration: GenerationTimes;
  lensAfterAnswerMs: number[];
  /** The deck's loop asking for every output (the loop before the lean steps): generation before/after in one run. */
  deckEveryOutputGeneration?: GenerationTimes;
  plainGeneration: GenerationTimes;
  tracedGeneration: GenerationTimes | { error: string };
  errors: string[];
}

export async function benchPage(browser: Browser, deckUrl: string, pairs: PromptPair[], reps: number, model: BenchModel, generationReps: number, backend: BenchBackend = 'wasm'): Promise<PageResults> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  try {
    await page.goto(`${deckUrl}bench.html?backend=${backend}`);
    await page.waitForFunction(() => document.documentElement.dataset.benchReady === 'true', undefined, { timeout: 60_000 });
    const load = await page.evaluate((names) => window.bench.load(names), { traced: model.traced, plain: model.plain });
    log(`bench page, ${model.traced}: models loaded (traced ${load.traced.outputs} outputs, plain ${load.plain.outputs})`);
    // A warm-up round over every length first (JIT, allocations), not counted.
    for (const pair of pairs) await page.evaluate((a) => window.bench.forward(a.ids, a.prompt, 2, 0), { ids: pair.ids[0], prompt: pair.texts[0] });
    const forward: ForwardTimes[] = [];
    for (const pair of pairs) {
      const args = { ids: pair.ids[0], prompt: pair.texts[0], reps: 2 * reps };
      forward.push(await page.evaluate((a) => window.bench.forward(a.ids, a.prompt, 2, a.reps), args));
      log(`bench page, ${model.traced}, forward passes, ${pair.tokens} tokens: done`);
    }
    const genIds = pairs.find((pair) => pair.tokens === GENERATION_PROMPT_TOKENS)!.ids[0];
    const genArgs = { ids: genIds, n: NEW_TOKENS, reps: generationReps };
    const generation = await page.evaluate((a) => window.bench.generation(a.ids, a.n, 1, a.reps), genArgs);
    log(`bench page, ${model.traced}, generation: done`);
    return { load, forward, deckGeneration: generation.deck, deckLensInFirstStepGeneration: generation.deckLensInFirstStep, lensAfterAnswerMs: generation.lensAfterAnswerMs, deckEveryOutputGeneration: generation.deckEveryOutput, plainGeneration: generation.plain, tracedGeneration: generation.traced, errors };
  } finally {
    await context.close();
  }
}
