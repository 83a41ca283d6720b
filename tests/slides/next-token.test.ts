// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import nextToken from '../../slides/19-next-token';
import { formatPercent } from '../../src/viz/format';
import { HOSTILE_TOKENS, makeLongTrace, makeTrace } from '../fixtures/synthetic-trace';
import { notesOf, renderSlide, tagNames, WAITING } from './render-slide';

afterEach(() => document.body.replaceChildren());

const traces = {
  plain: makeTrace(),
  oneToken: makeTrace({ tokens: ['Hi'] }),
  long: makeLongTrace(),
  hostile: makeTrace({ tokens: HOSTILE_TOKENS, vocabTexts: Object.fromEntries(Array.from({ length: 200 }, (_, id) => [id, id % 2 ? '<script>x</script>' : ' <img src=x onerror=alert(1)>'])) }),
};

describe('next-token slide', () => {
  it.each(Object.entries(traces))('renders the %s trace: top-10 bars with the real probabilities', (_, trace) => {
    const root = renderSlide(nextToken, trace);
    const bars = root.querySelectorAll<HTMLElement>('[data-token-id][data-prob]');
    expect(bars).toHaveLength(10);
    expect(root.querySelectorAll('[data-token-id]')).toHaveLength(10);
    bars.forEach((bar, rank) => {
      expect(Number(bar.dataset.tokenId)).toBe(trace.topk[rank].id);
      expect(Number(bar.dataset.prob)).toBe(trace.topk[rank].prob);
      expect(bar.textContent).toContain(formatPercent(trace.topk[rank].prob));
    });
    const rest = 1 - trace.topk.reduce((sum, c) => sum + c.prob, 0);
    expect(Number(root.dataset.restProb)).toBeCloseTo(rest, 12);
    const restBar = root.querySelector('.bar-rest');
    expect(restBar?.textContent).toContain(formatPercent(rest));
    expect(restBar?.textContent).toContain(`all other ${(trace.model.vocabSize - 10).toLocaleString('en-US')} tokens`);
  });

  it('scales the bars to the largest value shown', () => {
    const root = renderSlide(nextToken, traces.plain);
    const widths = Array.from(root.querySelectorAll<HTMLElement>('.bar-fill'), (bar) => parseFloat(bar.style.width));
    expect(Math.max(...widths)).toBeCloseTo(100, 6);
    expect(widths[0]).toBeGreaterThanOrEqual(widths[1]);
  });

  it('shows whitespace in candidate tokens', () => {
    const trace = makeTrace();
    trace.topk[0] = { ...trace.topk[0], token: ' the' };
    const root = renderSlide(nextToken, trace);
    expect(root.querySelector('[data-rank="1"] .token-chip')?.textContent).toBe('␣the');
  });

  it('renders candidate text as text, never as elements', () => {
    const root = renderSlide(nextToken, traces.hostile);
    const tags = tagNames(root);
    expect(tags.has('script')).toBe(false);
    expect(tags.has('img')).toBe(false);
    expect(root.textContent).toMatch(/<script>x<\/script>|<img␣src=x␣onerror=alert\(1\)>/);
  });

  it('says so when the Trace has no candidates', () => {
    const trace = makeTrace();
    trace.topk = [];
    const root = renderSlide(nextToken, trace);
    expect(root.querySelector('.live-missing')?.textContent).toContain('topk');
  });

  it('shows the waiting message without a Trace', () => {
    expect(renderSlide(nextToken, null).querySelector('.live-waiting')?.textContent).toBe(WAITING);
  });

  it('quotes the live values in the notes', () => {
    const trace = traces.plain;
    const notes = notesOf(nextToken, { trace, waitingMessage: WAITING });
    const [first, second] = trace.topk;
    const rest = 1 - trace.topk.reduce((sum, c) => sum + c.prob, 0);
    expect(notes).toContain(`The prompt is ${trace.tokens.length} tokens.`);
    expect(notes).toContain(`The likeliest next token is ${JSON.stringify(first.token)} (id ${first.id}) at ${formatPercent(first.prob)}`);
    expect(notes).toContain(`${JSON.stringify(second.token)} ${formatPercent(second.prob)}`);
    expect(notes).toContain(`share ${formatPercent(rest)}`);
  });
});
