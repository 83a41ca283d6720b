// Driving the real built deck: a prompt edit (Enter) -> the slide on screen drawn, and -> every slide drawn, timed
// between performance marks the deck sets (src/deck/live-llm-plugin.ts, src/deck/render-slides.ts; see editMs).
import type { Browser, Page } from 'playwright-core';
import { openDeck, waitForEngineIdle } from '../browser';
import { log, type BenchBackend } from './bench-settings';
import type { PromptPair } from './bench-prompts';
import { median, summary, type Summary } from './statistics';

export interface PromptEditResult {
  tokens: number;
  prompts: [string, string];
  warmUps: number;
  /** Enter until every slide is drawn (their DOM and notes built). */
  summary: Summary;
  /** Enter until the slide on screen (the attention slide) is drawn: the first frame painted after its DOM was built. */
  visibleSlide: Summary;
  /** Enter until the slide on screen's DOM is built and laid out (before the frame that paints it). */
  visibleSlideBuilt: Summary;
  /** Enter until the Trace reaches the page's slide drawing: the run in the worker and the message. */
  traceReceived: Summary;
  /** runTrace's own time in the deck's worker (the Trace's timings.totalMs) for the same edits. */
  runTraceInWorker: Summary;
  /** Enter until the answer's first token is in the page (the answer begun, after the Trace). */
  firstAnswerToken: Summary;
  /** Repetitions whose slide already showed the prompt at Enter, counted as 0 ms (none expected: see editMs). */
  drawnBeforeEnter: number;
  /**
   * The same edit made while the previous prompt's answer streams (each sent as soon as that answer has begun):
   * Enter until the slide on screen is painted, and until the Trace is in the page. Null when no edit caught an
   * answer streaming (a model that answers within a frame).
   */
  duringAnswer: { edits: number; visibleSlide: Summary; traceReceived: Summary } | null;
}

interface EditTimes {
  all: number;
  visible: number;
  built: number;
  received: number;
  runTraceInWorker: number;
  firstAnswerToken: number;
  drawnBeforeEnter: boolean;
  /** The previous prompt's answer was still streaming at Enter (the status badge's data-answer). */
  answerStreamingAtEnter: boolean;
}

/**
 * One prompt edit as the presenter makes it with the prompt bar (E, the prompt, Enter), timed from the commit: the
 * deck's 'deck:prompt-submitted' mark, set by its Enter handler, which runs the prompt at once (src/deck/live-llm-plugin.ts;
 * EngineClient.setPrompt cancels the typing debounce and sends the run). The prompt goes into the field as one input
 * event and Enter follows in the same task, so the typing debounce (150 ms) can never fire first and no run of a
 * partial or of this prompt starts before Enter. Until (performance marks in the page, src/deck/render-slides.ts):
 * 'deck:trace-received' (the Trace is in the page), 'deck:visible-slide-rendered' (the slide on screen's DOM built and laid out),
 * 'deck:visible-slide-painted' (the next frame made and painted: the slide is on screen; the
 * visible-slide figure), 'deck:slides-rendered' (every slide drawn) and 'deck:first-answer-token' (the answer's
 * first token in the page). Were the slide on screen already drawn for
 * this prompt at Enter (the bench alternates two prompts, so it never should be), the times would be counted as 0,
 * never negative, and the repetition reported in drawnBeforeEnter.
 */
async function editMs(page: Page, prompt: string): Promise<EditTimes> {
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    performance.clearMarks();
  });
  await page.keyboard.press('e');
  await page.locator('#prompt-bar-input').waitFor({ state: 'visible', timeout: 10_000 });
  const answerStreamingAtEnter = await page.evaluate((text) => {
    const streaming = document.querySelector<HTMLElement>('#deck-status')?.dataset.answer === 'streaming';
    const field = document.querySelector<HTMLTextAreaElement>('#prompt-bar-input')!;
    field.value = text;
    field.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste', data: text }));
    field.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', bubbles: true, cancelable: true }));
    return streaming;
  }, prompt);
  const names = ['deck:prompt-submitted', 'deck:trace-received', 'deck:visible-slide-rendered', 'deck:visible-slide-painted', 'deck:slides-rendered', 'deck:first-answer-token'];
  await page.waitForFunction(
    ({ expected, wanted }) => wanted.every((name) => performance.getEntriesByName(name).some((mark) => (mark as PerformanceMark).detail?.prompt === expected)),
    { expected: prompt, wanted: names },
    { timeout: 120_000 },
  );
  // No named helper inside: tsx would wrap it in __name(), which the page does not have.
  const [submitted, received, built, painted, all, firstToken] = await page.evaluate(
    ({ expected, wanted }) => wanted.map((name) => performance.getEntriesByName(name).find((mark) => (mark as PerformanceMark).detail?.prompt === expected)!.startTime),
    { expected: prompt, wanted: names },
  );
  const runTraceInWorker = await page.evaluate(
    (expected) => (performance.getEntriesByName('deck:trace-received').find((mark) => (mark as PerformanceMark).detail?.prompt === expected) as PerformanceMark).detail.runTraceMs as number | null,
    prompt,
  );
  const drawnBeforeEnter = built < submitted;
  const since = (time: number) => Math.max(0, time - submitted);
  return { all: since(all), visible: since(painted), built: since(built), received: since(received), runTraceInWorker: runTraceInWorker ?? Number.NaN, firstAnswerToken: since(firstToken), drawnBeforeEnter, answerStreamingAtEnter };
}

