// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import sampling from '../../slides/20-sampling';
import { drawFrom, samplingDistribution, seededRandom } from '../../src/maths/sampling';
import type { Trace } from '../../src/trace';
import { formatPercent } from '../../src/viz/format';
import { HOSTILE_TOKENS, makeLongTrace, makeTrace } from '../fixtures/synthetic-trace';
import { notesOf, renderInto, renderSlide, resetViews, setViewOf, tagNames, viewOf, WAITING } from './render-slide';

beforeEach(() => resetViews());
afterEach(() => document.body.replaceChildren());

const hostileTexts = Object.fromEntries(Array.from({ length: 200 }, (_, id) => [id, id % 2 ? '<script>x</script>' : ' <img src=x onerror=alert(1)>']));
const traces: Record<string, Trace> = {
  plain: makeTrace(),
  oneToken: makeTrace({ tokens: ['Hi'] }),
  long: makeLongTrace(),
  hostile: makeTrace({ tokens: HOSTILE_TOKENS, vocabTexts: hostileTexts }),
  bigVocab: makeTrace({ vocabSize: 8192 }),
};

function body(root: HTMLElement): DOMStringMap {
  const element = root.querySelector<HTMLElement>('.sampling-body');
  if (!element) throw new Error('no .sampling-body');
  return element.dataset;
}

