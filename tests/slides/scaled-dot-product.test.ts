// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import scaledDotProduct, { MASKED_ROWS, WINDOW } from '../../slides/13-scaled-dot-product';
import { tensorAt, type Trace } from '../../src/trace';
import { commonSlideChecks } from './block-common';
import { blockTraces, click } from './block-traces';
import { notesOf, renderSlide, resetViews, setViewOf, WAITING } from './render-slide';

beforeEach(() => resetViews());
afterEach(() => document.body.replaceChildren());

/** Every number in the table and the weighted sum, recomputed here from q, k, v and probs. */
function expectStepsMatch(root: HTMLElement, trace: Trace): void {
  const layer = Number(root.dataset.layer);
  const head = Number(root.dataset.head);
  const query = Number(root.dataset.query);
  const n = trace.tokens.length;
  const hd = trace.model.headDim;
  const t = (kind: string) => trace.tensors[`trace.layer.${layer}.attn.${kind}`];
  const rows = root.querySelectorAll<HTMLElement>('tr.tb-sdp-key');
  const windowStart = Math.max(0, query - WINDOW + 1);
  const shownMasked = Math.min(n - 1, query + MASKED_ROWS) - query;
  expect(rows).toHaveLength(query - windowStart + 1 + shownMasked);
  expect(root.querySelector<HTMLElement>('.tb-sdp-table')?.dataset.windowStart).toBe(String(windowStart));
  rows.forEach((row) => {
    const key = Number(row.dataset.key);
    let dot = 0;
    for (let i = 0; i < hd; i++) dot += tensorAt(t('q'), head, query, i) * tensorAt(t('k'), head, key, i);
    expect(Number(row.dataset.dot)).toBeCloseTo(dot, 9);
    expect(Number(row.dataset.score)).toBe(tensorAt(t('scores'), head, query, key));
    expect(Math.abs(dot / Math.sqrt(hd) - Number(row.dataset.score))).toBeLessThan(1e-4);
    expect(Number(row.dataset.prob)).toBe(tensorAt(t('probs'), head, query, key));
    const cells = row.querySelectorAll('td');
    if (key > query) {
      expect(row.dataset.masked).toBe('true');
      expect(cells[3].textContent).toBe('−∞');
      expect(cells[4].textContent).toBe('0');
    } else {
      expect(row.dataset.masked).toBe('false');
      expect(Number(row.dataset.maskedScore)).toBe(tensorAt(t('masked_scores'), head, query, key));
    }
  });
  let sum = 0;
  for (let key = 0; key <= query; key++) sum += tensorAt(t('probs'), head, query, key);
  const sumRow = root.querySelector<HTMLElement>('.tb-sdp-sum');
  expect(Number(sumRow?.dataset.probSum)).toBeCloseTo(sum, 12);
  expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
  expect(sumRow?.textContent).toContain(sum.toFixed(4));
  const context = root.querySelectorAll<HTMLElement>('tr.tb-sdp-context');
  expect(context.length).toBe(Math.min(4, hd));
  context.forEach((row) => {
    const dim = Number(row.dataset.dim);
    let weighted = 0;
    for (let key = 0; key <= query; key++) weighted += tensorAt(t('probs'), head, query, key) * tensorAt(t('v'), head, key, dim);
    expect(Number(row.dataset.weightedSum)).toBeCloseTo(weighted, 9);
    expect(Number(row.dataset.context)).toBe(tensorAt(t('context'), head, query, dim));
    expect(Math.abs(weighted - Number(row.dataset.context))).toBeLessThan(1e-5);
  });
  const check = root.querySelector<HTMLElement>('.tb-sdp-check');
  expect(Number(check?.dataset.sqrtHeadDim)).toBe(Math.sqrt(hd));
  expect(Number(check?.dataset.maxScoreDifference)).toBeLessThan(1e-4);
}

