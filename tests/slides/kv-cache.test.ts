// @vitest-environment happy-dom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import kvCache, { formatMs, formatRatio } from '../../slides/22-kv-cache';
import type { Generation, GenerationRun, Trace } from '../../src/trace';
import { makeGeneration } from '../fixtures/synthetic-generation';
import { HOSTILE_TOKENS, makeLongTrace, makeTrace } from '../fixtures/synthetic-trace';
import { notesOf, tagNames, WAITING } from './render-slide';
import { GENERATION_PROMPTS, realGeneration, renderWithGeneration, streamingCopy, type RealGeneration } from './real-generation';

afterEach(() => document.body.replaceChildren());

let ordinary: RealGeneration;
let oneToken: RealGeneration;
beforeAll(async () => {
  ordinary = await realGeneration(GENERATION_PROMPTS.ordinary, 10);
  oneToken = await realGeneration(GENERATION_PROMPTS.oneToken, 6);
}, 60_000);

const body = (root: HTMLElement) => root.querySelector<HTMLElement>('.kv-cache-body')!;
const mean = (run: GenerationRun) => run.steps.reduce((sum, s) => sum + s.ms, 0) / run.steps.length;

function expectCacheNumbers(root: HTMLElement, trace: Trace, generation: Generation | null): void {
  const { nLayer, nHead, headDim, contextLength } = trace.model;
  const perToken = nLayer * nHead * headDim * 2 * 4;
  const length = (generation?.promptIds.length ?? trace.tokens.length) + (generation?.cached.steps.length ?? 0);
  const data = body(root).dataset;
  expect(Number(data.bytesPerToken)).toBe(perToken);
  expect(Number(data.sequenceLength)).toBe(length);
  expect(Number(data.cacheBytes)).toBe(perToken * length);
  expect(Number(data.contextLength)).toBe(contextLength);
  expect(Number(data.contextBytes)).toBe(perToken * contextLength);
}

