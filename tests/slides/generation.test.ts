// @vitest-environment happy-dom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import generationSlide from '../../slides/21-generation';
import type { Generation, Trace } from '../../src/trace';
import { formatPercent } from '../../src/viz/format';
import { makeGeneration } from '../fixtures/synthetic-generation';
import { HOSTILE_TOKENS, makeLongTrace, makeTrace } from '../fixtures/synthetic-trace';
import { notesOf, tagNames, WAITING } from './render-slide';
import { GENERATION_PROMPTS, realGeneration, renderWithGeneration, streamingCopy, type RealGeneration } from './real-generation';

afterEach(() => document.body.replaceChildren());

let real: Record<keyof typeof GENERATION_PROMPTS, RealGeneration>;
beforeAll(async () => {
  real = {
    ordinary: await realGeneration(GENERATION_PROMPTS.ordinary, 10),
    oneToken: await realGeneration(GENERATION_PROMPTS.oneToken, 6),
    hostile: await realGeneration(GENERATION_PROMPTS.hostile, 6),
  };
}, 60_000);

function expectStepsShown(root: HTMLElement, trace: Trace, generation: Generation): void {
  const steps = generation.cached.steps;
  const body = root.querySelector<HTMLElement>('.generation-body')!;
  expect(Number(body.dataset.promptTokens)).toBe(trace.tokens.length);
  expect(Number(body.dataset.generated)).toBe(steps.length);
  const chips = root.querySelectorAll<HTMLElement>('.generation-sequence .generated-chip');
  expect(Array.from(chips, (c) => Number(c.dataset.tokenId))).toEqual(steps.map((s) => s.id));
  const rows = root.querySelectorAll<HTMLElement>('.generation-step[data-step]');
  expect(rows).toHaveLength(steps.length);
  rows.forEach((row, i) => {
    expect(Number(row.dataset.tokenId)).toBe(steps[i].id);
    expect(Number(row.dataset.prob)).toBe(steps[i].prob);
    expect(row.querySelector('.generation-prob')?.textContent).toBe(formatPercent(steps[i].prob));
    const expected = steps[i].top5.filter((c) => c.id !== steps[i].id).slice(0, 4);
    const runners = row.querySelectorAll<HTMLElement>('.generation-runner-up');
    expect(Array.from(runners, (r) => Number(r.dataset.tokenId))).toEqual(expected.map((c) => c.id));
    expect(Array.from(runners, (r) => Number(r.dataset.prob))).toEqual(expected.map((c) => c.prob));
    runners.forEach((r, k) => expect(r.textContent).toContain(formatPercent(expected[k].prob)));
  });
}

