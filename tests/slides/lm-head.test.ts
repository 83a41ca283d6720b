// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import lmHead from '../../slides/18-lm-head';
import { embedOutputs, finalNormOutput } from '../../src/trace/output-names';
import type { Trace } from '../../src/trace';
import { formatPercent } from '../../src/viz/format';
import { withLmHead } from '../fixtures/output-side-trace';
import { HOSTILE_TOKENS, makeLongTrace, makeTrace } from '../fixtures/synthetic-trace';
import { notesOf, renderSlide, resetViews, setViewOf, tagNames, WAITING } from './render-slide';

beforeEach(() => resetViews());
afterEach(() => document.body.replaceChildren());

const hostileTexts = Object.fromEntries(Array.from({ length: 200 }, (_, id) => [id, id % 2 ? '<script>x</script>' : ' <img src=x onerror=alert(1)>']));
/** withLmHead picks new top-10 ids; give them hostile texts again. */
function withHostileCandidates(trace: Trace): Trace {
  return { ...trace, topk: trace.topk.map((c, i) => ({ ...c, token: i % 2 ? '<script>x</script>' : ' <img src=x onerror=alert(1)>' })) };
}

const traces: Record<string, Trace> = {
  plain: withLmHead(makeTrace()),
  oneToken: withLmHead(makeTrace({ tokens: ['Hi'] })),
  long: withLmHead(makeLongTrace()),
  hostile: withHostileCandidates(withLmHead(makeTrace({ tokens: HOSTILE_TOKENS, vocabTexts: hostileTexts }))),
  bigVocab: withLmHead(makeTrace({ vocabSize: 8192, nHead: 4 })),
  noTensors: makeTrace(),
};

