// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import embeddings, { SHOWN_VALUES, STRIP_ROWS } from '../../slides/07-embeddings';
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

/** Checks the selected token's numbers against the Trace, computed here independently. */
function expectMatchesTrace(root: HTMLElement, trace: Trace): void {
  const tensor = trace.tensors[embedOutputs.tokens];
  const [rows, width] = tensor.shape;
  expect(root.dataset.rows).toBe(String(rows));
  expect(root.dataset.width).toBe(String(width));
  expect(root.textContent).toContain(`[${rows} × ${width}]`);
  const selected = Number(root.dataset.selectedToken);
  let sumSquares = 0;
  let maxAbs = 0;
  for (let dim = 0; dim < width; dim++) sumSquares += tensorAt(tensor, selected, dim) ** 2;
  for (const value of tensor.data) maxAbs = Math.max(maxAbs, Math.abs(value));
  expect(Number(root.dataset.norm)).toBeCloseTo(Math.sqrt(sumSquares), 10);
  expect(Number(root.dataset.maxAbs)).toBe(maxAbs);

  const selectedRow = root.querySelector(`.vector-strip-row[data-token-index="${selected}"]`)!;
  expect(selectedRow.classList.contains('vector-strip-selected')).toBe(true);
  const cells = selectedRow.querySelectorAll('rect[data-dim]');
  expect(cells).toHaveLength(width);
  cells.forEach((cell, dim) => expect(Number(cell.getAttribute('data-value'))).toBe(tensorAt(tensor, selected, dim)));

  const values = root.querySelectorAll<HTMLElement>('.embedding-value');
  expect(values).toHaveLength(Math.min(SHOWN_VALUES, width));
  values.forEach((item, dim) => {
    expect(item.dataset.dim).toBe(String(dim));
    expect(Number(item.dataset.value)).toBe(tensorAt(tensor, selected, dim));
    expect(item.textContent).toContain(formatSigned(tensorAt(tensor, selected, dim)));
  });
}

describe('embeddings slide', () => {
  it.each(Object.entries(traces))('renders the %s trace with the real vectors of the first token', (_, trace) => {
    const root = renderSlide(embeddings, trace);
    expect(root.dataset.selectedToken).toBe('0');
    expect(root.querySelectorAll('.vector-strip-row')).toHaveLength(Math.min(STRIP_ROWS, trace.tokens.length));
    expectMatchesTrace(root, trace);
  });

  it('selects a token by clicking its strip, and clamps a stored choice to the Trace', () => {
    const trace = traces.plain;
    const root = renderSlide(embeddings, trace);
    root.querySelector<HTMLElement>('.vector-strip-row[data-token-index="3"]')!.dispatchEvent(new Event('click'));
    expect(root.dataset.selectedToken).toBe('3');
    expect(viewOf(embeddings)).toEqual({ token: 3, tokenPrompt: trace.prompt });
    expectMatchesTrace(root, trace);

    setViewOf(embeddings, { token: 999, tokenPrompt: traces.long.prompt });
    const long = renderSlide(embeddings, traces.long);
    expect(long.dataset.selectedToken).toBe('255');
    expect(long.querySelectorAll('.vector-strip-row')).toHaveLength(STRIP_ROWS); // a window around token 255
    expectMatchesTrace(long, traces.long);
    expect(renderSlide(embeddings, traces.oneToken).dataset.selectedToken).toBe('0'); // another prompt: back to the first
  });

  it('gives the same id the same row', () => {
    const trace = makeTrace({ tokens: ['the', ' cat', 'the'], embeddings: true });
    const tensor = trace.tensors[embedOutputs.tokens];
    expect(Array.from(tensor.data.subarray(0, 64))).toEqual(Array.from(tensor.data.subarray(128, 192)));
    expect(notesOf(embeddings, { trace, waitingMessage: WAITING })).toContain('Point at token 3: the same id');
  });

  it('names the missing output when the graph lacks token embeddings', () => {
    const trace = makeTrace({ embeddings: true, omit: (name) => name === embedOutputs.tokens });
    const root = renderSlide(embeddings, trace);
    expect(root.querySelector('.live-missing')?.getAttribute('data-missing')).toBe(embedOutputs.tokens);
    expect(root.dataset.norm).toBeUndefined();
    expect(notesOf(embeddings, { trace, waitingMessage: WAITING })).toContain(embedOutputs.tokens);
    const noEmbeddings = renderSlide(embeddings, makeTrace());
    expect(noEmbeddings.querySelector('.live-missing')?.textContent).toContain(embedOutputs.tokens);
  });

  it('renders token text as text, never as elements', () => {
    const tags = tagNames(renderSlide(embeddings, traces.hostile));
    expect(tags.has('script')).toBe(false);
    expect(tags.has('img')).toBe(false);
  });

  it('shows the waiting message without a Trace and clears its hooks', () => {
    const root = renderSlide(embeddings, traces.plain);
    renderInto(embeddings, root, { trace: null, waitingMessage: WAITING });
    expect(root.querySelector('.live-waiting')?.textContent).toBe(WAITING);
    expect(root.dataset.rows).toBeUndefined();
  });

  it('quotes the live values in the notes', () => {
    const trace = traces.plain;
    const tensor = trace.tensors[embedOutputs.tokens];
    const notes = notesOf(embeddings, { trace, waitingMessage: WAITING });
    expect(notes).toContain(`[${trace.tokens.length} × ${tensor.shape[1]}]`);
    expect(notes).toContain(formatSigned(tensorAt(tensor, 0, 0)));
    expect(notes).toContain(JSON.stringify(trace.tokens[0].text));
    expect(notesOf(embeddings, { trace: null, waitingMessage: WAITING })).toContain(WAITING);
  });
});
