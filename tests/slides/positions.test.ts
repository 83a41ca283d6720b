// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import positions, { EXCERPT_DIMS, ropePairs, STRIP_ROWS } from '../../slides/09-positions';
import { embedOutputs } from '../../src/trace/output-names';
import { tensorAt, type Trace } from '../../src/trace';
import { formatSigned } from '../../src/viz/vector-strip';
import { HOSTILE_TOKENS, makeLongTrace, makeTrace } from '../fixtures/synthetic-trace';
import { notesOf, renderInto, renderSlide, resetViews, setViewOf, tagNames, viewOf, WAITING } from './render-slide';

beforeEach(() => resetViews());
afterEach(() => document.body.replaceChildren());

const traces = {
  plain: makeTrace({ embeddings: true }),
  oneToken: makeTrace({ tokens: ['Hi'], embeddings: true }),
  long: makeLongTrace(7, { embeddings: true }),
  hostile: makeTrace({ tokens: HOSTILE_TOKENS, embeddings: true }),
};

function expectMatchesTrace(root: HTMLElement, trace: Trace): void {
  const tokens = trace.tensors[embedOutputs.tokens];
  const places = trace.tensors[embedOutputs.positions];
  const sums = trace.tensors[embedOutputs.sum];
  const width = places.shape[1];
  const p = Number(root.dataset.selectedToken);
  expect(root.dataset.width).toBe(String(width));
  let squares = 0;
  for (let dim = 0; dim < width; dim++) squares += tensorAt(places, p, dim) ** 2;
  expect(Number(root.dataset.positionNorm)).toBeCloseTo(Math.sqrt(squares), 10);

  const learned = root.querySelector(`.positions-learned .vector-strip-row[data-position="${p}"]`)!;
  learned.querySelectorAll('rect[data-dim]').forEach((cell, dim) => expect(Number(cell.getAttribute('data-value'))).toBe(tensorAt(places, p, dim)));
  expect(learned.querySelectorAll('rect[data-dim]')).toHaveLength(width);

  const cells = root.querySelectorAll<HTMLElement>('.position-sum-cell');
  expect(cells).toHaveLength(Math.min(EXCERPT_DIMS, width));
  cells.forEach((cell, dim) => {
    expect(Number(cell.dataset.tokenValue)).toBe(tensorAt(tokens, p, dim));
    expect(Number(cell.dataset.positionValue)).toBe(tensorAt(places, p, dim));
    expect(Number(cell.dataset.sumValue)).toBe(tensorAt(sums, p, dim));
    expect(Number(cell.dataset.sumValue)).toBeCloseTo(tensorAt(tokens, p, dim) + tensorAt(places, p, dim), 6);
  });

  // Other models: recomputed here from the formulas.
  const sinus = root.querySelector(`.positions-sinusoidal .vector-strip-row[data-position="${p}"]`)!;
  const sinusCells = sinus.querySelectorAll('rect[data-dim]');
  expect(sinusCells).toHaveLength(width);
  sinusCells.forEach((cell, dim) => {
    const i = Math.floor(dim / 2);
    const angle = p / 10000 ** ((2 * i) / width);
    expect(Number(cell.getAttribute('data-value'))).toBeCloseTo(dim % 2 === 0 ? Math.sin(angle) : Math.cos(angle), 12);
  });
  const d = trace.model.headDim;
  expect(root.dataset.headWidth).toBe(String(d));
  const pairs = root.querySelectorAll<HTMLElement>('.rope-pair');
  expect(Array.from(pairs, (row) => Number(row.dataset.pair))).toEqual(ropePairs(d));
  pairs.forEach((row) => {
    const i = Number(row.dataset.pair);
    expect(Number(row.dataset.theta)).toBeCloseTo(10000 ** ((-2 * i) / d), 12);
    expect(Number(row.dataset.angle)).toBeCloseTo(p * 10000 ** ((-2 * i) / d), 10);
  });
}

