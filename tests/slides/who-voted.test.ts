// @vitest-environment happy-dom
// The who-voted slide on real Traces of the embedded model: its bars are trace.attribution's components,
// largest first, named and signed; the sum beside the model's logit with their difference; the toggle to
// the top-two gap; the linearisation said; notes quoting the top contributors; a Trace without one says why.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import nextToken from '../../slides/19-next-token';
import whoVoted, { beforeAfter, SHOWN_COMPONENTS, signed } from '../../slides/19b-who-voted';
import { softmax } from '../../src/maths/softmax';
import { formatPercent } from '../../src/viz/format';
import { componentLabel, rankContributions, type AttributionComponent } from '../../src/trace';
import { makeTrace } from '../fixtures/synthetic-trace';
import { loadRealTraces, type RealTraces } from './real-traces';
import { notesOf, renderSlide, resetViews, setViewOf, viewOf, WAITING } from './render-slide';

let real: RealTraces;
beforeAll(async () => {
  real = await loadRealTraces();
}, 120_000);
afterEach(() => {
  document.body.replaceChildren();
  resetViews();
});

const rows = (root: HTMLElement) => Array.from(root.querySelectorAll<HTMLElement>('.dla-row'));

describe('componentLabel and rankContributions', () => {
  it('names each kind of part as the attention slides count (from 0)', () => {
    expect(componentLabel({ kind: 'head', layer: 2, head: 3 })).toBe('layer 2 · head 3');
    expect(componentLabel({ kind: 'mlp', layer: 1, head: null })).toBe('MLP 1');
    expect(componentLabel({ kind: 'embed', layer: null, head: null })).toBe('token embedding');
    expect(componentLabel({ kind: 'pos', layer: null, head: null })).toBe('position embedding');
    expect(componentLabel({ kind: 'bias', layer: 0, head: null })).toBe('attention bias 0');
    expect(componentLabel({ kind: 'bias', layer: null, head: null })).toBe('final norm bias');
  });

  it('ranks by absolute value and sums the rest', () => {
    const parts: AttributionComponent[] = [1, -5, 3, 0.5, -0.25].map((value, head) => ({ kind: 'head', layer: 0, head, value }));
    const ranked = rankContributions(parts, 2);
    expect(ranked.shown.map((c) => c.value)).toEqual([-5, 3]);
    expect(ranked.others).toEqual({ value: 1.25, count: 3 });
  });
});

describe('who-voted slide', () => {
  it.each(['ordinary', 'oneToken', 'hostile', 'long'] as const)('draws the %s trace\'s largest components, largest first, with their real values', (name) => {
    const trace = real[name];
    const attribution = trace.attribution!;
    const root = renderSlide(whoVoted, trace);
    const expected = rankContributions(attribution.logit.components, SHOWN_COMPONENTS);
    const drawn = rows(root);
    expect(drawn).toHaveLength(expected.shown.length);
    drawn.forEach((row, i) => {
      const component = expected.shown[i];
      expect(Number(row.dataset.value)).toBe(component.value);
      expect(row.dataset.kind).toBe(component.kind);
      expect(row.querySelector('.dla-label')!.textContent).toBe(componentLabel(component));
      expect(row.querySelector('.dla-value')!.textContent).toBe(signed(component.value));
      // A vote against sits left of the axis, a vote for right of it.
      expect(row.querySelector(component.value < 0 ? '.dla-track-negative .dla-bar' : '.dla-track-positive .dla-bar')).not.toBeNull();
    });
    const magnitudes = drawn.map((row) => Math.abs(Number(row.dataset.value)));
    expect(magnitudes).toEqual([...magnitudes].sort((a, b) => b - a));
    const others = root.querySelector<HTMLElement>('.dla-others')!;
    expect(Number(others.dataset.count)).toBe(expected.others.count);
    expect(Number(others.dataset.value)).toBeCloseTo(expected.others.value, 12);
    expect(Number(root.dataset.sum)).toBe(attribution.logit.sum);
    expect(Number(root.dataset.modelValue)).toBe(trace.topk[0].logit);
    const sumLine = root.querySelector('.dla-sum')!.textContent!;
    expect(sumLine).toContain(signed(attribution.logit.sum, 3));
    expect(sumLine).toContain(signed(trace.topk[0].logit, 3));
    expect(sumLine).toMatch(/differ by \d\.\de-\d+|differ by 0$/);
    expect(Math.abs(attribution.logit.sum - trace.topk[0].logit)).toBeLessThan(1e-3);
    expect(root.querySelector('.dla-linearised')!.textContent).toContain(`σ = ${attribution.scale.toFixed(3)}`);
  });

  it('switches to the top-two gap through its view, and the notes follow', () => {
    const trace = real.ordinary;
    const root = renderSlide(whoVoted, trace);
    expect(root.dataset.measure).toBe('logit');
    root.querySelector<HTMLButtonElement>('button[data-measure="gap"]')!.click(); // the view store redraws the slide, as the deck does
    expect(viewOf(whoVoted).measure).toBe('gap');
    expect(root.dataset.measure).toBe('gap');
    const gap = trace.attribution!.gap!;
    expect(Number(root.dataset.sum)).toBe(gap.sum);
    expect(Number(root.dataset.modelValue)).toBeCloseTo(trace.topk[0].logit - trace.topk[1].logit, 12);
    expect(Number(rows(root)[0].dataset.value)).toBe(rankContributions(gap.components, 1).shown[0].value);
    const notes = notesOf(whoVoted, { trace, waitingMessage: '' });
    expect(notes).toContain(`how far ${JSON.stringify(trace.topk[0].token)} leads ${JSON.stringify(trace.topk[1].token)}`);
  });

  it('quotes the top contributors and the sum in the speaker notes', () => {
    const trace = real.ordinary;
    const notes = notesOf(whoVoted, { trace, waitingMessage: '' });
    const top = rankContributions(trace.attribution!.logit.components, 1).shown[0];
    expect(notes).toContain(`${componentLabel(top)} ${signed(top.value)}`);
    expect(notes).toContain(`The parts sum to ${trace.attribution!.logit.sum.toFixed(3)}`);
    expect(notes).toContain('held fixed');
  });

  it('says why when the Trace has no attribution, and waits without a Trace', () => {
    const root = renderSlide(whoVoted, { ...makeTrace(), attribution: null, attributionMissing: [{ part: 'attribution', needs: 'transformer.h.0.attn.c_proj.weight', reason: 'the weight could not be read from the model' }] });
    expect(root.querySelector('.live-missing')!.textContent).toContain('the weight could not be read from the model');
    expect(rows(root)).toHaveLength(0);
    const waiting = renderSlide(whoVoted, null);
    expect(waiting.textContent).toContain(WAITING);
  });
});