describe('scaled dot-product slide', () => {
  commonSlideChecks(scaledDotProduct, { missingSuffix: 'attn.context', missingName: 'trace.layer.0.attn.context' });
  const traces = blockTraces();

  it.each(Object.entries(traces))('computes every step for the middle token of the %s trace', (_, trace) => {
    const root = renderSlide(scaledDotProduct, trace);
    expect(root.dataset.query).toBe(String(Math.floor((trace.tokens.length - 1) / 2)));
    expectStepsMatch(root, trace);
  });

  it('never shows the raw float32 minimum of the masked scores', () => {
    for (const trace of Object.values(traces)) {
      const text = renderSlide(scaledDotProduct, trace).textContent ?? '';
      expect(text).not.toMatch(/e\+?38|340282|3\.40/);
    }
  });

  it('shows a window of the last visible keys for a long prompt, and says so', () => {
    const trace = traces.long;
    setViewOf(scaledDotProduct, { token: 255, tokenPrompt: trace.prompt, head: 1 });
    const root = renderSlide(scaledDotProduct, trace);
    expect(root.dataset.query).toBe('255');
    expectStepsMatch(root, trace);
    expect(root.querySelector('.tb-sdp-lead')?.textContent).toContain(`Showing its last ${WINDOW} of 256 visible keys.`);
    expect(root.querySelector('.tb-sdp-note')?.textContent).toContain(`${256 - WINDOW} earlier keys not shown`);
    expect(root.querySelector('.tb-sdp-steps')?.textContent).toContain('nothing is masked');
  });

  it('counts the masked keys it does not show', () => {
    const trace = traces.long;
    setViewOf(scaledDotProduct, { token: 10, tokenPrompt: trace.prompt });
    const root = renderSlide(scaledDotProduct, trace);
    const notes = Array.from(root.querySelectorAll('.tb-sdp-note'), (row) => row.textContent);
    expect(notes.some((text) => text?.includes(`${255 - 10 - MASKED_ROWS} more later keys`))).toBe(true);
  });

  it('unfolds the five steps as fragments in order', () => {
    const root = renderSlide(scaledDotProduct, traces.plain);
    const indexes = (selector: string) => new Set(Array.from(root.querySelectorAll(selector), (el) => el.getAttribute('data-fragment-index')));
    expect(indexes('th.fragment')).toEqual(new Set(['1', '2', '3', '4']));
    expect(indexes('tr.tb-sdp-key td.fragment')).toEqual(new Set(['1', '2', '3', '4']));
    expect(indexes('.tb-sdp-steps li.fragment')).toEqual(new Set(['1', '2', '3', '4']));
    expect(root.querySelector('.tb-sdp-weighted')?.getAttribute('data-fragment-index')).toBe('5');
    expect(root.querySelector('.tb-sdp-weighted')?.classList.contains('fragment')).toBe(true);
  });

  it('writes the formula with the model\'s real head width', () => {
    const root = renderSlide(scaledDotProduct, traces.plain);
    const tex = root.querySelector('.tb-sdp-formula annotation')?.textContent ?? '';
    expect(tex).toContain(String.raw`\mathrm{softmax}`);
    expect(tex).toContain(`d_k = ${traces.plain.model.headDim}`);
    expect(root.querySelector('.tb-sdp-table th:nth-child(3)')?.textContent).toBe(`2 · ÷ ${Math.sqrt(traces.plain.model.headDim).toFixed(2)}`);
  });

  it('follows the token stepper and the head choice', () => {
    const trace = traces.plain;
    const root = renderSlide(scaledDotProduct, trace);
    click(root.querySelector('[data-step="last token"]'));
    click(root.querySelectorAll('[aria-label="Head"] button')[3]);
    expect([root.dataset.head, root.dataset.query]).toEqual(['3', String(trace.tokens.length - 1)]);
    expectStepsMatch(root, trace);
  });

  it('quotes the live steps in the notes', () => {
    const trace = traces.plain;
    const query = Math.floor((trace.tokens.length - 1) / 2);
    const notes = notesOf(scaledDotProduct, { trace, waitingMessage: WAITING });
    expect(notes).toContain(`query ${JSON.stringify(trace.tokens[query].text)} (token ${query + 1} of ${trace.tokens.length})`);
    expect(notes).toContain(`${trace.tokens.length - 1 - query} later tokens masked`);
    expect(notes).toMatch(/the weights sum to 1\.0000/);
  });
});
