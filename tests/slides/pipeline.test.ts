// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import pipeline from '../../slides/26-pipeline';
import type { Trace } from '../../src/trace';
import { formatPercent } from '../../src/viz/format';
import { HOSTILE_TOKENS, makeLongTrace, makeTrace } from '../fixtures/synthetic-trace';
import { notesOf, renderSlide, tagNames, WAITING } from './render-slide';

afterEach(() => document.body.replaceChildren());

function timed(trace: Trace): Trace {
  return { ...trace, timings: { tokenizeMs: 2.0035, forwardMs: 4.7307, collectMs: 12.0886, totalMs: 18.8229 } };
}

const traces: Record<string, Trace> = {
  plain: timed(makeTrace()),
  oneToken: makeTrace({ tokens: ['Hi'] }),
  long: makeLongTrace(),
  hostile: makeTrace({ tokens: HOSTILE_TOKENS, prompt: '<script>alert("x")</script> <img src=x onerror=alert(1)>🍪 你好\n\n\tTab 👩‍👩‍👧‍👦&amp;' }),
};

function body(root: HTMLElement): DOMStringMap {
  const element = root.querySelector<HTMLElement>('.pipeline-body');
  if (!element) throw new Error('no .pipeline-body');
  return element.dataset;
}

describe('pipeline slide', () => {
  it.each(Object.entries(traces))('renders the %s trace: every stage with the Trace’s sizes and times', (_, trace) => {
    const root = renderSlide(pipeline, trace);
    const hooks = body(root);
    expect(Number(hooks.byteCount)).toBe(Buffer.byteLength(trace.prompt, 'utf8'));
    expect(Number(hooks.charCount)).toBe([...trace.prompt].length);
    expect(Number(hooks.tokenCount)).toBe(trace.tokens.length);
    expect(Number(hooks.droppedTokens)).toBe(trace.droppedTokens);
    expect(Number(hooks.nLayer)).toBe(trace.model.nLayer);
    expect(Number(hooks.logitCount)).toBe(trace.lastLogits.length);
    expect(Number(hooks.nextTokenId)).toBe(trace.topk[0].id);
    expect(Number(hooks.nextTokenProb)).toBe(trace.topk[0].prob);
    expect(Number(hooks.totalMs)).toBe(trace.timings.totalMs);
    const stages = Array.from(root.querySelectorAll('[data-stage]'), (row) => row.getAttribute('data-stage'));
    expect(stages).toEqual(['prompt', 'bytes', 'tokens', 'embeddings', 'blocks', 'lm-head', 'softmax', 'next-token']);
    const times = Object.fromEntries(Array.from(root.querySelectorAll<HTMLElement>('[data-timing]'), (cell) => [cell.dataset.timing, Number(cell.dataset.ms)]));
    expect(times).toEqual({ tokenize: trace.timings.tokenizeMs, forward: trace.timings.forwardMs, collect: trace.timings.collectMs, total: trace.timings.totalMs });
    expect(root.querySelector('[data-stage="embeddings"]')?.textContent).toContain(`[${trace.tokens.length} × ${trace.model.nEmbd}]`);
    expect(root.querySelector('[data-stage="blocks"]')?.textContent).toContain(`${trace.model.nLayer} transformer blocks`);
    expect(root.querySelector('.pipeline-response')?.textContent).toContain(formatPercent(trace.topk[0].prob));
    expect(root.textContent).toContain('first step');
  });

  it('shows the real times', () => {
    const root = renderSlide(pipeline, traces.plain);
    expect(root.querySelector('[data-timing="forward"]')?.textContent).toContain('4.7 ms');
    expect(root.querySelector('[data-timing="total"]')?.textContent).toContain('18.8 ms');
    const forwardBar = root.querySelector<HTMLElement>('[data-timing="forward"] .pipeline-time-fill');
    expect(parseFloat(forwardBar?.style.width ?? '')).toBeCloseTo((100 * 4.7307) / 18.8229, 6);
  });

  it('says when tokens were dropped and when there are no candidates', () => {
    expect(renderSlide(pipeline, traces.long).querySelector('[data-stage="tokens"]')?.textContent).toContain('the first 44 cut');
    const root = renderSlide(pipeline, { ...traces.plain, topk: [] });
    expect(root.querySelector('.live-missing')?.textContent).toContain('topk');
    expect(body(root).nextTokenId).toBeUndefined();
  });

  it('renders prompt and token text as text, never as elements', () => {
    const trace = traces.hostile;
    const root = renderSlide(pipeline, { ...trace, topk: [{ ...trace.topk[0], token: '<script>x</script>' }] });
    const tags = tagNames(root);
    expect(tags.has('script')).toBe(false);
    expect(tags.has('img')).toBe(false);
    expect(root.querySelector('[data-stage="prompt"]')?.textContent).toContain('<script>alert("x")</script>');
  });

  it('shows the waiting message without a Trace', () => {
    expect(renderSlide(pipeline, null).querySelector('.live-waiting')?.textContent).toBe(WAITING);
  });

  it('quotes the live values in the notes', () => {
    const trace = traces.plain;
    const notes = notesOf(pipeline, { trace, waitingMessage: WAITING });
    expect(notes).toContain(`${trace.tokens.length} tokens → [${trace.tokens.length} x ${trace.model.nEmbd}]`);
    expect(notes).toContain('tokenize 2.0 ms, forward pass 4.7 ms, read-out, softmax and top-10 12.1 ms, total 18.8 ms');
    expect(notes).toContain(`${JSON.stringify(trace.topk[0].token)} (id ${trace.topk[0].id}) at ${formatPercent(trace.topk[0].prob)}`);
  });
});
