// The bench's summary (issue 13's figures per model), from a report built out of known timings.
import { describe, expect, it } from 'vitest';
import type { PageResults } from '../../src/bench/drive-bench-page';
import type { PromptEditResult } from '../../src/bench/drive-deck';
import { report, summaryOf } from '../../src/bench/report';
import { summary } from '../../src/bench/statistics';

const model = { traced: 'm', plain: 'm-plain', lengths: [8, 32], deckLengths: [32], deckSearch: '' };
const forward = (tokens: number, plainMs: number, tracedMs: number) => ({
  tokens,
  plainMs: [plainMs, plainMs],
  tracedMs: [tracedMs, tracedMs],
  tracedWithLensMs: [tracedMs + 1, tracedMs + 1],
  runTraceMs: [2 * tracedMs, 2 * tracedMs],
  runTraceForwardMs: [tracedMs, tracedMs],
  runTraceCollectMs: [tracedMs, tracedMs],
  maxLogitDifference: 0,
});
const generation = (ms: number) => ({ promptTokens: 8, maxNewTokens: 32, runs: [{ ms, newTokens: 32 }], ids: [1, 2, 3] });
const page: PageResults = {
  load: { traced: { name: 'm', loadMs: 1, outputs: 80 }, plain: { name: 'm-plain', loadMs: 1, outputs: 9 }, crossOriginIsolated: false, numThreads: 1 },
  forward: [forward(8, 10, 13), forward(32, 20, 22)],
  deckGeneration: generation(400),
  deckLensInFirstStepGeneration: generation(440),
  lensAfterAnswerMs: [3, 5],
  plainGeneration: generation(320),
  tracedGeneration: generation(380),
  errors: [],
};
const deck: PromptEditResult[] = [{ tokens: 32, prompts: ['a', 'b'], warmUps: 2, summary: summary([200, 300]), visibleSlide: summary([25, 35]), visibleSlideBuilt: summary([15, 25]), traceReceived: summary([10, 20]), runTraceInWorker: summary([8, 18]), firstAnswerToken: summary([40, 60]), drawnBeforeEnter: 0, duringAnswer: { edits: 2, visibleSlide: summary([30, 50]), traceReceived: summary([15, 25]) } }];

describe('the bench summary', () => {
  it('takes the worst traced/plain ratio, the 32-token edits, and plain ÷ deck generation speed', () => {
    const r = report({ model, generationReps: 1, chromium: 'x', conversionMs: 1, page, deck, deckErrors: [], notes: [], reps: 1 });
    expect(summaryOf(r)).toEqual({ tracedForwardRatio: 1.3, visibleSlideRatio: 1.5, visibleSlideDuringAnswerRatio: 2, allSlidesMs: 250, generationRatio: 1.25, memoryRatio: null, slideValuesEqualWasm: null });
    expect(r.forwardAndPromptEdit[1].deckEditsDuringAnswer).toBe(2);
    expect(r.forwardAndPromptEdit[1].deckPromptToFirstAnswerToken?.medianMs).toBe(50);
    // The loop with the lens in its first step (its slide on screen) is reported beside it, not in the goal.
    expect(r.generation.ratioToBaseline.deckLoopLensInFirstStep).toBe(1.38);
    expect(r.generation.lensAfterAnswer.medianMs).toBe(4);
    // A length the deck did not time has no edit figures, and says so.
    expect(r.forwardAndPromptEdit[0].deckPromptToSlides).toBeNull();
  });
});
