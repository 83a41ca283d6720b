// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import residualLayerNorm from '../../slides/16-residual-layernorm';
import { tensorRow, type Trace } from '../../src/trace';
import { commonSlideChecks } from './block-common';
import { blockTraces, click, l2, traceWithout } from './block-traces';
import { notesOf, renderSlide, resetViews, WAITING } from './render-slide';
import { makeTrace } from '../fixtures/synthetic-trace';

beforeEach(() => resetViews());
afterEach(() => document.body.replaceChildren());

function stats(values: ArrayLike<number>): { mean: number; std: number } {
  const list = Array.from(values);
  const mean = list.reduce((a, b) => a + b, 0) / list.length;
  return { mean, std: Math.sqrt(list.reduce((a, b) => a + (b - mean) ** 2, 0) / list.length) };
}

function expectNormsMatch(root: HTMLElement, trace: Trace): void {
  const token = Number(root.dataset.query);
  const expectedStages = ['trace.embed.sum'];
  for (let layer = 0; layer < trace.model.nLayer; layer++) expectedStages.push(`trace.layer.${layer}.resid.after_attn`, `trace.layer.${layer}.resid.after_mlp`);
  expectedStages.push('trace.ln_f');
  const points = Array.from(root.querySelectorAll<SVGCircleElement>('circle.tb-norm-point'));
  expect(points.map((point) => point.getAttribute('data-stage'))).toEqual(expectedStages);
  points.forEach((point) => {
    const name = point.getAttribute('data-stage') ?? '';
    expect(Number(point.getAttribute('data-norm'))).toBeCloseTo(l2(tensorRow(trace.tensors[name], token)), 9);
    expect(point.getAttribute('data-final-norm')).toBe(String(name === 'trace.ln_f'));
  });
}

function expectLayerNormMatches(root: HTMLElement, trace: Trace): void {
  const layer = Number(root.dataset.layer);
  const token = Number(root.dataset.query);
  const input = tensorRow(layer === 0 ? trace.tensors['trace.embed.sum'] : trace.tensors[`trace.layer.${layer - 1}.resid.after_mlp`], token);
  const row = (stat: string) => root.querySelector<HTMLElement>(`tr.tb-ln-row[data-stat="${stat}"]`);
  const before = stats(input);
  expect(Number(row('input')?.dataset.mean)).toBeCloseTo(before.mean, 9);
  expect(Number(row('input')?.dataset.std)).toBeCloseTo(before.std, 9);
  const standardised = Array.from(input, (x) => (x - before.mean) / Math.sqrt(before.std ** 2 + trace.model.layerNormEpsilon));
  const after = stats(standardised);
  expect(Number(row('standardised')?.dataset.mean)).toBeCloseTo(0, 9);
  expect(Number(row('standardised')?.dataset.std)).toBeCloseTo(after.std, 9);
  expect(after.std).toBeLessThan(1);
  const output = stats(tensorRow(trace.tensors[`trace.layer.${layer}.ln_1`], token));
  expect(Number(row('output')?.dataset.mean)).toBeCloseTo(output.mean, 9);
  expect(Number(row('output')?.dataset.std)).toBeCloseTo(output.std, 9);
}

describe('residual stream and LayerNorm slide', () => {
  commonSlideChecks(residualLayerNorm, { missingSuffix: 'resid.after_mlp', missingName: 'trace.layer.0.resid.after_mlp' });
  const traces = blockTraces();

  it('dissects a Llama model\'s RMSNorm: divided by its root mean square, not centred, no bias', () => {
    const trace = makeTrace({ modelType: 'llama', blockTensors: true, nLayer: 2, nHead: 4 });
    const root = renderSlide(residualLayerNorm, trace);
    expect(root.querySelector('h2, h1')?.textContent).toBe('Residual stream and RMSNorm');
    expect(root.textContent).not.toContain('LayerNorm');
    const token = Number(root.dataset.query);
    const input = tensorRow(trace.tensors['trace.embed.sum'], token);
    const rms = Math.sqrt(input.reduce((sum, x) => sum + x * x, 0) / input.length);
    const scaled = Array.from(input, (x) => x / Math.sqrt(rms * rms + trace.model.layerNormEpsilon));
    const row = (stat: string) => root.querySelector<HTMLElement>(`tr.tb-ln-row[data-stat="${stat}"]`)!;
    expect(Number(row('input').dataset.rms)).toBeCloseTo(rms, 9);
    expect(Number(row('standardised').dataset.mean)).toBeCloseTo(stats(scaled).mean, 9); // only scaled, not centred
    expect(Number(row('standardised').dataset.rms)).toBeLessThan(1);
    expect(Number(row('standardised').dataset.rms)).toBeGreaterThan(0.99);
    expect(row('output').textContent).toContain('× γ');
    expect(row('output').textContent).not.toContain('β');
    const notes = notesOf(residualLayerNorm, { trace, waitingMessage: '' });
    expect(notes).toContain('ln_1 (RMSNorm) of layer 0');
    expect(notes).toContain('Llama layout');
  });

  it.each(Object.entries(traces))('charts the residual stream\'s length and dissects ln_1 for the last token of the %s trace', (_, trace) => {
    const root = renderSlide(residualLayerNorm, trace);
    expect([root.dataset.layer, root.dataset.query]).toEqual(['0', String(trace.tokens.length - 1)]);
    expectNormsMatch(root, trace);
    expectLayerNormMatches(root, trace);
  });

  it('follows the token and the LayerNorm layer', () => {
    const trace = traces.plain;
    const root = renderSlide(residualLayerNorm, trace);
    click(root.querySelector('[data-step="first token"]'));
    click(root.querySelectorAll('[aria-label="LayerNorm of layer"] button')[1]);
    expect([root.dataset.layer, root.dataset.query]).toEqual(['1', '0']);
    expectNormsMatch(root, trace);
    expectLayerNormMatches(root, trace);
  });

  it('shows the pre-LayerNorm update rule and the LayerNorm formula', () => {
    const root = renderSlide(residualLayerNorm, traces.plain);
    const tex = Array.from(root.querySelectorAll('annotation'), (a) => a.textContent).join(' ');
    expect(tex).toContain(String.raw`x \leftarrow x + \mathrm{attn}(\mathrm{ln_1}(x))`);
    expect(tex).toContain(String.raw`\sqrt{\sigma^2 + \varepsilon}`);
  });

  it('keeps the LayerNorm panel when the chart\'s outputs are missing', () => {
    const trace = traceWithout('resid.after_attn');
    const root = renderSlide(residualLayerNorm, trace);
    expect(root.querySelector('.live-missing')?.textContent).toContain('trace.layer.0.resid.after_attn');
    expect(root.querySelector('tr.tb-ln-row[data-stat="input"]')).not.toBeNull();
  });

  it('quotes the live lengths and statistics in the notes', () => {
    const trace = traces.plain;
    const last = trace.tokens.length - 1;
    const embed = l2(tensorRow(trace.tensors['trace.embed.sum'], last));
    const notes = notesOf(residualLayerNorm, { trace, waitingMessage: WAITING });
    expect(notes).toContain(`embed ${embed >= 100 ? embed.toFixed(1) : embed >= 1 ? embed.toFixed(2) : embed.toFixed(3)} →`);
    expect(notes).toContain('ln_1 of layer 0');
    expect(notes).toContain('this model normalises before each sub-layer. GPT-2 layout');
  });
});
