// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import qkv, { projectionFormula, projectionText } from '../../slides/12-qkv';
import { architectureOf } from '../../src/engine/model-info';
import { tensorAt, type Trace } from '../../src/trace';
import { commonSlideChecks } from './block-common';
import { blockTraces, click, l2 } from './block-traces';
import { notesOf, renderSlide, resetViews, setViewOf, viewOf, WAITING } from './render-slide';
import { makeTrace } from '../fixtures/synthetic-trace';

beforeEach(() => resetViews());
afterEach(() => document.body.replaceChildren());

/** Every cell of the three strips against the Trace, for the slide's current layer, head and token. */
function expectStripsMatch(root: HTMLElement, trace: Trace): void {
  const layer = Number(root.dataset.layer);
  const head = Number(root.dataset.head);
  const token = Number(root.dataset.query);
  for (const name of ['q', 'k', 'v']) {
    const tensor = trace.tensors[`trace.layer.${layer}.attn.${name}`];
    const cells = root.querySelectorAll(`svg.tb-strip[data-vector="${name}"] [data-dim]`);
    expect(cells).toHaveLength(trace.model.headDim);
    const values: number[] = [];
    cells.forEach((cell) => {
      const dim = Number(cell.getAttribute('data-dim'));
      const expected = tensorAt(tensor, head, token, dim);
      values.push(expected);
      expect(Number(cell.getAttribute('data-value'))).toBe(expected);
    });
    const row = root.querySelector<HTMLElement>(`.tb-qkv-row[data-vector="${name}"]`);
    expect(Number(row?.dataset.norm)).toBeCloseTo(l2(values), 9);
    expect(Number(row?.dataset.min)).toBe(Math.min(...values));
    expect(Number(row?.dataset.max)).toBe(Math.max(...values));
  }
}

describe('query, key, value slide', () => {
  commonSlideChecks(qkv, { missingSuffix: 'attn.k', missingName: 'trace.layer.0.attn.k' });
  const traces = blockTraces();

  it.each(Object.entries(traces))('shows the real q, k, v of layer 0, head 0, last token for the %s trace', (_, trace) => {
    const root = renderSlide(qkv, trace);
    expect([root.dataset.layer, root.dataset.head, root.dataset.query]).toEqual(['0', '0', String(trace.tokens.length - 1)]);
    expectStripsMatch(root, trace);
  });

  it('follows the layer, head and token choices', () => {
    const trace = traces.plain;
    const root = renderSlide(qkv, trace);
    click(root.querySelectorAll('[aria-label="Layer"] button')[1]);
    click(root.querySelectorAll('[aria-label="Head"] button')[2]);
    click(root.querySelector('[data-step="previous token"]'));
    click(root.querySelector('[data-step="previous token"]'));
    expect([root.dataset.layer, root.dataset.head, root.dataset.query]).toEqual(['1', '2', String(trace.tokens.length - 3)]);
    expectStripsMatch(root, trace);
    click(root.querySelector('[data-step="first token"]'));
    expect(root.dataset.query).toBe('0');
    expect(root.querySelector<HTMLButtonElement>('[data-step="previous token"]')?.disabled).toBe(true);
    expect(notesOf(qkv, { trace, waitingMessage: WAITING })).toContain('Layer 1, head 2');
  });

  it('goes back to the last token when the prompt changes, and clamps what the Trace lacks', () => {
    setViewOf(qkv, { layer: 7, head: 9, token: 1, tokenPrompt: traces.plain.prompt });
    expect(renderSlide(qkv, traces.plain).dataset.query).toBe('1');
    const root = renderSlide(qkv, traces.hostile);
    expect([root.dataset.layer, root.dataset.head, root.dataset.query]).toEqual(['1', '3', String(traces.hostile.tokens.length - 1)]);
    expect(viewOf(qkv).head).toBe(9);
  });

  it('gives the projection shapes from the model\'s sizes', () => {
    const trace = traces.plain;
    const m = trace.model;
    const n = trace.tokens.length;
    const text = renderSlide(qkv, trace).querySelector('.tb-shapes')?.textContent;
    expect(text).toBe(`ln_1 output [${n} × ${m.nEmbd}] × c_attn [${m.nEmbd} × ${3 * m.nEmbd}] = [${n} × ${3 * m.nEmbd}] → q, k, v: [${n} × ${m.nEmbd}] each → ${m.nHead} heads of ${m.headDim}`);
  });

  it('says what each vector is for', () => {
    const root = renderSlide(qkv, traces.plain);
    const purposes = Array.from(root.querySelectorAll('.tb-qkv-purpose'), (p) => p.textContent);
    expect(purposes[0]).toMatch(/looking for/);
    expect(purposes[1]).toMatch(/offers/);
    expect(purposes[2]).toMatch(/passes on/);
  });

  it('quotes the live lengths in the notes', () => {
    const trace = traces.plain;
    const last = trace.tokens.length - 1;
    const q = Array.from({ length: trace.model.headDim }, (_, dim) => tensorAt(trace.tensors['trace.layer.0.attn.q'], 0, last, dim));
    const norm = l2(q);
    const notes = notesOf(qkv, { trace, waitingMessage: WAITING });
    expect(notes).toContain(`q ${norm >= 100 ? norm.toFixed(1) : norm >= 1 ? norm.toFixed(2) : norm.toFixed(3)}`);
    expect(notes).toContain(JSON.stringify(trace.tokens[last].text));
  });
});

describe('q, k, v projections of a Llama model with grouped-query attention', () => {
  it('names q_proj, k_proj and v_proj, the narrower k and v, and the shared heads', () => {
    const base = makeTrace({ modelType: 'llama', blockTensors: true, nLayer: 2, nHead: 4 });
    const trace = { ...base, model: { ...base.model, architecture: { ...base.model.architecture, kvHeads: 2 } } };
    const n = trace.tokens.length;
    expect(projectionText(trace)).toBe(
      `ln_1 output [${n} × 64] × q_proj [64 × 64], k_proj and v_proj [64 × 32] → q: 4 heads of 16, k and v: 2 heads of 16; ` +
        'each key/value head is shared by 2 query heads; q and k are then turned by RoPE',
    );
    expect(renderSlide(qkv, trace).querySelector('.tb-shapes')?.textContent).toBe(projectionText(trace));
  });
});

describe('the projection formula adds a bias exactly when the model has one', () => {
  it.each([
    ['qwen2', true],
    ['mistral', false],
    ['gpt2', true],
  ] as const)('%s: bias %s (from config.json through architectureOf)', (modelType, bias) => {
    const base = makeTrace({ modelType: modelType === 'gpt2' ? 'gpt2' : 'llama', blockTensors: true, nLayer: 2, nHead: 4 });
    const trace = { ...base, model: { ...base.model, modelType, architecture: architectureOf(modelType, {}, 4) } };
    const box = renderSlide(qkv, trace).querySelector<HTMLElement>('.tb-qkv-formula')!;
    expect(box.dataset.bias).toBe(String(bias));
    expect(projectionFormula(trace).querySelector('annotation')?.textContent?.includes('+ b_q')).toBe(bias);
  });

  it('claims no bias for a Trace that does not say (saved before qkvBias was recorded)', () => {
    const base = makeTrace({ blockTensors: true, nLayer: 2, nHead: 4 });
    const { qkvBias: _dropped, ...older } = base.model.architecture;
    const box = projectionFormula({ ...base, model: { ...base.model, architecture: older } });
    expect(box.dataset.bias).toBe('false');
    expect(box.textContent).not.toContain('bias');
  });
});