describe('generation slide', () => {
  it.each(['ordinary', 'oneToken', 'hostile'] as const)('shows the real %s generation: prompt, generated chips and each step’s top 5', (name) => {
    const { trace, generation } = real[name];
    const root = renderWithGeneration(generationSlide, trace, generation);
    expectStepsShown(root, trace, generation);
    const body = root.querySelector<HTMLElement>('.generation-body')!;
    expect(body.dataset.done).toBe('true');
    expect(body.dataset.stopReason).toBe('step-limit');
    expect(root.querySelector('.generation-stop')?.textContent).toContain(`step limit: ${generation.maxNewTokens} new tokens`);
    expect(root.querySelectorAll('.generation-sequence .prompt-chip')).toHaveLength(Math.min(16, trace.tokens.length));
    expect(root.querySelector('.generation-streaming')).toBeNull();
    // Greedy: the chosen token is the likeliest of each step.
    generation.cached.steps.forEach((s) => expect(s.top5[0].id).toBe(s.id));
  });

  it('streams: shows the steps that have arrived and a generating mark', () => {
    const { trace, generation } = real.ordinary;
    const partial = streamingCopy(generation, 3, null);
    const root = renderWithGeneration(generationSlide, trace, partial);
    expectStepsShown(root, trace, partial);
    expect(root.querySelector<HTMLElement>('.generation-body')?.dataset.done).toBe('false');
    expect(root.querySelector<HTMLElement>('.generation-body')?.dataset.stopReason).toBe('generating');
    expect(root.querySelector('.generation-streaming')?.textContent).toBe('generating…');
    expect(root.querySelector('.generation-stop')?.textContent).toContain(`3 of at most ${generation.maxNewTokens} tokens`);
  });

  it('says generation starts after the forward pass when there is none yet (null, undefined, running with no step)', () => {
    const { trace, generation } = real.ordinary;
    for (const value of [null, undefined, streamingCopy(generation, 0, null)]) {
      const root = renderWithGeneration(generationSlide, trace, value);
      expect(root.querySelector('.generation-not-started')?.textContent).toContain('after the prompt’s forward pass');
      expect(root.querySelectorAll('.generated-chip')).toHaveLength(0);
      expect(root.querySelectorAll('.prompt-chip')).toHaveLength(trace.tokens.length);
    }
  });

  it('ignores a Generation for another prompt', () => {
    const { trace } = real.ordinary;
    const root = renderWithGeneration(generationSlide, trace, real.oneToken.generation);
    expect(root.querySelector('.generation-not-started')).not.toBeNull();
    expect(root.querySelectorAll('.generated-chip')).toHaveLength(0);
  });

  it('shows the waiting message without a Trace', () => {
    const root = renderWithGeneration(generationSlide, null, real.ordinary.generation);
    expect(root.querySelector('.live-waiting')?.textContent).toBe(WAITING);
  });

  it('says when the model chose end-of-text', () => {
    const trace = makeTrace();
    const generation = makeGeneration(trace, { steps: [' we', '.', '<|endoftext|>'], maxNewTokens: 20 });
    const root = renderWithGeneration(generationSlide, trace, generation);
    expect(root.querySelector<HTMLElement>('.generation-body')?.dataset.stopReason).toBe('end-of-text');
    expect(root.querySelector('.generation-stop')?.textContent).toBe('Stopped: the model chose the end-of-text token after 3 tokens.');
    expect(root.querySelector('.generation-sequence .generated-end-of-text')?.textContent).toBe('<|endoftext|>');
  });

  it('says when the prompt already fills the context window', () => {
    const trace = makeLongTrace();
    const generation = makeGeneration(trace, { steps: [], maxNewTokens: 20 });
    const root = renderWithGeneration(generationSlide, trace, generation);
    expect(root.querySelector<HTMLElement>('.generation-body')?.dataset.stopReason).toBe('context-limit');
    expect(root.querySelector('.generation-stop')?.textContent).toContain('context limit: 256 tokens');
    expect(root.querySelector('.generation-hidden-prompt')?.textContent).toBe('… 240 earlier prompt tokens');
    expect(root.querySelectorAll('.prompt-chip')).toHaveLength(16);
  });

  it('renders hostile prompt and token text as text, never as elements', () => {
    const trace = makeTrace({ tokens: HOSTILE_TOKENS });
    const generation = makeGeneration(trace, { steps: ['<script>alert(1)</script>', ' <img src=x onerror=alert(1)>', '\ufffd', ' 👩‍👩‍👧'] });
    const root = renderWithGeneration(generationSlide, trace, generation);
    const tags = tagNames(root);
    expect(tags.has('script')).toBe(false);
    expect(tags.has('img')).toBe(false);
    expect(root.textContent).toContain('<script>alert(1)</script>');
    expectStepsShown(root, trace, generation);
  });

  it('quotes the live values in the notes', () => {
    const { trace, generation } = real.ordinary;
    const notes = notesOf(generationSlide, { trace, waitingMessage: WAITING, generation });
    const [first] = generation.cached.steps;
    expect(notes).toContain(`The prompt is ${trace.tokens.length} tokens`);
    expect(notes).toContain(JSON.stringify(generation.cached.steps.map((s) => s.text).join('')));
    expect(notes).toContain(`Step 1: ${JSON.stringify(first.text)} at ${formatPercent(first.prob)}`);
    expect(notes).toContain('step limit');
    expect(notesOf(generationSlide, { trace, waitingMessage: WAITING, generation: null })).toContain('has not started');
    expect(notesOf(generationSlide, { trace: null, waitingMessage: WAITING })).toContain(WAITING);
  });
});

describe('odd Generations', () => {
  it('never throws on empty top 5, empty text, NaN timings and probabilities, for all three slides', async () => {
    const { default: kvCache } = await import('../../slides/22-kv-cache');
    const { default: detokenization } = await import('../../slides/23-detokenization');
    const trace = makeTrace({ tokens: ['Hi'] });
    const generation = makeGeneration(trace, { steps: ['', ' a'] });
    generation.cached.steps[0] = { ...generation.cached.steps[0], top5: [], ms: Number.NaN, prob: Number.NaN };
    for (const slide of [generationSlide, kvCache, detokenization]) {
      const root = renderWithGeneration(slide, trace, generation);
      expect(root.textContent).not.toContain('NaN');
      expect(() => notesOf(slide, { trace, waitingMessage: WAITING, generation })).not.toThrow();
    }
  });
});