describe('who-voted slide: knock-out', () => {
  it('a click on a head or an MLP writes it into the view\'s ablate; a second click and "switch all back on" undo it', () => {
    const trace = real.ordinary;
    const root = renderSlide(whoVoted, trace);
    const toggle = root.querySelector<HTMLButtonElement>('button.dla-toggle')!;
    const part = toggle.dataset.part!;
    expect(part).toMatch(/^(\d+\.\d+|mlp\d+)$/);
    toggle.click();
    expect(viewOf(whoVoted).ablate).toBe(part);
    // The Trace on screen is still the plain run: the slide says the model is running again.
    expect(root.querySelector<HTMLElement>('.dla-knock-out')!.dataset.state).toBe('pending');
    root.querySelector<HTMLButtonElement>(`button.dla-toggle[data-part="${part}"]`)!.click();
    expect(viewOf(whoVoted).ablate).toBe('');
    root.querySelector<HTMLButtonElement>('button.dla-toggle')!.click();
    root.querySelector<HTMLButtonElement>('button.dla-restore')!.click();
    expect(viewOf(whoVoted).ablate).toBe('');
  });

  it('shows before and after from a knocked-out Trace, and says why when the model cannot do it', () => {
    const plain = real.ordinary;
    const top = plain.topk[0];
    // A knocked-out Trace as the engine writes it: the knock-out, the plain run's top 10, logits that moved.
    const lastLogits = plain.lastLogits.slice();
    lastLogits[top.id] -= 3;
    const knocked: typeof plain = { ...plain, lastLogits, knockOut: { heads: [{ layer: 2, head: 3 }], mlps: [1] }, knockOutBaseline: plain.topk };
    setViewOf(whoVoted, { ablate: '2.3,mlp1' });
    const root = renderSlide(whoVoted, knocked);
    const panel = root.querySelector<HTMLElement>('.dla-knock-out')!;
    expect(panel.dataset.state).toBe('done');
    const after = beforeAfter(knocked)!;
    expect(after.before).toBe(top.prob);
    expect(after.after).toBeLessThan(top.prob);
    expect(panel.textContent).toContain(`Without layer 2 · head 3, MLP 1, ${JSON.stringify(top.token)} falls from ${formatPercent(top.prob)} to ${formatPercent(after.after)}.`);
    expect(notesOf(whoVoted, { trace: knocked, waitingMessage: '' })).toContain('Switched off: layer 2 · head 3, MLP 1.');
    for (const button of root.querySelectorAll<HTMLButtonElement>('button.dla-toggle')) expect(button.getAttribute('aria-pressed')).toBe(String(['2.3', 'mlp1'].includes(button.dataset.part!)));

    const refused = renderSlide(whoVoted, { ...plain, knockOutRefused: 'This model was converted without the knock-out inputs: reconvert it.' });
    expect(refused.querySelector<HTMLElement>('.dla-knock-out')!.dataset.state).toBe('refused');
    expect(refused.textContent).toContain('reconvert it');
  });
});

describe('next-token slide under a knock-out', () => {
  it('says what was switched off, and the plain run\'s top token before and now', () => {
    const plain = real.ordinary;
    const top = plain.topk[0];
    // A knocked-out Trace as the engine writes it: logits that moved, the plain run's top 10 as the baseline.
    const lastLogits = plain.lastLogits.slice();
    lastLogits[top.id] -= 3;
    const knocked = { ...plain, lastLogits, knockOut: { heads: [{ layer: 2, head: 3 }], mlps: [] }, knockOutBaseline: plain.topk };
    const after = softmax(lastLogits)[top.id];
    const root = renderSlide(nextToken, knocked);
    const line = root.querySelector<HTMLElement>('.next-token-knock-out')!;
    expect(line.dataset.baselineId).toBe(String(top.id));
    expect(line.textContent).toBe(`Without layer 2 · head 3, ${JSON.stringify(top.token)} falls from ${formatPercent(top.prob)} to ${formatPercent(after)}.`);
    expect(notesOf(nextToken, { trace: knocked, waitingMessage: '' })).toContain(line.textContent!);
    expect(renderSlide(nextToken, plain).querySelector('.next-token-knock-out')).toBeNull();
  });
});
