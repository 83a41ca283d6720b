// @vitest-environment happy-dom
// The status badge says whether the answer's two runs (with, then without, the KV cache) are done: the bench and
// the browser tests wait on it before the next edit, so that no edit is timed while the worker still answers.
import { describe, expect, it } from 'vitest';
import { createStatusBadge } from '../../src/deck/status-badge';
import { makeGeneration } from '../fixtures/synthetic-generation';
import { makeTrace } from '../fixtures/synthetic-trace';
import { READY_STATE } from './engine-state';

describe('the status badge\'s data-answer', () => {
  const trace = makeTrace();
  const answerOf = (generation: ReturnType<typeof makeGeneration> | null, shown = trace) => {
    const badge = createStatusBadge();
    badge.update({ ...READY_STATE, trace: shown, generation });
    return badge.element.dataset.answer;
  };

  it('is none before the answer starts and for an earlier prompt\'s answer', () => {
    expect(answerOf(null)).toBe('none');
    expect(answerOf(makeGeneration(trace), { ...trace, prompt: 'another prompt' })).toBe('none');
  });

  it('is streaming until the run without the cache is done too', () => {
    expect(answerOf(makeGeneration(trace, { cachedDone: false, uncached: null }))).toBe('streaming');
    expect(answerOf(makeGeneration(trace, { uncached: null }))).toBe('streaming');
    expect(answerOf(makeGeneration(trace, { uncached: 2 }))).toBe('streaming');
    expect(answerOf(makeGeneration(trace))).toBe('done');
  });

  it('follows a streamed answer through updateAnswer alone, as the deck calls it on each step', () => {
    const badge = createStatusBadge();
    badge.update({ ...READY_STATE, trace, generation: makeGeneration(trace, { uncached: 1 }) });
    const summary = badge.element.querySelector('.status-summary')!.textContent;
    badge.updateAnswer({ ...READY_STATE, trace, generation: makeGeneration(trace) });
    expect(badge.element.dataset.answer).toBe('done');
    expect(badge.element.querySelector('.status-summary')!.textContent).toBe(summary);
  });
});
