// @vitest-environment happy-dom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import logitLens from '../../slides/17-logit-lens';
import { logitLensLayers } from '../../src/trace/logit-lens';
import { formatPercent } from '../../src/viz/format';
import type { Generation, LogitLensRow, Trace } from '../../src/trace';
import { makeTrace } from '../fixtures/synthetic-trace';
import { loadRealTraces, type RealTraces } from './real-traces';
import { notesOf, renderInto, renderSlide, tagNames, WAITING } from './render-slide';

let real: RealTraces;
beforeAll(async () => {
  real = await loadRealTraces();
});
afterEach(() => document.body.replaceChildren());

function withLens(trace: Trace, logitLens: LogitLensRow[]): Trace {
  return { ...trace, extras: { ...trace.extras!, logitLens } };
}

describe('logit-lens slide', () => {
  it.each(['ordinary', 'oneToken', 'hostile', 'long'] as const)('renders the %s trace: one row per stage with its real top 5', (name) => {
    const trace = real[name];
    const lens = trace.extras!.logitLens;
    const root = renderSlide(logitLens, trace);
    const rows = Array.from(root.querySelectorAll<HTMLElement>('.lens-stage-row'));
    expect(rows.map((row) => row.dataset.stage)).toEqual(['embeddings', ...Array.from({ length: trace.model.nLayer }, (_, i) => `layer ${i + 1}`)]);
    expect(Number(root.dataset.stageCount)).toBe(trace.model.nLayer + 1);
    rows.forEach((row, r) => {
      const cells = Array.from(row.querySelectorAll<HTMLElement>('.lens-cell[data-rank]'));
      expect(cells).toHaveLength(5);
      cells.forEach((cell, k) => {
        expect(Number(cell.dataset.tokenId)).toBe(lens[r].top[k].id);
        expect(Number(cell.dataset.prob)).toBe(lens[r].top[k].prob);
        expect(cell.querySelector('.lens-prob')?.textContent).toBe(formatPercent(lens[r].top[k].prob));
      });
    });
  });

  it('a lens left to the answer: says it is coming, then draws the rows the answer\'s first step brought', () => {
    const trace = real.ordinary;
    const rows = trace.extras!.logitLens;
    const deferred: Trace = { ...trace, extras: { ...trace.extras!, logitLens: [], logitLensMissing: [], logitLensFromAnswer: true } };
    const waiting = document.createElement('section');
    document.body.append(waiting);
    renderInto(logitLens, waiting, { trace: deferred, waitingMessage: '' });
    expect(waiting.dataset.lensPending).toBe('true');
    expect(waiting.querySelector('.lens-pending')?.textContent).toContain('the engine computes it next');
    expect(waiting.querySelectorAll('.lens-stage-row')).toHaveLength(0);
    expect(notesOf(logitLens, { trace: deferred, waitingMessage: '' })).toContain('before the answer’s next token');
    const generation = { logitLens: rows } as Generation;
    renderInto(logitLens, waiting, { trace: deferred, waitingMessage: '', generation });
    expect(waiting.dataset.lensPending).toBeUndefined();
    expect(Array.from(waiting.querySelectorAll<HTMLElement>('.lens-stage-row')).map((row) => row.dataset.stage)).toEqual(rows.map((row) => row.label));
    expect(waiting.dataset.lastRowMatches).toBe('true');
    expect(notesOf(logitLens, { trace: deferred, waitingMessage: '', generation })).toBe(notesOf(logitLens, { trace, waitingMessage: '' }));
  });

  it('the last row is the model’s real output (trace.topk)', () => {
    for (const trace of Object.values(real)) {
      const root = renderSlide(logitLens, trace);
      expect(root.dataset.lastRowMatches).toBe('true');
      const last = Array.from(root.querySelectorAll<HTMLElement>('.lens-stage-row')).at(-1)!;
      Array.from(last.querySelectorAll<HTMLElement>('.lens-cell[data-rank]')).forEach((cell, k) => {
        expect(Number(cell.dataset.tokenId)).toBe(trace.topk[k].id);
        expect(Number(cell.dataset.prob)).toBeCloseTo(trace.topk[k].prob, 4);
      });
      expect(root.querySelector('.lens-caption')?.textContent).toContain('real output');
      document.body.replaceChildren();
    }
  });

  it('follows the final answer down the rows: its probability, or the bound it stays under', () => {
    const trace = real.ordinary;
    const answer = trace.topk[0];
    const root = renderSlide(logitLens, trace);
    expect(Number(root.dataset.answerId)).toBe(answer.id);
    const rows = Array.from(root.querySelectorAll<HTMLElement>('.lens-stage-row'));
    rows.forEach((row, r) => {
      const top = trace.extras!.logitLens[r].top;
      const hit = top.find((c) => c.id === answer.id);
      const cell = row.querySelector<HTMLElement>('.lens-answer')!;
      if (hit) {
        expect(Number(cell.dataset.answerProb)).toBe(hit.prob);
        expect(row.querySelector<HTMLElement>('.lens-cell-answer')?.dataset.tokenId).toBe(String(answer.id));
      } else {
        expect(Number(cell.dataset.answerBound)).toBe(top[4].prob);
        const printed = formatPercent(top[4].prob);
        expect(cell.textContent).toBe(printed.startsWith('<') ? `not in top 5 (< ${printed.slice(1)})` : `not in top 5 (≤ ${printed})`);
        expect(row.querySelector('.lens-cell-answer')).toBeNull();
      }
    });
    expect(Number(rows.at(-1)!.querySelector<HTMLElement>('.lens-answer')!.dataset.answerProb)).toBeCloseTo(answer.prob, 4);
  });

  it('stacks the layers as fragments after the embeddings row', () => {
    const root = renderSlide(logitLens, real.ordinary);
    const rows = Array.from(root.querySelectorAll<HTMLElement>('.lens-stage-row'));
    expect(rows[0].classList.contains('fragment')).toBe(false);
    rows.slice(1).forEach((row, i) => {
      expect(row.classList.contains('fragment')).toBe(true);
      expect(row.dataset.fragmentIndex).toBe(String(i + 1));
    });
  });

  it('says which stage outputs are missing', () => {
    const trace = real.ordinary;
    const lens = trace.extras!.logitLens;
    const partial = renderSlide(logitLens, withLens(trace, lens.filter((row) => row.label !== 'layer 2')));
    expect(partial.querySelectorAll('.lens-stage-row')).toHaveLength(lens.length - 1);
    expect(partial.querySelector('.live-missing')?.getAttribute('data-missing')).toBe('trace.layer.1.resid.after_mlp');
    const empty = renderSlide(logitLens, withLens(trace, []));
    expect(empty.querySelector('.live-missing')?.textContent).toContain('trace.extras.logitLens');
    const none = renderSlide(logitLens, { ...trace, extras: null });
    expect(none.querySelector('.live-missing')?.getAttribute('data-missing')).toBe('trace.extras');
    expect(renderSlide(logitLens, makeTrace()).querySelector('.live-missing')?.textContent).toContain('trace.extras');
  });

  it('explains an embeddings row whose best guess is the last token itself', () => {
    for (const trace of Object.values(real)) {
      const root = renderSlide(logitLens, trace);
      const selfGuess = trace.extras!.logitLens[0].top[0].id === trace.tokens.at(-1)!.id;
      expect(root.querySelector('.lens-self') !== null).toBe(selfGuess);
      document.body.replaceChildren();
    }
    const trace = real.ordinary;
    const [first, ...rest] = trace.extras!.logitLens;
    const other = { ...first, top: first.top.map((c) => (c.id === trace.tokens.at(-1)!.id ? { ...c, id: -1 } : c)) };
    expect(renderSlide(logitLens, withLens(trace, [other, ...rest])).querySelector('.lens-self')).toBeNull();
  });

  it('says why a bare embedding points back at its token only when the head is tied', () => {
    const trace = real.ordinary;
    const [first, ...rest] = trace.extras!.logitLens;
    const self = { ...first, top: [{ ...first.top[0], id: trace.tokens.at(-1)!.id }, ...first.top.slice(1)] };
    expect(renderSlide(logitLens, withLens(trace, [self, ...rest])).querySelector('.lens-self')?.textContent).toContain('reuses the embedding table');
    document.body.replaceChildren();
    const untied = { ...withLens(trace, [self, ...rest]), model: { ...trace.model, architecture: { ...trace.model.architecture, tiedEmbeddings: false } } };
    expect(renderSlide(logitLens, untied).querySelector('.lens-self')?.textContent).toBe('Before any layer, the guess is the last token itself.');
  });

  it('shows a deep model\'s evenly spread layers as such, and counts none of the others as lost', () => {
    const trace = real.ordinary;
    const deep = { ...trace, model: { ...trace.model, nLayer: 30 } };
    const rows = ['embeddings', ...logitLensLayers(30).map((layer) => `layer ${layer + 1}`)].map((label) => ({ label, top: trace.extras!.logitLens[0].top }));
    const root = renderSlide(logitLens, withLens(deep, rows));
    expect(root.querySelector('.lens-spread')?.textContent).toBe("10 of this model's 30 layers, evenly spaced (the last included).");
    expect(root.querySelector('.live-missing')).toBeNull();
    expect(root.querySelectorAll('.lens-stage-row')).toHaveLength(11);
  });

  it('says so when the last row does not match the Trace’s output', () => {
    const trace = real.ordinary;
    const shifted = { ...trace, topk: [...trace.topk].reverse() };
    const root = renderSlide(logitLens, shifted);
    expect(root.dataset.lastRowMatches).toBe('false');
    expect(root.querySelector('.lens-caption')?.textContent).toContain('differs');
  });

  it('renders hostile candidate text as text, never as elements', () => {
    const trace = real.hostile;
    const lens = trace.extras!.logitLens.map((row) => ({ ...row, top: row.top.map((c, k) => (k === 1 ? { ...c, token: '<script>x</script>' } : c)) }));
    const root = renderSlide(logitLens, withLens(trace, lens));
    const tags = tagNames(root);
    expect(tags.has('script')).toBe(false);
    expect(tags.has('img')).toBe(false);
    expect(root.textContent).toContain('<script>x</script>');
  });

  it('shows the waiting message without a Trace', () => {
    expect(renderSlide(logitLens, null).querySelector('.live-waiting')?.textContent).toBe(WAITING);
  });

  it('quotes each stage’s live guess in the notes', () => {
    const trace = real.ordinary;
    const notes = notesOf(logitLens, { trace, waitingMessage: WAITING });
    for (const row of trace.extras!.logitLens) {
      const label = row.label === 'embeddings' ? 'embeddings only' : `after ${row.label}`;
      expect(notes).toContain(`${label}: ${JSON.stringify(row.top[0].token)} ${formatPercent(row.top[0].prob)}`);
    }
    expect(notes).toContain('The last row equals the model’s real output');
    expect(notesOf(logitLens, { trace: { ...trace, extras: null }, waitingMessage: WAITING })).toContain('trace.extras is null');
  });
});
