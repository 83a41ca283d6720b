// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import attention from '../../slides/11-attention';
import { layerOutput } from '../../src/trace/output-names';
import { rgb } from 'd3-color';
import { tensorAt, type Trace, type TraceTensor } from '../../src/trace';
import { attentionColourScale } from '../../src/viz/colour-scales';
import { RECT_LIMIT } from '../../src/viz/heatmap';
import { ARC_WINDOW } from '../../src/viz/attention-arcs';
import { formatPercent } from '../../src/viz/format';
import { HOSTILE_TOKENS, makeLongTrace, makeTrace } from '../fixtures/synthetic-trace';
import { notesOf, renderInto, renderSlide, resetViews, setViewOf, tagNames, viewOf, WAITING } from './render-slide';

beforeEach(() => resetViews());
afterEach(() => document.body.replaceChildren());

function probs(trace: Trace, layer: number) {
  return trace.tensors[layerOutput(layer, 'attn.probs')];
}

/** The heatmap image's pixels, decoded from its BMP, are the attention colours of the head's weights (sampled). */
function expectImageMatches(image: SVGImageElement, tensor: TraceTensor, head: number, n: number): void {
  const bytes = Uint8Array.from(atob(image.getAttribute('href')!.split(',')[1]), (c) => c.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  expect([view.getInt32(18, true), view.getInt32(22, true)]).toEqual([n, -n]);
  const stride = Math.ceil((n * 3) / 4) * 4;
  const colour = attentionColourScale();
  const step = n > 40 ? [37, 11] : [1, 1];
  for (let q = 0; q < n; q += step[0]) {
    for (let k = 0; k <= q; k += step[1]) {
      const offset = 54 + q * stride + k * 3;
      const expected = rgb(colour(tensorAt(tensor, head, q, k)));
      expect([bytes[offset + 2], bytes[offset + 1], bytes[offset]], `query ${q}, key ${k}`).toEqual([expected.r, expected.g, expected.b]);
    }
  }
}

/** Checks every number the slide shows for its current layer, head and query against the Trace. */
function expectMatchesTrace(root: HTMLElement, trace: Trace): void {
  const layer = Number(root.dataset.layer);
  const head = Number(root.dataset.head);
  const query = Number(root.dataset.query);
  const tensor = probs(trace, layer);
  const n = trace.tokens.length;

  // The cells are one image, a pixel per cell in the attention colours; the chosen row is drawn again as rects.
  const cells = root.querySelectorAll('[data-query][data-key][data-prob]');
  expectImageMatches(root.querySelector<SVGImageElement>('.heatmap-image')!, tensor, head, n);
  expect(root.querySelectorAll(`.heatmap-cell[data-query="${query}"]`)).toHaveLength(query + 1);
  if (n <= RECT_LIMIT) {
    expect(cells).toHaveLength((n * (n + 1)) / 2); // every cell's hooks: the causal lower triangle; the rest is the masked region
    expect(root.querySelectorAll('.heatmap-cell')).toHaveLength(query + 1); // the others' hooks are not drawn
  } else {
    expect(cells).toHaveLength(query + 1); // a long prompt: only the chosen row has hooks
  }
  for (const cell of Array.from(cells).filter((_, i) => i % 97 === 0 || n < 20)) {
    const q = Number(cell.getAttribute('data-query'));
    const k = Number(cell.getAttribute('data-key'));
    expect(k).toBeLessThanOrEqual(q);
    expect(Number(cell.getAttribute('data-prob'))).toBe(tensorAt(tensor, head, q, k));
  }

  const weights = root.querySelectorAll<HTMLElement>('[data-attn-weight]');
  expect(weights).toHaveLength(query + 1);
  const seen = new Set<number>();
  weights.forEach((item) => {
    const key = Number(item.dataset.key);
    seen.add(key);
    expect(Number(item.dataset.attnWeight)).toBe(tensorAt(tensor, head, query, key));
    expect(item.textContent).toContain(formatPercent(tensorAt(tensor, head, query, key)));
  });
  expect(seen.size).toBe(query + 1);
}

describe('attention slide', () => {
  const traces = {
    plain: makeTrace(),
    oneToken: makeTrace({ tokens: ['Hi'] }),
    long: makeLongTrace(),
    hostile: makeTrace({ tokens: HOSTILE_TOKENS }),
  };

  it.each(Object.entries(traces))('renders the %s trace with the real weights of layer 0, head 0, last token', (_, trace) => {
    const root = renderSlide(attention, trace);
    expect(root.dataset.layer).toBe('0');
    expect(root.dataset.head).toBe('0');
    expect(root.dataset.query).toBe(String(trace.tokens.length - 1));
    expectMatchesTrace(root, trace);
  });

  it('sums the weight on tokens left of the arc window into one "earlier" arc', () => {
    const trace = traces.long;
    const root = renderSlide(attention, trace);
    const start = 256 - ARC_WINDOW;
    expect(root.querySelector('.arc-earlier')?.textContent).toBe(`…${start} earlier`);
    expect(root.querySelectorAll('.arc-token')).toHaveLength(ARC_WINDOW);
    const tensor = probs(trace, 0);
    let earlier = 0;
    for (let key = 0; key < start; key++) earlier += tensorAt(tensor, 0, 255, key);
    const weightTexts = Array.from(root.querySelectorAll('.arc-weight-text'), (text) => text.textContent);
    expect(weightTexts).toContain(formatPercent(earlier)); // the fixture's earlier tokens hold most of the weight
  });

  it('clears its hooks when the Trace goes away, and leaves the deck\'s own attributes alone', () => {
    const root = renderSlide(attention, traces.plain);
    root.dataset.live = 'attention';
    renderInto(attention, root, { trace: null, waitingMessage: WAITING });
    expect(root.dataset.layer).toBeUndefined();
    expect(root.dataset.query).toBeUndefined();
    expect(root.dataset.live).toBe('attention');
  });

  it('draws the causal mask as a region labelled "masked"', () => {
    const root = renderSlide(attention, traces.plain);
    expect(root.querySelector('.heatmap-masked')).not.toBeNull();
    expect(root.querySelector('.heatmap-masked-label')?.textContent).toBe('masked');
    expect(root.querySelector('.heatmap-legend')?.textContent).toContain('masked');
  });

  it('follows clicks on a token, a layer and a head', () => {
    const trace = makeTrace({ nLayer: 3, nHead: 4 });
    const root = renderSlide(attention, trace);
    root.querySelector<SVGGElement>('.arc-token[data-token-index="2"]')?.dispatchEvent(new Event('click', { bubbles: true }));
    expect(root.dataset.query).toBe('2');
    root.querySelectorAll<HTMLButtonElement>('[aria-label="Layer"] button')[2].click();
    root.querySelectorAll<HTMLButtonElement>('[aria-label="Head"] button')[3].click();
    expect([root.dataset.layer, root.dataset.head, root.dataset.query]).toEqual(['2', '3', '2']);
    expectMatchesTrace(root, trace);
    expect(notesOf(attention, { trace, waitingMessage: WAITING })).toContain('Layer 2, head 3');
  });

  it('selects a query from a heatmap row', () => {
    const root = renderSlide(attention, traces.plain);
    root.querySelector('[data-query="4"][data-key="1"]')?.dispatchEvent(new Event('click', { bubbles: true }));
    expect(root.dataset.query).toBe('4');
  });

  it('goes back to the last token when the prompt changes', () => {
    setViewOf(attention, { query: 1, queryPrompt: traces.plain.prompt });
    expect(renderSlide(attention, traces.plain).dataset.query).toBe('1');
    expect(renderSlide(attention, traces.hostile).dataset.query).toBe(String(traces.hostile.tokens.length - 1));
  });

  it('clamps a stored selection the Trace does not have', () => {
    setViewOf(attention, { layer: 9, head: 9, query: 99, queryPrompt: traces.plain.prompt });
    const root = renderSlide(attention, traces.plain);
    expect([root.dataset.layer, root.dataset.head, root.dataset.query]).toEqual(['1', '3', '7']);
    expect(viewOf(attention).layer).toBe(9); // rendering does not rewrite the choice
  });

  it('names the missing output when the graph lacks attention probabilities', () => {
    const trace = makeTrace({ omit: (name) => name.endsWith('attn.probs') });
    const root = renderSlide(attention, trace);
    const message = root.querySelector('.live-missing');
    expect(message?.textContent).toContain('trace.layer.0.attn.probs');
    expect(root.querySelector('[data-prob]')).toBeNull();
    expect(notesOf(attention, { trace, waitingMessage: WAITING })).toContain('trace.layer.0.attn.probs');
  });

  it('says so when the tensor has an unexpected shape', () => {
    const trace = makeTrace();
    trace.tensors[layerOutput(0, 'attn.probs')] = { shape: [4, 3, 3], data: new Float32Array(36) };
    const root = renderSlide(attention, trace);
    expect(root.querySelector('.live-missing')?.textContent).toContain('[4, 3, 3]');
  });

  it('renders token text as text, never as elements', () => {
    const root = renderSlide(attention, traces.hostile);
    const tags = tagNames(root);
    expect(tags.has('script')).toBe(false);
    expect(tags.has('img')).toBe(false);
    expect(root.textContent).toContain('<script>');
  });

  it('shows the waiting message without a Trace', () => {
    const root = renderSlide(attention, null);
    expect(root.querySelector('.live-waiting')?.textContent).toBe(WAITING);
    expect(notesOf(attention, { trace: null, waitingMessage: WAITING })).toContain(WAITING);
  });

  it('quotes the live weights in the notes', () => {
    const trace = traces.plain;
    const tensor = probs(trace, 0);
    const last = trace.tokens.length - 1;
    const row = Array.from({ length: last + 1 }, (_, key) => tensorAt(tensor, 0, last, key));
    const topKey = row.indexOf(Math.max(...row));
    const notes = notesOf(attention, { trace, waitingMessage: WAITING });
    expect(notes).toContain('Layer 0, head 0');
    expect(notes).toContain(`${JSON.stringify(trace.tokens[topKey].text)} (token ${topKey + 1}) ${formatPercent(row[topKey])}`);
    expect(notes).toMatch(/Most focused head for this token: layer \d+, head \d+/);
  });
});
