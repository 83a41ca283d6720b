// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import attention from '../../slides/11-attention';
import multiHead, { headColumns, MAX_CELLS } from '../../slides/14-multi-head';
import { tensorAt, type Trace, type TraceTensor } from '../../src/trace';
import { makeTrace } from '../fixtures/synthetic-trace';
import { commonSlideChecks } from './block-common';
import { blockTraces, click, traceWithout } from './block-traces';
import { notesOf, renderSlide, resetViews, viewOf, WAITING } from './render-slide';

beforeEach(() => resetViews());
afterEach(() => document.body.replaceChildren());

/** Layer 0 with four heads of known habits: previous token, first token, itself, even spread. */
function patternTrace(): Trace {
  const trace = makeTrace({ nLayer: 1, nHead: 4 });
  const n = trace.tokens.length;
  const data = new Float32Array(4 * n * n);
  for (let q = 0; q < n; q++) {
    data[(0 * n + q) * n + Math.max(0, q - 1)] = 1;
    data[(1 * n + q) * n] = 1;
    data[(2 * n + q) * n + q] = 1;
    for (let k = 0; k <= q; k++) data[(3 * n + q) * n + k] = 1 / (q + 1);
  }
  trace.tensors['trace.layer.0.attn.probs'] = { shape: [4, n, n], data };
  return trace;
}

function entropy(probs: TraceTensor, head: number, n: number): number {
  let total = 0;
  for (let q = 0; q < n; q++) for (let k = 0; k <= q; k++) {
    const p = tensorAt(probs, head, q, k);
    if (p > 0) total -= p * Math.log2(p);
  }
  return total / n;
}