/** Softmax in float64, written again here so the test does not trust the slide's maths. */
function probabilities(logits: Float32Array): number[] {
  const max = Math.max(...logits);
  const exps = Array.from(logits, (z) => Math.exp(z - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

function body(root: HTMLElement): HTMLElement {
  const element = root.querySelector<HTMLElement>('.lm-head-body');
  if (!element) throw new Error('no .lm-head-body');
  return element;
}

describe('lm-head slide', () => {
  it.each(Object.entries(traces))('renders the %s trace with the real logits and probabilities', (_, trace) => {
    const root = renderSlide(lmHead, trace);
    const hooks = body(root).dataset;
    expect(Number(hooks.logitCount)).toBe(trace.lastLogits.length);
    expect(Number(hooks.vocabSize)).toBe(trace.model.vocabSize);
    expect(Number(hooks.maxLogit)).toBe(Math.max(...trace.lastLogits));
    expect(Number(hooks.minLogit)).toBe(Math.min(...trace.lastLogits));
    const probs = probabilities(trace.lastLogits);
    const order = probs.map((_, id) => id).sort((a, b) => probs[b] - probs[a] || a - b);
    const rows = root.querySelectorAll<HTMLElement>('[data-rank]');
    expect(rows).toHaveLength(10);
    rows.forEach((row, rank) => {
      const id = order[rank];
      expect(Number(row.dataset.tokenId)).toBe(id);
      expect(Number(row.dataset.logit)).toBe(trace.lastLogits[id]);
      expect(Number(row.dataset.prob)).toBeCloseTo(probs[id], 12);
      expect(row.textContent).toContain(formatPercent(probs[id]));
      expect(row.textContent).toContain(trace.lastLogits[id].toFixed(2));
    });
    const rest = 1 - order.slice(0, 10).reduce((sum, id) => sum + probs[id], 0);
    expect(Number(hooks.restProb)).toBeCloseTo(rest, 12);
    expect(root.querySelector('.bar-rest')?.textContent).toContain(formatPercent(rest));
    // The histogram counts every logit once.
    const counts = Array.from(root.querySelectorAll('.histogram-bar'), (bar) => Number(bar.getAttribute('data-count')));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(trace.lastLogits.length);
    expect(root.querySelector('.formula')?.textContent).toContain(String(trace.model.nEmbd));
  });

  it('shows the real shape arithmetic with the model sizes', () => {
    const trace = traces.bigVocab;
    const root = renderSlide(lmHead, trace);
    expect(body(root).dataset.hiddenWidth).toBe(String(trace.model.nEmbd));
    const shapes = root.querySelector('.lm-head-formula')?.textContent ?? '';
    expect(shapes).toContain('8,192');
    expect(shapes).toContain(`${trace.model.nEmbd}`);
  });

  it('checks weight tying: embedding row · hidden state = logit of the last token', () => {
    const trace = traces.plain;
    const root = renderSlide(lmHead, trace);
    const tie = root.querySelector<HTMLElement>('.lm-head-tie');
    const n = trace.tokens.length;
    const d = trace.model.nEmbd;
    const h = trace.tensors[finalNormOutput].data.subarray((n - 1) * d, n * d);
    const e = trace.tensors[embedOutputs.tokens].data.subarray((n - 1) * d, n * d);
    let dot = 0;
    for (let k = 0; k < d; k++) dot += h[k] * e[k];
    expect(Number(tie?.dataset.tieDot)).toBeCloseTo(dot, 9);
    expect(Number(tie?.dataset.tieLogit)).toBe(trace.lastLogits[trace.tokens[n - 1].id]);
    expect(tie?.dataset.tieAgrees).toBe('true');
    expect(tie?.textContent).toContain('Weight tying');
  });

  it('says when the head is not tied', () => {
    const root = renderSlide(lmHead, withLmHead(makeTrace(), { tied: false }));
    expect(root.querySelector<HTMLElement>('.lm-head-tie')?.dataset.tieAgrees).toBe('false');
    expect(root.querySelector('.lm-head-tie')?.textContent).toContain('Not tied');
  });

  it('names the missing tensors and still shows the logits', () => {
    const root = renderSlide(lmHead, traces.noTensors);
    expect(root.querySelector('.live-missing')?.textContent).toContain(finalNormOutput);
    expect(root.querySelectorAll('[data-rank]')).toHaveLength(10);
    // Not checkable on this Trace: the config.json says whether the head is tied (the fixture's GPT-2 default: tied).
    expect(root.querySelector<HTMLElement>('.lm-head-tie')?.dataset.tie).toBe('config');
    expect(root.querySelector('.lm-head-tie')?.textContent).toContain('tie_word_embeddings');
    const model = traces.noTensors.model;
    const untied = { ...traces.noTensors, model: { ...model, architecture: { ...model.architecture, tiedEmbeddings: false } } };
    const untiedRoot = renderSlide(lmHead, untied);
    expect(untiedRoot.querySelector<HTMLElement>('.lm-head-tie')?.dataset.tie).toBe('unknown');
    expect(untiedRoot.querySelector('.lm-head-tie')?.textContent).toContain(embedOutputs.tokens);
  });

  it('says so when there are no logits', () => {
    const root = renderSlide(lmHead, { ...traces.plain, lastLogits: new Float32Array(0) });
    expect(root.querySelector('.live-missing')?.textContent).toContain('lastLogits');
  });

  it('changes k from its buttons and clamps odd view state', () => {
    const root = renderSlide(lmHead, traces.plain);
    const button = Array.from(root.querySelectorAll<HTMLButtonElement>('.live-choice')).find((b) => b.textContent === '3');
    button?.click();
    expect(body(root).dataset.k).toBe('3');
    expect(root.querySelectorAll('[data-rank]')).toHaveLength(3);
    setViewOf(lmHead, { k: Number.NaN });
    expect(body(renderSlide(lmHead, traces.plain)).dataset.k).toBe('10');
    setViewOf(lmHead, { k: 1000 });
    expect(body(renderSlide(lmHead, traces.plain)).dataset.k).toBe('10');
  });

  it('keeps shown fragments shown when k changes', () => {
    const root = renderSlide(lmHead, traces.plain);
    for (const index of ['1', '2']) root.querySelector(`.fragment[data-fragment-index="${index}"]`)?.classList.add('visible');
    Array.from(root.querySelectorAll<HTMLButtonElement>('.live-choice')).find((b) => b.textContent === '5')?.click();
    expect(body(root).dataset.k).toBe('5');
    expect(root.querySelector('.fragment[data-fragment-index="1"]')?.classList.contains('visible')).toBe(true);
    expect(root.querySelector('.fragment[data-fragment-index="2"]')?.classList.contains('visible')).toBe(true);
    expect(root.querySelector('.fragment[data-fragment-index="3"]')?.classList.contains('visible')).toBe(false);
  });

  it('renders token text as text, never as elements', () => {
    const root = renderSlide(lmHead, traces.hostile);
    const tags = tagNames(root);
    expect(tags.has('script')).toBe(false);
    expect(tags.has('img')).toBe(false);
    expect(root.textContent).toContain('<script>x</script>');
    expect(root.querySelector('.histogram-marker')?.textContent).toContain('img');
  });

  it('shows the waiting message without a Trace', () => {
    expect(renderSlide(lmHead, null).querySelector('.live-waiting')?.textContent).toBe(WAITING);
  });

  it('quotes the live values in the notes', () => {
    const trace = traces.plain;
    const notes = notesOf(lmHead, { trace, waitingMessage: WAITING });
    const probs = probabilities(trace.lastLogits);
    const best = probs.indexOf(Math.max(...probs));
    expect(notes).toContain(`[1 x ${trace.model.nEmbd}] · [${trace.model.nEmbd} x ${trace.model.vocabSize}]`);
    expect(notes).toContain(`${trace.lastLogits[best].toFixed(2)}`);
    expect(notes).toContain(`(id ${best}), probability ${formatPercent(probs[best])}`);
    expect(notes).toContain('Weight tying check');
    expect(notesOf(lmHead, { trace: null, waitingMessage: WAITING })).toContain(WAITING);
  });
});