describe('kv-cache slide', () => {
  it('computes the real cache size from the config: 4 × 4 × 64 × 2 × 4 bytes for sotu-gpt', () => {
    const { trace, generation } = ordinary;
    const root = renderWithGeneration(kvCache, trace, generation);
    expectCacheNumbers(root, trace, generation);
    expect(trace.model.nLayer * trace.model.nHead * trace.model.headDim * 8).toBe(Number(body(root).dataset.bytesPerToken));
    expect(root.querySelector('.kv-formula')?.textContent).toContain('bytes per token');
    expect(root.querySelectorAll('.kv-growth.chart-area')).toHaveLength(1);
    expect(root.querySelector('.kv-cache-body .live-caption')?.textContent).toContain(`${generation.promptIds.length} prompt + ${generation.cached.steps.length} generated`);
    const labels = Array.from(root.querySelectorAll('.chart-marker-label'), (t) => t.textContent);
    expect(labels).toContain(`limit ${trace.model.contextLength}`);
    expect(root.querySelector('.kv-other-model')?.textContent).toContain('Another model');
  });

  it('shows both runs’ live timings, their means and ratio, and that they chose the same tokens', () => {
    const { trace, generation } = ordinary;
    const root = renderWithGeneration(kvCache, trace, generation);
    const uncached = generation.uncached!;
    const data = body(root).dataset;
    expect(Number(data.cachedMeanMs)).toBeCloseTo(mean(generation.cached), 10);
    expect(Number(data.uncachedMeanMs)).toBeCloseTo(mean(uncached), 10);
    expect(Number(data.speedup)).toBeCloseTo(mean(uncached) / mean(generation.cached), 10);
    expect(root.querySelector('.chart-line.kv-time-cached')?.getAttribute('data-ms')).toBe(generation.cached.steps.map((s) => String(s.ms)).join(','));
    expect(root.querySelector('.chart-line.kv-time-uncached')?.getAttribute('data-ms')).toBe(uncached.steps.map((s) => String(s.ms)).join(','));
    expect(root.querySelector('.kv-legend-cached')?.textContent).toContain(formatMs(mean(generation.cached)));
    expect(root.querySelector('.kv-legend-uncached')?.textContent).toContain(formatMs(mean(uncached)));
    expect(root.querySelector('.kv-speedup')?.textContent).toContain(formatRatio(mean(uncached) / mean(generation.cached)));
    expect(data.sameTokens).toBe('true');
    expect(Number(data.compared)).toBe(generation.cached.steps.length);
    expect(root.querySelector('.kv-same-tokens')?.textContent).toContain(`Same ${generation.cached.steps.length} tokens from both runs`);
  });

  it('shows a difference between the runs honestly (hand-modified Generation)', () => {
    const { trace, generation } = ordinary;
    const uncached = generation.uncached!;
    const changed = { ...uncached.steps[2], id: uncached.steps[2].id + 1, text: '<b>changed</b>' };
    const modified: Generation = { ...generation, uncached: { ...uncached, steps: [...uncached.steps.slice(0, 2), changed, ...uncached.steps.slice(3)] } };
    const root = renderWithGeneration(kvCache, trace, modified);
    expect(body(root).dataset.sameTokens).toBe('false');
    expect(body(root).dataset.firstDifference).toBe('2');
    const sentence = root.querySelector('.kv-same-tokens')?.textContent ?? '';
    expect(sentence).toContain('They differ at step 3');
    expect(sentence).toContain(`(id ${generation.cached.steps[2].id}) with the cache`);
    expect(sentence).toContain(`(id ${changed.id}) without`);
    expect(tagNames(root).has('b')).toBe(false);
    expect(notesOf(kvCache, { trace, waitingMessage: WAITING, generation: modified })).toContain('differ at step 3');
  });

  it('streams: before the uncached run, and part-way through it', () => {
    const { trace, generation } = ordinary;
    const before = renderWithGeneration(kvCache, trace, streamingCopy(generation, 4, null));
    expectCacheNumbers(before, trace, streamingCopy(generation, 4, null));
    expect(before.querySelector('.kv-time-uncached')).toBeNull();
    expect(body(before).dataset.uncachedMeanMs).toBeUndefined();
    expect(body(before).dataset.sameTokens).toBeUndefined();
    expect(before.querySelector('.kv-same-tokens')?.textContent).toContain('starts when this one ends');
    expect(before.querySelector('.generation-streaming')).not.toBeNull();

    const during = streamingCopy(generation, generation.cached.steps.length, 3);
    const root = renderWithGeneration(kvCache, trace, during);
    expect(Number(body(root).dataset.uncachedMeanMs)).toBeCloseTo(mean(during.uncached!), 10);
    expect(root.querySelector('.kv-same-tokens')?.textContent).toContain('Same 3 tokens from both runs so far');
    expect(root.querySelector('.generation-streaming')).not.toBeNull();
  });

  it('shows the size without a Generation and says timings come later', () => {
    const { trace } = ordinary;
    for (const value of [null, undefined]) {
      const root = renderWithGeneration(kvCache, trace, value);
      expectCacheNumbers(root, trace, null);
      expect(root.querySelector('.generation-not-started')).not.toBeNull();
      expect(root.querySelector('.kv-time-cached')).toBeNull();
    }
  });

  it('handles a one-token prompt and the context limit', () => {
    const root = renderWithGeneration(kvCache, oneToken.trace, oneToken.generation);
    expectCacheNumbers(root, oneToken.trace, oneToken.generation);
    expect(body(root).dataset.sameTokens).toBe('true');

    const long = makeLongTrace();
    const full = makeGeneration(long, { steps: [], maxNewTokens: 8 });
    const longRoot = renderWithGeneration(kvCache, long, full);
    expectCacheNumbers(longRoot, long, full);
    expect(Number(body(longRoot).dataset.sequenceLength)).toBe(256);
  });

  it('says so when the cached run\'s first step also computed the logit lens, quoting both first steps in the notes', () => {
    const { trace, generation } = ordinary;
    expect(renderWithGeneration(kvCache, trace, generation).querySelector('.kv-same-tokens')?.textContent).not.toContain('logit lens');
    const [first, ...rest] = generation.cached.steps;
    const withLens: Generation = { ...generation, cached: { ...generation.cached, steps: [{ ...first, withLogitLens: true }, ...rest] } };
    expect(renderWithGeneration(kvCache, trace, withLens).querySelector('.kv-same-tokens')?.textContent).toContain('Step 1 with the cache also computed the logit lens.');
    const notes = notesOf(kvCache, { trace, waitingMessage: WAITING, generation: withLens });
    expect(notes).toContain(`logit lens for its slide: ${formatMs(first.ms)} (step 1 without the cache, no lens: ${formatMs(generation.uncached!.steps[0].ms)})`);
  });

  it("says when the cached run's first token came from the prompt's own pass, quoting that pass's time in the notes", () => {
    const { trace, generation } = ordinary;
    expect(renderWithGeneration(kvCache, trace, generation).querySelector('.kv-same-tokens')?.textContent).not.toContain('own pass');
    const [first, ...rest] = generation.cached.steps;
    const fromPass: Generation = { ...generation, cached: { ...generation.cached, steps: [{ ...first, fromPromptPass: true }, ...rest] } };
    expect(renderWithGeneration(kvCache, trace, fromPass).querySelector('.kv-same-tokens')?.textContent).toContain('Step 1 is the prompt’s own pass.');
    expect(notesOf(kvCache, { trace, waitingMessage: WAITING, generation: fromPass })).toContain(`the prompt's pass the Trace came from (${formatMs(first.ms)}, trace outputs included)`);
  });

  it('renders hostile token text as text', () => {
    const trace = makeTrace({ tokens: HOSTILE_TOKENS });
    const generation = makeGeneration(trace, { steps: ['<script>x</script>', ' <img src=x onerror=alert(1)>'] });
    generation.uncached!.steps[1] = { ...generation.uncached!.steps[1], id: 1, text: '<script>y</script>' };
    const root = renderWithGeneration(kvCache, trace, generation);
    expect(tagNames(root).has('script')).toBe(false);
    expect(tagNames(root).has('img')).toBe(false);
    expect(root.querySelector('.kv-same-tokens')?.textContent).toContain('<script>y</script>');
  });

  it('shows the waiting message without a Trace, and quotes live values in the notes', () => {
    expect(renderWithGeneration(kvCache, null, null).querySelector('.live-waiting')?.textContent).toBe(WAITING);
    const { trace, generation } = ordinary;
    const notes = notesOf(kvCache, { trace, waitingMessage: WAITING, generation });
    const perToken = trace.model.nLayer * trace.model.nHead * trace.model.headDim * 8;
    expect(notes).toContain(`= ${perToken.toLocaleString('en-US')} bytes`);
    expect(notes).toContain(formatMs(mean(generation.cached)));
    expect(notes).toContain(formatMs(mean(generation.uncached!)));
    expect(notes).toContain(`Same ${generation.cached.steps.length} tokens`);
  });
});