describe('multi-head slide', () => {
  commonSlideChecks(multiHead, { missingSuffix: 'attn.probs', missingName: 'trace.layer.0.attn.probs' });
  const traces = blockTraces();

  it.each(Object.entries(traces))('draws every head of layer 0 and the layer × head overview for the %s trace', (_, trace) => {
    const root = renderSlide(multiHead, trace);
    const n = trace.tokens.length;
    const probs = trace.tensors['trace.layer.0.attn.probs'];
    const figures = root.querySelectorAll<HTMLElement>('figure.tb-head');
    expect(figures).toHaveLength(trace.model.nHead);
    figures.forEach((figure) => {
      const head = Number(figure.dataset.head);
      expect(Number(figure.dataset.entropy)).toBeCloseTo(entropy(probs, head, n), 6);
      expect(figure.dataset.blockSize).toBe(n <= MAX_CELLS ? '1' : String(Math.ceil(n / MAX_CELLS)));
      expect(figure.querySelector('.heatmap-masked') !== null).toBe(n > 1);
    });
    expect(root.querySelectorAll('.tb-overview-cell')).toHaveLength(trace.model.nLayer * trace.model.nHead);
  });

  it('shows the real weights in each head\'s heatmap', () => {
    const trace = traces.plain;
    const root = renderSlide(multiHead, trace);
    const probs = trace.tensors['trace.layer.0.attn.probs'];
    const n = trace.tokens.length;
    for (const figure of Array.from(root.querySelectorAll<HTMLElement>('figure.tb-head'))) {
      const head = Number(figure.dataset.head);
      const cells = figure.querySelectorAll('[data-query][data-key][data-prob]');
      expect(cells).toHaveLength((n * (n + 1)) / 2);
      cells.forEach((cell) => {
        const q = Number(cell.getAttribute('data-query'));
        const k = Number(cell.getAttribute('data-key'));
        expect(Number(cell.getAttribute('data-prob'))).toBe(tensorAt(probs, head, q, k));
      });
    }
  });

  it('pools long prompts into blocks whose rows hold the mean weight, and says so', () => {
    const trace = traces.long;
    const root = renderSlide(multiHead, trace);
    const block = Math.ceil(256 / MAX_CELLS);
    const probs = trace.tensors['trace.layer.0.attn.probs'];
    const cell = root.querySelector('figure.tb-head[data-head="1"] [data-qblock="3"][data-kblock="1"]');
    let expected = 0;
    for (let q = 3 * block; q < 4 * block; q++) for (let k = block; k < 2 * block; k++) expected += tensorAt(probs, 1, q, k);
    expect(Number(cell?.getAttribute('data-share'))).toBeCloseTo(expected / block, 6);
    expect(root.textContent).toContain(`Each cell pools ${block} × ${block} tokens.`);
  });

  it('names each head\'s habit from its weights', () => {
    const root = renderSlide(multiHead, patternTrace());
    const patterns = Array.from(root.querySelectorAll<HTMLElement>('figure.tb-head'), (figure) => figure.dataset.pattern);
    expect(patterns).toEqual(['previous', 'first', 'self', 'spread']);
    expect(root.querySelector('figure.tb-head[data-head="0"] figcaption')?.textContent).toBe('Head 0: previous token 100.0%');
    expect(root.querySelector<HTMLElement>('.tb-overview-cell[data-head="2"]')?.dataset.share).toBe('1');
  });

  it('selects a layer and head from the overview, here and on the attention slide', () => {
    const trace = makeTrace({ blockTensors: true, nLayer: 3, nHead: 4 });
    const root = renderSlide(multiHead, trace);
    click(root.querySelector('.tb-overview-cell[data-layer="2"][data-head="3"]'));
    expect([root.dataset.layer, root.dataset.head]).toEqual(['2', '3']);
    expect(root.querySelector('figure.tb-head-selected')?.getAttribute('data-head')).toBe('3');
    expect(root.querySelector('.tb-overview-selected')?.getAttribute('data-layer')).toBe('2');
    expect(viewOf(attention)).toMatchObject({ layer: 2, head: 3 });
    expect(notesOf(multiHead, { trace, waitingMessage: WAITING })).toContain('Layer 2 has 4 heads');
  });

  it('keeps the overview when one layer is missing, and marks its cells', () => {
    const trace = traceWithout('layer.1.attn.probs');
    const root = renderSlide(multiHead, trace);
    expect(root.querySelector('.live-missing')).toBeNull();
    expect(root.querySelectorAll('.tb-overview-missing')).toHaveLength(trace.model.nHead);
    click(root.querySelectorAll('[aria-label="Layer"] button')[1]);
    expect(root.querySelector('.live-missing')?.textContent).toContain('trace.layer.1.attn.probs');
  });

  it('quotes every head\'s pattern in the notes', () => {
    const notes = notesOf(multiHead, { trace: patternTrace(), waitingMessage: WAITING });
    expect(notes).toContain('head 0: previous token 100.0%');
    expect(notes).toContain('head 3: spread out');
    expect(notes).toContain('other models');
  });
});

describe('multi-head slide for a large model', () => {
  it('lays one layer\'s heads out in as few columns as fit the panel', () => {
    expect([1, 2, 4, 8, 12, 32].map(headColumns)).toEqual([1, 1, 2, 4, 5, 8]);
  });

  it('shows 3 layers spread evenly (the last included) and the first 8 heads in the overview of a wide model, and says so', () => {
    const trace = makeTrace({ nLayer: 30, nHead: 12, tokens: ['The', ' state', ' of', ' the', ' union'] });
    const root = renderSlide(multiHead, trace);
    const cells = Array.from(root.querySelectorAll<HTMLElement>('.tb-overview-cell'));
    expect([...new Set(cells.map((cell) => cell.dataset.layer))]).toEqual(['29', '19', '9']);
    expect([...new Set(cells.map((cell) => cell.dataset.head))]).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(root.querySelector('.tb-overview-box .live-caption')?.textContent).toContain('Shown: 3 layers of 30 (evenly spread), heads 0–7 of 12.');
    expect(root.querySelectorAll('figure.tb-head')).toHaveLength(12); // the chosen layer: every head
    expect(root.querySelector('.tb-heads')?.classList.contains('tb-heads-dense')).toBe(true);
  });

  it('names only what it leaves out: a deep model with few heads shows every head', () => {
    const root = renderSlide(multiHead, makeTrace({ nLayer: 30, nHead: 4, tokens: ['The', ' state', ' of'] }));
    expect(root.querySelector('.tb-overview-box .live-caption')?.textContent).toContain('Shown: 4 layers of 30 (evenly spread).');
  });
});