/** The model's probabilities at T = 1, recomputed here. */
function modelProbs(trace: Trace): number[] {
  const max = Math.max(...trace.lastLogits);
  const exps = Array.from(trace.lastLogits, (z) => Math.exp(z - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

function expectMatchesTrace(root: HTMLElement, trace: Trace): void {
  const hooks = body(root);
  const settings = { temperature: Number(hooks.temperature), topK: Number(hooks.topK), topP: Number(hooks.topP) };
  const after = samplingDistribution(trace.lastLogits, settings);
  const before = modelProbs(trace);
  const order = before.map((_, id) => id).sort((a, b) => before[b] - before[a] || a - b);
  expect(Number(hooks.eligible)).toBe(after.filter((p) => p > 0).length);
  const rows = root.querySelectorAll<HTMLElement>('.sampling-row');
  expect(rows).toHaveLength(Math.min(12, trace.lastLogits.length));
  rows.forEach((row, rank) => {
    const id = order[rank];
    expect(Number(row.dataset.tokenId)).toBe(id);
    expect(Number(row.dataset.probBefore)).toBeCloseTo(before[id], 12);
    expect(Number(row.dataset.probAfter)).toBe(after[id]);
    expect(row.textContent).toContain(formatPercent(before[id]));
  });
  const uniform = seededRandom(Number(hooks.seed))();
  expect(Number(hooks.uniform)).toBe(uniform);
  const drawn = drawFrom(after, uniform);
  expect(Number(hooks.drawnId)).toBe(drawn);
  expect(Number(hooks.drawnProb)).toBe(after[drawn]);
  expect(Number(hooks.drawnRank)).toBe(order.indexOf(drawn) + 1);
}

describe('sampling slide', () => {
  it.each(Object.entries(traces))('renders the %s trace: the real distribution before and after the default settings', (_, trace) => {
    const root = renderSlide(sampling, trace);
    expect(body(root).temperature).toBe('0.8');
    expect(body(root).topK).toBe('40');
    expect(body(root).topP).toBe('0.95');
    expectMatchesTrace(root, trace);
  });

  // Issue 12: the audience adds up the shown bars from the top; the token stated must be where u lands in that sum.
  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])('states the token u lands on when the shown bars are added up in shown order (seed %i)', (seed) => {
    const trace = traces.bigVocab;
    const root = renderSlide(sampling, trace);
    setViewOf(sampling, { temperature: 2, topK: 8, topP: 1, seed });
    renderInto(sampling, root, { trace, waitingMessage: WAITING });
    const hooks = body(root);
    const u = Number(hooks.uniform);
    let sum = 0;
    let landed: string | null = null;
    for (const row of root.querySelectorAll<HTMLElement>('.sampling-row')) {
      sum += Number(row.dataset.probAfter);
      expect(Number(row.dataset.cumulativeAfter)).toBeCloseTo(sum, 12);
      if (landed === null && u < sum) landed = row.dataset.tokenId ?? null;
    }
    expect(landed).not.toBeNull(); // top-8 of the 12 shown: the shown bars hold all the mass
    expect(hooks.drawnId).toBe(landed);
    expect(root.querySelector('.sampling-row-drawn')?.getAttribute('data-token-id')).toBe(landed);
    const segment = root.querySelector<HTMLElement>('.sampling-segment-landed');
    expect(segment?.dataset.tokenId).toBe(landed);
    expect(Number(segment?.dataset.from)).toBeLessThanOrEqual(u);
    expect(Number(segment?.dataset.to)).toBeGreaterThan(u);
    expect(root.querySelector('.sampling-drawn')?.textContent).toContain(`rank ${root.querySelector<HTMLElement>('.sampling-row-drawn')?.dataset.rank}`);
  });

  it('greedy keeps one token and draws the top one', () => {
    const trace = traces.bigVocab;
    const root = renderSlide(sampling, trace);
    root.querySelector<HTMLButtonElement>('[data-preset="Greedy"]')?.click();
    expect(body(root).temperature).toBe('0');
    expect(body(root).eligible).toBe('1');
    expect(body(root).drawnRank).toBe('1');
    expect(root.textContent).toContain('greedy');
    expectMatchesTrace(root, trace);
  });

  it('reshapes the distribution as a slider moves, without rebuilding the sliders', () => {
    const trace = traces.bigVocab;
    const root = renderSlide(sampling, trace);
    const slider = root.querySelector<HTMLInputElement>('input[data-setting="topK"]');
    if (!slider) throw new Error('no top-k slider');
    slider.value = '3';
    slider.dispatchEvent(new Event('input'));
    expect(root.querySelector('input[data-setting="topK"]')).toBe(slider);
    expect(body(root).topK).toBe('3');
    expect(Number(body(root).eligible)).toBeLessThanOrEqual(3);
    expectMatchesTrace(root, trace);
    const temperature = root.querySelector<HTMLInputElement>('input[data-setting="temperature"]');
    if (!temperature) throw new Error('no temperature slider');
    temperature.value = '2';
    temperature.dispatchEvent(new Event('input'));
    expect(body(root).temperature).toBe('2');
    expectMatchesTrace(root, trace);
  });

  it('draws again with the next seed, and takes a typed seed', () => {
    const trace = traces.bigVocab;
    const root = renderSlide(sampling, trace);
    setViewOf(sampling, { temperature: 2, topK: 0, topP: 1 });
    renderInto(sampling, root, { trace, waitingMessage: WAITING });
    const draws = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const button = Array.from(root.querySelectorAll<HTMLButtonElement>('button')).find((b) => b.textContent === 'Draw again');
      button?.click();
      expect(body(root).seed).toBe(String(43 + i));
      expectMatchesTrace(root, trace);
      draws.add(body(root).drawnId ?? '');
    }
    expect(draws.size).toBeGreaterThan(1);
    const seed = root.querySelector<HTMLInputElement>('.sampling-seed');
    if (!seed) throw new Error('no seed input');
    seed.value = '7';
    seed.dispatchEvent(new Event('change'));
    expect(body(root).seed).toBe('7');
    expect(viewOf(sampling).seed).toBe(7);
  });

  it('clamps odd view state instead of throwing', () => {
    setViewOf(sampling, { temperature: -3, topK: 99.6, topP: Number.NaN, seed: -5 });
    const root = renderSlide(sampling, traces.plain);
    expect(body(root).temperature).toBe('0');
    expect(body(root).topK).toBe('50');
    expect(body(root).topP).toBe('0.95');
    expect(body(root).seed).toBe('0');
    expectMatchesTrace(root, traces.plain);
  });

  it('shows ids, not invented texts, for tokens the Trace does not decode', () => {
    const root = renderSlide(sampling, traces.bigVocab);
    const rows = root.querySelectorAll<HTMLElement>('.sampling-row');
    expect(rows[11].querySelector('.token-id-only')?.textContent).toBe(`id ${rows[11].dataset.tokenId}`);
    expect(rows[0].querySelector('.token-chip')).not.toBeNull();
  });

  it('renders token text as text, never as elements', () => {
    const root = renderSlide(sampling, traces.hostile);
    const tags = tagNames(root);
    expect(tags.has('script')).toBe(false);
    expect(tags.has('img')).toBe(false);
    expect(root.textContent).toMatch(/<script>x<\/script>|<img␣src=x␣onerror=alert\(1\)>/);
  });

  it('says so without logits, and waits without a Trace', () => {
    const root = renderSlide(sampling, { ...traces.plain, lastLogits: new Float32Array(0) });
    expect(root.querySelector('.live-missing')?.textContent).toContain('lastLogits');
    expect(renderSlide(sampling, null).querySelector('.live-waiting')?.textContent).toBe(WAITING);
  });

  it('quotes the live values in the notes', () => {
    const trace = traces.plain;
    const root = renderSlide(sampling, trace);
    const notes = notesOf(sampling, { trace, waitingMessage: WAITING });
    expect(notes).toContain('temperature 0.80, top-k 40, top-p 0.95');
    expect(notes).toContain(`${body(root).eligible} of ${trace.lastLogits.length} tokens can be drawn`);
    expect(notes).toContain(`Seed 42 gives u = ${Number(body(root).uniform).toFixed(4)}`);
    expect(notes).toContain(`(id ${body(root).drawnId}`);
  });
});