describe('positions slide', () => {
  it.each(Object.entries(traces))('renders the %s trace: learned positions, their sum, and other models labelled', (_, trace) => {
    const root = renderSlide(positions, trace);
    expect(root.dataset.selectedToken).toBe(String(trace.tokens.length - 1));
    expect(root.querySelectorAll('.positions-learned .vector-strip-row')).toHaveLength(Math.min(STRIP_ROWS, trace.tokens.length));
    expectMatchesTrace(root, trace);
    const other = root.querySelector('.positions-other')!;
    expect(other.classList.contains('fragment')).toBe(true);
    expect(other.textContent).toContain('Other models');
    expect(other.textContent).toContain('not this model');
    expect(root.querySelectorAll('.katex').length).toBeGreaterThanOrEqual(3);
    expect(root.querySelector('.katex-error')).toBeNull();
  });

  it('selects a position by clicking and clamps a stored one', () => {
    const trace = traces.plain;
    const root = renderSlide(positions, trace);
    root.querySelector<HTMLElement>('.positions-learned .vector-strip-row[data-position="5"]')!.dispatchEvent(new Event('click'));
    expect(root.dataset.selectedToken).toBe('5');
    expect(viewOf(positions)).toEqual({ token: 5, tokenPrompt: trace.prompt });
    expectMatchesTrace(root, trace);
    setViewOf(positions, { token: 1000, tokenPrompt: traces.long.prompt });
    const long = renderSlide(positions, traces.long);
    expect(long.dataset.selectedToken).toBe('255');
    expectMatchesTrace(long, traces.long);
  });

  it('names the missing outputs and still shows the other models', () => {
    const trace = makeTrace({ embeddings: true, omit: (name) => name === embedOutputs.positions || name === embedOutputs.sum });
    const root = renderSlide(positions, trace);
    expect(root.querySelector('.live-missing')?.getAttribute('data-missing')).toBe(`${embedOutputs.positions} ${embedOutputs.sum}`);
    expect(root.querySelectorAll('.positions-sinusoidal .vector-strip-row')).toHaveLength(Math.min(STRIP_ROWS, trace.tokens.length));
    expect(notesOf(positions, { trace, waitingMessage: WAITING })).toContain(embedOutputs.positions);
  });

  it('renders token text as text, never as elements', () => {
    const tags = tagNames(renderSlide(positions, traces.hostile));
    expect(tags.has('script')).toBe(false);
    expect(tags.has('img')).toBe(false);
  });

  it('shows the waiting message without a Trace and clears its hooks', () => {
    const root = renderSlide(positions, traces.plain);
    renderInto(positions, root, { trace: null, waitingMessage: WAITING });
    expect(root.querySelector('.live-waiting')?.textContent).toBe(WAITING);
    expect(root.dataset.width).toBeUndefined();
  });

  it('quotes the live values in the notes', () => {
    const trace = traces.plain;
    const notes = notesOf(positions, { trace, waitingMessage: WAITING });
    // Issue 12: tokens are counted from 1 on every slide (this slide counted from 0 before).
    expect(notes).toContain('positions 1 to 8');
    expect(notes).toContain(`Position 8 holds ${JSON.stringify(trace.tokens[7].text)}`);
    expect(notes).toContain(`gives ${formatSigned(tensorAt(trace.tensors[embedOutputs.sum], 7, 0))}`);
    expect(notes).toContain('OTHER models');
    expect(notes).toContain(`${trace.model.name} uses neither`);
    expect(notesOf(positions, { trace: traces.oneToken, waitingMessage: WAITING })).toContain('uses position 1 (tokens counted from 1');
    expect(notesOf(positions, { trace: null, waitingMessage: WAITING })).toContain(WAITING);
  });
});

/**
 * A Llama-layout Trace whose layer-0 queries are turned as Hugging Face's Llama turns them
 * (dimension i with i + d/2, by pos · base^(-2i/d)), written here from the formula; `slowPairs`
 * turn at a tenth of the rate, as a rope_scaling config would make some of them.
 */
function ropeTrace(slowPairs: number[] = []): Trace {
  const trace = makeTrace({ modelType: 'llama', embeddings: true, nHead: 2, seed: 5 });
  const heads = 2;
  const n = trace.tokens.length;
  const d = 16;
  const before = new Float32Array(heads * n * d).map((_, i) => Math.sin(i * 1.7) + 0.3);
  const after = new Float32Array(before.length);
  for (let h = 0; h < heads; h++) {
    for (let pos = 0; pos < n; pos++) {
      const offset = (h * n + pos) * d;
      for (let i = 0; i < d / 2; i++) {
        const angle = pos * 10000 ** (-2 * i / d) * (slowPairs.includes(i) ? 0.1 : 1);
        const [x, y] = [before[offset + i], before[offset + i + d / 2]];
        after[offset + i] = x * Math.cos(angle) - y * Math.sin(angle);
        after[offset + i + d / 2] = x * Math.sin(angle) + y * Math.cos(angle);
      }
    }
  }
  trace.tensors['trace.layer.0.attn.q_unrotated'] = { shape: [heads, n, d], data: before };
  trace.tensors['trace.layer.0.attn.q'] = { shape: [heads, n, d], data: after };
  return trace;
}

describe('positions slide, RoPE model', () => {
  it('measures the rotation the model applied and finds the formula in it', () => {
    const trace = ropeTrace();
    const root = renderSlide(positions, trace);
    const position = trace.tokens.length - 1;
    expect(root.dataset.selectedToken).toBe(String(position));
    expect(root.querySelector('.positions-learned .positions-heading')?.textContent).toBe('This model: rotary (RoPE), in every layer');
    expect(root.querySelector('.live-lead')?.textContent).toContain('adds nothing to the token vectors');
    const rows = Array.from(root.querySelectorAll<HTMLElement>('.rope-model-pair'));
    expect(rows.map((row) => Number(row.dataset.pair))).toEqual(ropePairs(16));
    for (const row of rows) {
      const pair = Number(row.dataset.pair);
      const angle = position * 10000 ** (-2 * pair / 16);
      const wrapped = Math.atan2(Math.sin(angle), Math.cos(angle));
      expect(Number(row.dataset.measuredAngle)).toBeCloseTo(wrapped, 4);
      expect(Number(row.dataset.formulaAngle)).toBeCloseTo(wrapped, 9);
    }
    expect(root.dataset.ropeMismatched).toBe('0');
    expect(root.querySelector('.positions-other')?.textContent).not.toContain('RoPE (Su et al.'); // RoPE is this model's, not another's
    const notes = notesOf(positions, { trace, waitingMessage: '' });
    expect(notes).toContain('uses RoPE');
    expect(notes).toContain('All 8 pairs match the formula');
  });

  it('says when some pairs turn by other angles (rescaled frequencies)', () => {
    const root = renderSlide(positions, ropeTrace([6, 7]));
    expect(root.dataset.ropeMismatched).toBe('2');
    expect(root.querySelector('.positions-rope .live-caption')?.textContent).toContain('2 of 8 pairs turned by other angles');
  });

  it('names the missing unrotated queries instead of inventing them', () => {
    const trace = makeTrace({ modelType: 'llama', embeddings: true });
    const root = renderSlide(positions, trace);
    expect(root.querySelector('.positions-rope .live-missing')?.textContent).toContain('trace.layer.0.attn.q_unrotated');
    expect(root.querySelectorAll('.rope-model-pair')).toHaveLength(0);
  });
});
