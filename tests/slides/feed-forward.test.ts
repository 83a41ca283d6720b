// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import feedForward, { QUIET_BELOW, TOP_NEURONS } from '../../slides/15-feed-forward';
import { tensorRow, type Trace } from '../../src/trace';
import { commonSlideChecks } from './block-common';
import { blockTraces, click } from './block-traces';
import { makeTrace } from '../fixtures/synthetic-trace';
import { notesOf, renderSlide, resetViews, setViewOf, WAITING } from './render-slide';

beforeEach(() => resetViews());
afterEach(() => document.body.replaceChildren());

function expectNeuronsMatch(root: HTMLElement, trace: Trace): void {
  const layer = Number(root.dataset.layer);
  const token = Number(root.dataset.query);
  const pre = tensorRow(trace.tensors[`trace.layer.${layer}.mlp.pre_act`], token);
  const act = tensorRow(trace.tensors[`trace.layer.${layer}.mlp.act`], token);
  const points = root.querySelectorAll('circle.tb-neuron');
  expect(points).toHaveLength(trace.model.mlpWidth);
  points.forEach((point) => {
    const neuron = Number(point.getAttribute('data-neuron'));
    expect(Number(point.getAttribute('data-pre-act'))).toBe(pre[neuron]);
    expect(Number(point.getAttribute('data-act'))).toBe(act[neuron]);
  });
  const order = Array.from(act.keys()).sort((a, b) => act[b] - act[a] || a - b);
  const top = Array.from(root.querySelectorAll<HTMLElement>('.tb-top-neurons .bar-row'));
  expect(top.map((row) => Number(row.dataset.neuron))).toEqual(order.slice(0, TOP_NEURONS));
  top.forEach((row) => {
    expect(Number(row.dataset.act)).toBe(act[Number(row.dataset.neuron)]);
    expect(row.textContent).toContain(`#${row.dataset.neuron}`);
  });
  const stats = root.querySelector<HTMLElement>('.tb-ffn-stats');
  expect(Number(stats?.dataset.count)).toBe(act.length);
  expect(Number(stats?.dataset.negative)).toBe(act.filter((value) => value < 0).length);
  expect(Number(stats?.dataset.quiet)).toBe(act.filter((value) => value < QUIET_BELOW).length);
  expect(Number(stats?.dataset.geluMismatch)).toBeLessThan(1e-5); // the fixture's act is the tanh GELU of pre_act
}

describe('feed-forward slide', () => {
  commonSlideChecks(feedForward, { missingSuffix: 'mlp.act', missingName: 'trace.layer.0.mlp.act' });
  const traces = blockTraces();

  it.each(Object.entries(traces))('shows every neuron of layer 0 for the last token of the %s trace', (_, trace) => {
    const root = renderSlide(feedForward, trace);
    expect([root.dataset.layer, root.dataset.query]).toEqual(['0', String(trace.tokens.length - 1)]);
    expectNeuronsMatch(root, trace);
  });

  it('names a Llama model\'s SwiGLU: SiLU line, gate/up/down projections, no claim that outputs sit on the line', () => {
    const trace = makeTrace({ modelType: 'llama', blockTensors: true, nLayer: 2, nHead: 4 });
    const root = renderSlide(feedForward, trace);
    expect(Array.from(root.querySelectorAll('.tb-ffn-arrow'), (arrow) => arrow.textContent)).toEqual(['gate_proj, up_proj →', 'SiLU(gate) × up →', 'down_proj →']);
    expect(root.querySelector('figcaption')?.textContent).toContain('the dots leave the line');
    expect(root.querySelector<HTMLElement>('.tb-ffn-stats')?.dataset.geluMismatch).toBeUndefined();
    expect(root.textContent).not.toContain('GELU');
    expect(root.querySelectorAll('circle.tb-neuron')).toHaveLength(trace.model.mlpWidth);
    const notes = notesOf(feedForward, { trace, waitingMessage: '' });
    expect(notes).toContain('pass SwiGLU');
    expect(notes).not.toContain('GELU');
  });

  it('gives the real widths', () => {
    const trace = traces.plain;
    const boxes = Array.from(renderSlide(feedForward, trace).querySelectorAll('.tb-ffn-box'), (box) => box.textContent);
    const { nEmbd, mlpWidth } = trace.model;
    expect(boxes).toEqual([nEmbd, mlpWidth, mlpWidth, nEmbd].map(String));
  });

  it('draws the GELU curve from its formula', () => {
    const root = renderSlide(feedForward, traces.plain);
    expect(root.querySelector('path.tb-gelu-curve')?.getAttribute('d')).toMatch(/^M[\d.-]+,[\d.-]+(L[\d.-]+,[\d.-]+){120}$/);
    expect(root.querySelector('.tb-ffn-figure annotation')?.textContent).toContain('0.044715');
  });

  it('follows the layer and token choices', () => {
    const trace = traces.plain;
    const root = renderSlide(feedForward, trace);
    click(root.querySelectorAll('[aria-label="Layer"] button')[1]);
    click(root.querySelector('[data-step="first token"]'));
    click(root.querySelector('[data-step="next token"]'));
    expect([root.dataset.layer, root.dataset.query]).toEqual(['1', '1']);
    expectNeuronsMatch(root, trace);
  });

  it('clamps a stored token beyond the prompt', () => {
    setViewOf(feedForward, { token: 500, tokenPrompt: traces.long.prompt });
    expect(renderSlide(feedForward, traces.long).dataset.query).toBe('255');
  });

  it('quotes the most active neurons in the notes', () => {
    const trace = traces.plain;
    const act = tensorRow(trace.tensors['trace.layer.0.mlp.act'], trace.tokens.length - 1);
    const best = Array.from(act.keys()).sort((a, b) => act[b] - act[a])[0];
    const notes = notesOf(feedForward, { trace, waitingMessage: WAITING });
    expect(notes).toContain(`Most active: #${best} at`);
    expect(notes).toContain(`${act.filter((value) => value < 0).length} of ${act.length} come out negative`);
  });
});
