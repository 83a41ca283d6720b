// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import tower from '../../slides/10-transformer-tower';
import { tensorRow, type Trace } from '../../src/trace';
import { makeTrace } from '../fixtures/synthetic-trace';
import { commonSlideChecks } from './block-common';
import { blockTraces, click, l2, traceWithout } from './block-traces';
import { notesOf, renderSlide, resetViews, setViewOf, viewOf, WAITING } from './render-slide';

beforeEach(() => resetViews());
afterEach(() => document.body.replaceChildren());

function entropyBitsOf(row: ArrayLike<number>, count: number): number {
  let h = 0;
  for (let i = 0; i < count; i++) if (row[i] > 0) h -= row[i] * Math.log2(row[i]);
  return h;
}

function expectBlockNumbers(root: HTMLElement, trace: Trace, layer: number): void {
  const last = trace.tokens.length - 1;
  const box = root.querySelector<HTMLElement>('.tb-block-numbers');
  expect(box).not.toBeNull();
  const input = layer === 0 ? trace.tensors['trace.embed.sum'] : trace.tensors[`trace.layer.${layer - 1}.resid.after_mlp`];
  expect(Number(box?.dataset.normIn)).toBeCloseTo(l2(tensorRow(input, last)), 9);
  expect(Number(box?.dataset.normAfterAttn)).toBeCloseTo(l2(tensorRow(trace.tensors[`trace.layer.${layer}.resid.after_attn`], last)), 9);
  expect(Number(box?.dataset.normOut)).toBeCloseTo(l2(tensorRow(trace.tensors[`trace.layer.${layer}.resid.after_mlp`], last)), 9);
  const probs = trace.tensors[`trace.layer.${layer}.attn.probs`];
  let sum = 0;
  for (let head = 0; head < probs.shape[0]; head++) sum += entropyBitsOf(tensorRow(probs, head, last), last + 1);
  expect(Number(box?.dataset.meanEntropy)).toBeCloseTo(sum / probs.shape[0], 9);
  expect(Number(box?.dataset.maxEntropy)).toBeCloseTo(Math.log2(last + 1), 12);
}