/**
 * After each Trace the worker streams a generation (with, then without, the KV cache). Each measurement starts once
 * both have finished (the status badge's data-answer, src/deck/status-badge.ts), so no repetition waits for the
 * previous one's tail. Returns false when the badge never said so (a fixed pause is used instead).
 */
/** Waits until `prompt`'s answer has begun (streaming, or already done); gives up quietly after `timeout`. */
async function waitForAnswerBegun(page: Page, prompt: string, timeout: number): Promise<void> {
  await page
    .waitForFunction(
      (expected) => {
        const status = document.querySelector<HTMLElement>('#deck-status');
        return status?.getAttribute('data-trace-prompt') === expected && status.dataset.answer !== 'none';
      },
      prompt,
      { timeout, polling: 'raf' },
    )
    .catch(() => undefined); // editMs records whether the answer was still streaming at Enter
}

async function waitForGenerationDone(page: Page, prompt: string, timeout: number): Promise<boolean> {
  try {
    await page.waitForFunction(
      (expected) => {
        const status = document.querySelector<HTMLElement>('#deck-status');
        return status?.dataset.running === 'false' && status.getAttribute('data-trace-prompt') === expected && status.dataset.answer === 'done' && !document.querySelector('[data-live-stale]');
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
        notes.push('the status badge never showed the answer finished: a fixed 3 s pause was used between repetitions instead');
      }
      if (!generationSignal) await deck.page.waitForTimeout(3000);
    };
    // A warm-up round over every prompt first (JIT, first renders of each slide), not counted.
    for (const pair of pairs) {
      for (const prompt of pair.texts) {
        await editMs(deck.page, prompt);
        await settle(prompt);
      }
    }
    log('deck: warm-up round done');
    for (const pair of pairs) {
      const warmUps = 2;
      const times: EditTimes[] = [];
      for (let rep = -warmUps; rep < 2 * reps; rep++) {
        const prompt = pair.texts[(rep + warmUps) % 2]; // alternate, so the prompt really changes
        const ms = await editMs(deck.page, prompt);
        await settle(prompt);
        const shown = Number(await deck.page.getAttribute('#deck-status', 'data-token-count'));
        if (shown !== pair.tokens) throw new Error(`the deck read ${shown} tokens for a ${pair.tokens}-token prompt`);
        if (rep >= 0) times.push(ms);
      }
      const of = (pick: (t: EditTimes) => number) => times.map(pick);
      const drawnBeforeEnter = times.filter((t) => t.drawnBeforeEnter).length;
      if (drawnBeforeEnter > 0) notes.push(`${pair.tokens} tokens: ${drawnBeforeEnter} repetitions found the slide already drawn for their prompt at Enter (counted as 0 ms)`);
      log(
        `deck${search}, ${pair.tokens} tokens, from Enter: median ${median(of((t) => t.received)).toFixed(1)} ms to the Trace in the page (runTrace in the worker ${median(of((t) => t.runTraceInWorker)).toFixed(1)} ms), ${median(of((t) => t.built)).toFixed(1)} ms to the slide on screen built, ` +
          `${median(of((t) => t.visible)).toFixed(1)} ms to it painted, ${median(of((t) => t.all)).toFixed(1)} ms to every slide, ${median(of((t) => t.firstAnswerToken)).toFixed(1)} ms to the answer's first token`,
      );
      // Then edits made while the answer streams, as a presenter typing on: each sent once the last one's answer has begun.
      const during: EditTimes[] = [];
      let previous = pair.texts[(2 * reps + warmUps - 1) % 2];
      for (let rep = 0; rep < 2 * reps; rep++) {
        const prompt = pair.texts[(rep + 2 * reps + warmUps) % 2];
        await waitForAnswerBegun(deck.page, previous, 10_000);
        const ms = await editMs(deck.page, prompt);
        if (ms.answerStreamingAtEnter) during.push(ms);
        previous = prompt;
      }
      await settle(previous);
      if (during.length > 0) log(`deck${search}, ${pair.tokens} tokens, edits during the answer (${during.length} of ${2 * reps}): median ${median(during.map((t) => t.received)).toFixed(1)} ms to the Trace in the page, ${median(during.map((t) => t.visible)).toFixed(1)} ms to the slide on screen painted`);
      results.push({
        duringAnswer: during.length > 0 ? { edits: during.length, visibleSlide: summary(during.map((t) => t.visible)), traceReceived: summary(during.map((t) => t.received)) } : null,
        tokens: pair.tokens,
        prompts: pair.texts,
        warmUps,
        summary: summary(of((t) => t.all)),
        visibleSlide: summary(of((t) => t.visible)),
        visibleSlideBuilt: summary(of((t) => t.built)),
        traceReceived: summary(of((t) => t.received)),
        runTraceInWorker: summary(of((t) => t.runTraceInWorker)),
        firstAnswerToken: summary(of((t) => t.firstAnswerToken)),
        drawnBeforeEnter,
      });
    }
    return { results, errors: deck.errors };
  } finally {
    await deck.context.close();
  }
}
