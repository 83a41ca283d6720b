// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import trainingLoss from '../../slides/24-training-loss';
import type { Trace } from '../../src/trace';
import { formatPercent } from '../../src/viz/format';
import { compactProbability } from '../../src/viz/loss-columns';
import { HOSTILE_TOKENS, makeLongTrace, makeTrace } from '../fixtures/synthetic-trace';
import { notesOf, renderSlide, tagNames, WAITING } from './render-slide';

afterEach(() => document.body.replaceChildren());

/** How the slide writes a probability: a percentage, or scientific notation below 0.001%. */
function probabilityText(p: number): string {
  return p > 0 && p < 1e-5 ? p.toExponential(2) : formatPercent(p);
}

const traces: Record<string, Trace> = {
  plain: makeTrace(),
  long: makeLongTrace(),
  hostile: makeTrace({ tokens: HOSTILE_TOKENS }),
};

function body(root: HTMLElement): DOMStringMap {
  const element = root.querySelector<HTMLElement>('.loss-body');
  if (!element) throw new Error('no .loss-body');
  return element.dataset;
}

describe('training-loss slide', () => {
  it.each(Object.entries(traces))('renders the %s trace: one column per guess, mean loss and perplexity', (_, trace) => {
    const root = renderSlide(trainingLoss, trace);
    const logProbs = trace.nextTokenLogProbs;
    const n = trace.tokens.length;
    expect(body(root).termCount).toBe(String(n - 1));
    const mean = -logProbs.reduce((a, b) => a + b, 0) / logProbs.length;
    expect(Number(body(root).meanLoss)).toBeCloseTo(mean, 12);
    expect(Number(body(root).perplexity)).toBeCloseTo(Math.exp(mean), 9);
    expect(root.textContent).toContain(mean.toFixed(2));
    const bars = root.querySelectorAll<SVGRectElement>('.loss-bar');
    expect(bars).toHaveLength(n - 1);
    bars.forEach((bar, i) => {
      expect(Number(bar.dataset.position)).toBe(i + 1);
      expect(Number(bar.dataset.tokenId)).toBe(trace.tokens[i + 1].id);
      expect(Number(bar.dataset.logProb)).toBe(logProbs[i]);
      expect(Number(bar.dataset.loss)).toBe(-logProbs[i]);
      expect(Number(bar.dataset.prob)).toBeCloseTo(Math.exp(logProbs[i]), 12);
    });
    const worst = logProbs.indexOf(Math.min(...logProbs));
    expect(Number(body(root).worstPosition)).toBe(worst + 1);
    expect(Number(body(root).worstLoss)).toBe(-logProbs[worst]);
    expect(root.querySelectorAll('.loss-bar-worst')).toHaveLength(1);
    expect(root.querySelector('.loss-example')?.textContent).toContain(probabilityText(Math.exp(logProbs[worst])));
    expect(root.querySelector('.loss-example')?.textContent).toContain((-logProbs[worst]).toFixed(2));
    expect(root.textContent).toContain('State of the Union corpus');
  });

  it('labels columns with tokens for short prompts and with positions for long ones', () => {
    const plain = renderSlide(trainingLoss, traces.plain);
    expect(plain.querySelectorAll('.loss-label')).toHaveLength(traces.plain.tokens.length - 1);
    const probs = Array.from(plain.querySelectorAll('.loss-prob'), (t) => t.textContent).slice(1); // after the "p" axis title
    expect(probs).toEqual(traces.plain.nextTokenLogProbs.map((lp) => compactProbability(Math.exp(lp))));
    const long = renderSlide(trainingLoss, traces.long);
    expect(Array.from(long.querySelectorAll('.loss-label'), (l) => l.textContent)).toEqual(['token 2', 'token 256']);
    expect(long.textContent).toContain('The first 44 tokens did not fit');
  });

  it('writes tiny probabilities and huge perplexities so they can be read', () => {
    const trace = makeTrace();
    trace.nextTokenLogProbs = trace.nextTokenLogProbs.map((lp, i) => (i === 2 ? -39.5 : lp - 30));
    const root = renderSlide(trainingLoss, trace);
    expect(root.querySelector('.loss-example')?.textContent).toContain(Math.exp(-39.5).toExponential(2));
    const mean = -trace.nextTokenLogProbs.reduce((a, b) => a + b, 0) / trace.nextTokenLogProbs.length;
    expect(root.querySelector('.loss-numbers')?.textContent).toContain(Math.exp(mean).toExponential(2));
  });

  it('writes probabilities in at most five characters under the columns', () => {
    expect([0.9971, 0.32, 0.0041, 0.001, 6.9e-18, 0].map(compactProbability)).toEqual(['>99%', '32%', '0.41%', '0.1%', '7e-18', '0']);
  });

  it('says a one-token prompt has no loss terms', () => {
    const root = renderSlide(trainingLoss, makeTrace({ tokens: ['Hi'] }));
    expect(body(root).termCount).toBe('0');
    expect(body(root).meanLoss).toBeUndefined();
    expect(root.querySelector('.live-notice')?.textContent).toContain('no loss terms');
    expect(root.querySelectorAll('.loss-bar')).toHaveLength(0);
    expect(notesOf(trainingLoss, { trace: makeTrace({ tokens: ['Hi'] }), waitingMessage: WAITING })).toContain('no loss terms');
  });

  it('names nextTokenLogProbs when they do not line up with the tokens', () => {
    const root = renderSlide(trainingLoss, { ...traces.plain, nextTokenLogProbs: [] });
    expect(root.querySelector('.live-missing')?.textContent).toContain('nextTokenLogProbs');
  });

  it('renders token text as text, never as elements', () => {
    const tags = tagNames(renderSlide(trainingLoss, traces.hostile));
    expect(tags.has('script')).toBe(false);
    expect(tags.has('img')).toBe(false);
  });

  it('shows the waiting message without a Trace', () => {
    expect(renderSlide(trainingLoss, null).querySelector('.live-waiting')?.textContent).toBe(WAITING);
  });

  it('quotes the live values in the notes', () => {
    const trace = traces.plain;
    const logProbs = trace.nextTokenLogProbs;
    const mean = -logProbs.reduce((a, b) => a + b, 0) / logProbs.length;
    const notes = notesOf(trainingLoss, { trace, waitingMessage: WAITING });
    expect(notes).toContain(`Mean loss ${mean.toFixed(3)} nats, perplexity ${Math.exp(mean).toFixed(1)}`);
    const worst = logProbs.indexOf(Math.min(...logProbs));
    expect(notes).toContain(`${JSON.stringify(trace.tokens[worst + 1].text)} (token ${worst + 2}): p ${probabilityText(Math.exp(logProbs[worst]))}`);
  });
});

describe('training-loss slide: weight excerpt', () => {
  it('shows a real corner of a weight matrix from the Trace, or says it is missing', async () => {
    const { loadModelInNode } = await import('../../src/cli/model-folder');
    const { runTrace } = await import('../../src/engine/run-trace');
    const trace = await runTrace(await loadModelInNode('sotu-gpt'), 'The Congress should act');
    const excerpt = trace.extras!.weightExcerpt!;
    const root = renderSlide(trainingLoss, trace);
    const table = root.querySelector<HTMLElement>('.weight-excerpt')!;
    expect(table.dataset.weightName).toBe(excerpt.name);
    const cells = [...table.querySelectorAll<HTMLElement>('td')];
    expect(cells).toHaveLength(18);
    for (const cell of cells) expect(Number(cell.dataset.value)).toBe(excerpt.values[Number(cell.dataset.row)][Number(cell.dataset.col)]);
    const without = renderSlide(trainingLoss, { ...trace, extras: null });
    expect(without.textContent).toContain('trace.extras.weightExcerpt is missing');
  });
});