describe('transformer tower slide', () => {
  commonSlideChecks(tower, { missingSuffix: 'resid.after_attn', missingName: 'trace.layer.0.resid.after_attn' });
  const traces = blockTraces();

  it.each(Object.entries(traces))('shows the model\'s real sizes and block 0\'s numbers for the %s trace', (_, trace) => {
    const root = renderSlide(tower, trace);
    const facts = root.querySelector<HTMLElement>('.tb-model-facts');
    const m = trace.model;
    const expected: Record<string, string> = {
      'data-n-layer': String(m.nLayer),
      'data-n-head': String(m.nHead),
      'data-n-embd': String(m.nEmbd),
      'data-head-dim': String(m.headDim),
      'data-mlp-width': String(m.mlpWidth),
      'data-context-length': String(m.contextLength),
      'data-vocab-size': String(m.vocabSize),
      'data-parameter-count': '',
    };
    for (const [attribute, value] of Object.entries(expected)) expect(facts?.getAttribute(attribute)).toBe(value);
    expect(root.querySelectorAll('.tb-tower-block')).toHaveLength(m.nLayer);
    expect(root.querySelector('.tb-tower-block[aria-pressed="true"]')?.getAttribute('data-layer')).toBe('0');
    expect(root.dataset.layer).toBe('0');
    expect(root.dataset.query).toBe(String(trace.tokens.length - 1));
    expectBlockNumbers(root, trace, 0);
  });

  it('opens the block that is clicked', () => {
    const trace = traces.plain;
    const root = renderSlide(tower, trace);
    click(root.querySelector('.tb-tower-block[data-layer="1"]'));
    expect(root.dataset.layer).toBe('1');
    expect(root.querySelector('.tb-panel-title')?.textContent).toBe('Inside layer 1');
    expectBlockNumbers(root, trace, 1);
    expect(viewOf(tower).layer).toBe(1);
  });

  it('shows the pre-LayerNorm order inside a block', () => {
    const root = renderSlide(tower, traces.plain);
    const steps = Array.from(root.querySelectorAll('.tb-flow-name'), (step) => step.textContent);
    expect(steps).toEqual(['x: residual stream in', 'ln_1', 'multi-head self-attention', '+ add to x (residual)', 'ln_2', 'feed-forward', '+ add to x (residual)']);
    expect(root.textContent).toContain('x = x + attn(ln_1(x))');
    expect(root.textContent).toContain('x = x + mlp(ln_2(x))');
  });

  it('labels the 32-to-96-block figure as other models\'', () => {
    const root = renderSlide(tower, traces.plain);
    expect(root.querySelector('.tb-other-models')?.textContent).toMatch(/^Other models, not this one: .*32 to 96/);
  });

  it('shows a parameter count when the model reports one', () => {
    const trace = makeTrace({ blockTensors: true });
    trace.model = { ...trace.model, parameterCount: 5322240 };
    const root = renderSlide(tower, trace);
    expect(root.querySelector<HTMLElement>('.tb-model-facts')?.dataset.parameterCount).toBe('5322240');
    expect(root.textContent).toContain('5,322,240');
  });

  it('draws a deep model without labelling every thin block', () => {
    const trace = makeTrace({ nLayer: 96 });
    const root = renderSlide(tower, trace);
    expect(root.querySelectorAll('.tb-tower-block')).toHaveLength(96);
    expect(root.querySelectorAll('.tb-tower-block text').length).toBeLessThan(96);
    expect(root.querySelector('.live-missing')?.textContent).toContain('trace.embed.sum');
  });

  it('clamps a stored block the model does not have', () => {
    setViewOf(tower, { layer: 9 });
    expect(renderSlide(tower, traces.plain).dataset.layer).toBe('1');
    expect(viewOf(tower).layer).toBe(9);
  });

  it('keeps the tower when the block numbers are missing', () => {
    const root = renderSlide(tower, traceWithout('attn.probs'));
    expect(root.querySelectorAll('.tb-tower-block')).toHaveLength(2);
    expect(root.querySelector('.live-missing')?.textContent).toContain('trace.layer.0.attn.probs');
  });

  it('quotes the live numbers in the notes', () => {
    const trace = traces.plain;
    const last = trace.tokens.length - 1;
    const normIn = l2(tensorRow(trace.tensors['trace.embed.sum'], last));
    const notes = notesOf(tower, { trace, waitingMessage: WAITING });
    expect(notes).toContain(`${trace.model.nLayer} blocks, ${trace.model.nHead} heads of ${trace.model.headDim}`);
    expect(notes).toContain(`goes ${normIn >= 100 ? normIn.toFixed(1) : normIn >= 1 ? normIn.toFixed(2) : normIn.toFixed(3)} →`);
    expect(notes).toContain('other models');
  });
});

describe('transformer tower slide, Llama layout', () => {
  it('names RMSNorm, SwiGLU, the shared key/value heads and RoPE, and no position embeddings', () => {
    const base = makeTrace({ modelType: 'llama', blockTensors: true, nLayer: 2, nHead: 4 });
    const trace = { ...base, model: { ...base.model, architecture: { ...base.model.architecture, kvHeads: 2 } } };
    const root = renderSlide(tower, trace);
    const text = root.textContent ?? '';
    expect(text).toContain('final RMSNorm → LM head');
    expect(text).toContain('enter: token embeddings (RoPE turns q, k in each block)');
    expect(text).not.toContain('position embeddings');
    expect(text).toContain('query heads per block (2 key/value)');
    expect(text).toContain('SwiGLU');
    expect(text).not.toContain('LayerNorm');
    expect(notesOf(tower, { trace, waitingMessage: '' })).toContain('Llama layout: rotary positions (RoPE, θ = 10000), RMSNorm, SwiGLU feed-forward, 4 query heads sharing 2 key/value heads.');
  });
});
