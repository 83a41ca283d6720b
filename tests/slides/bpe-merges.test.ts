// @vitest-environment happy-dom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import bpeMerges, { STEP_ROW_LIMIT } from '../../slides/05-bpe-merges';
import type { Trace, WordMerges } from '../../src/trace';
import { makeTrace } from '../fixtures/synthetic-trace';
import { loadRealTraces, type RealTraces } from './real-traces';
import { notesOf, renderSlide, resetViews, setViewOf, tagNames, WAITING } from './render-slide';

let real: RealTraces;
beforeAll(async () => {
  real = await loadRealTraces();
});
afterEach(() => {
  document.body.replaceChildren();
  resetViews();
});

/** Independent of the slide: most merges, then most bytes, then first. */
function expectedDefault(words: WordMerges[]): number {
  let best = 0;
  for (let i = 1; i < words.length; i++) {
    const [a, b] = [words[i], words[best]];
    if (a.steps.length > b.steps.length || (a.steps.length === b.steps.length && a.start.length > b.start.length)) best = i;
  }
  return best;
}

function withMerges(trace: Trace, merges: WordMerges[]): Trace {
  return { ...trace, extras: { ...trace.extras!, merges } };
}

describe('bpe-merges slide', () => {
  it.each(['ordinary', 'oneToken', 'hostile', 'long'] as const)('renders the %s trace with the chosen word’s real merges', (name) => {
    const trace = real[name];
    const words = trace.extras!.merges;
    const root = renderSlide(bpeMerges, trace);
    const index = expectedDefault(words);
    const word = words[index];
    expect(Number(root.dataset.wordIndex)).toBe(index);
    expect(root.dataset.word).toBe(word.word);
    expect(Number(root.dataset.startCount)).toBe(word.start.length);
    expect(Number(root.dataset.stepCount)).toBe(word.steps.length);
    expect(Number(root.dataset.pieceCount)).toBe((word.steps.at(-1)?.pieces ?? word.start).length);
    expect(JSON.parse(root.querySelector<HTMLElement>('.merge-start')!.dataset.pieces!)).toEqual(word.start);
    expect(root.querySelectorAll('.merge-word-choice')).toHaveLength(words.length);

    const rows = Array.from(root.querySelectorAll<HTMLElement>('.merge-step'));
    expect(rows).toHaveLength(Math.min(word.steps.length, STEP_ROW_LIMIT));
    for (const row of rows) {
      const step = word.steps[Number(row.dataset.step) - 1];
      expect(Number(row.dataset.rank)).toBe(step.rank);
      expect(row.dataset.left).toBe(step.left);
      expect(row.dataset.right).toBe(step.right);
      expect(JSON.parse(row.dataset.pieces!)).toEqual(step.pieces);
      expect(row.textContent).toContain(`rank ${step.rank.toLocaleString('en-US')}`);
      expect(row.querySelectorAll('.merge-piece')).toHaveLength(step.pieces.length);
      expect(row.querySelectorAll('.merge-piece-new').length).toBeGreaterThanOrEqual(1);
    }
  });

  it('the ordinary prompt’s default word has merges, shown as readable text with ␣ for the space', () => {
    const trace = real.ordinary;
    const root = renderSlide(bpeMerges, trace);
    const word = trace.extras!.merges[Number(root.dataset.wordIndex)];
    expect(word.steps.length).toBeGreaterThan(0);
    const startChips = Array.from(root.querySelectorAll('.merge-start .merge-piece'), (chip) => chip.textContent);
    expect(startChips.join('')).toBe(word.word.replace(/ /g, '␣'));
    const lastRow = Array.from(root.querySelectorAll('.merge-step')).at(-1)!;
    expect(Array.from(lastRow.querySelectorAll('.merge-piece'), (chip) => chip.textContent).join('')).toBe(word.word.replace(/ /g, '␣'));
  });

  it('shows the piece each merge made as left + right', () => {
    const trace = real.ordinary;
    const root = renderSlide(bpeMerges, trace);
    for (const row of Array.from(root.querySelectorAll<HTMLElement>('.merge-step'))) {
      const created = Array.from(row.querySelectorAll('.merge-piece-new'), (chip) => chip.textContent);
      const pair = Array.from(row.querySelectorAll('.merge-pair .token-chip'), (chip) => chip.textContent).join('');
      for (const piece of created) expect(piece).toBe(pair);
    }
  });

  it('shows partial UTF-8 pieces as hex bytes and a newline as ↵', () => {
    const trace = real.hostile;
    const emoji = trace.extras!.merges.find((w) => w.word.includes('👩'))!;
    setViewOf(bpeMerges, { word: emoji.word, wordPrompt: trace.prompt });
    const root = renderSlide(bpeMerges, trace);
    expect(root.dataset.word).toBe(emoji.word);
    const start = Array.from(root.querySelectorAll('.merge-start .merge-piece'), (chip) => chip.textContent);
    expect(start[0]).toBe('␣');
    expect(start[1]).toBe('⟨F0⟩');
    expect(start).toHaveLength(emoji.start.length);

    const newline = trace.extras!.merges.find((w) => w.word === '\n');
    if (newline) {
      setViewOf(bpeMerges, { word: newline.word, wordPrompt: trace.prompt });
      const again = renderSlide(bpeMerges, trace);
      expect(again.querySelector('.merge-start .merge-piece')?.textContent).toBe('↵');
    }
  });

  it('a click on a word chip selects it; a new prompt goes back to its default', () => {
    const trace = real.ordinary;
    const root = renderSlide(bpeMerges, trace);
    const words = trace.extras!.merges;
    const target = words.findIndex((_, i) => i !== Number(root.dataset.wordIndex));
    root.querySelector<HTMLElement>(`.merge-word-choice[data-word-index="${target}"]`)!.click();
    expect(Number(root.dataset.wordIndex)).toBe(target);
    expect(root.querySelector(`.merge-word-choice[data-word-index="${target}"]`)?.getAttribute('aria-pressed')).toBe('true');
    const other = renderSlide(bpeMerges, real.long);
    expect(Number(other.dataset.wordIndex)).toBe(expectedDefault(real.long.extras!.merges));
  });

  it('says so for a word no merge applies to, and for a single byte', () => {
    const cjk: WordMerges = { word: ' 你好', start: ['Ġ', 'ä', '½', 'ł', 'å', '¥', '½'], steps: [] };
    const root = renderSlide(bpeMerges, withMerges(real.ordinary, [cjk]));
    expect(root.querySelector('.merge-result')?.textContent).toContain('stays 7 separate bytes');
    expect(Array.from(root.querySelectorAll('.merge-start .merge-piece'), (chip) => chip.textContent).slice(0, 2)).toEqual(['␣', '⟨E4⟩']);
    const single = renderSlide(bpeMerges, withMerges(real.ordinary, [{ word: '?', start: ['?'], steps: [] }]));
    expect(single.querySelector('.merge-result')?.textContent).toContain('A single byte');
  });

  it('a very long word shows its first merges, a gap, and the last merge', () => {
    const start = Array.from({ length: 40 }, () => 'a');
    const steps = Array.from({ length: 30 }, (_, i) => ({ rank: i, left: 'a', right: 'a', pieces: ['aa', ...start.slice(0, 38 - i)] }));
    const trace = withMerges(real.ordinary, [{ word: 'a'.repeat(40), start, steps }]);
    const root = renderSlide(bpeMerges, trace);
    const rows = Array.from(root.querySelectorAll<HTMLElement>('.merge-step'));
    expect(rows).toHaveLength(STEP_ROW_LIMIT);
    expect(rows.at(-1)!.dataset.step).toBe('30');
    expect(root.querySelector('.merge-gap')?.textContent).toContain(`${30 - STEP_ROW_LIMIT} more merges`);
    expect(root.querySelector('.merge-steps')?.getAttribute('data-density')).toBe('dense');
  });

  it('renders hostile word text as text, never as elements', () => {
    const root = renderSlide(bpeMerges, real.hostile);
    const tags = tagNames(root);
    expect(tags.has('script')).toBe(false);
    expect(tags.has('img')).toBe(false);
    const labels = Array.from(root.querySelectorAll<HTMLElement>('.merge-word-choice'), (b) => b.dataset.word);
    expect(labels).toContain('<');
    expect(labels).toContain('script');
  });

  it('says so when the weights or merges are missing', () => {
    const none = renderSlide(bpeMerges, { ...real.ordinary, extras: null });
    expect(none.querySelector('.live-missing')?.textContent).toContain('trace.extras');
    expect(none.dataset.word).toBeUndefined();
    const empty = renderSlide(bpeMerges, withMerges(real.ordinary, []));
    expect(empty.querySelector('.live-missing')?.textContent).toContain('trace.extras.merges');
    const synthetic = renderSlide(bpeMerges, makeTrace());
    expect(synthetic.querySelector('.live-missing')?.getAttribute('data-missing')).toBe('trace.extras');
  });

  it('shows the waiting message without a Trace', () => {
    expect(renderSlide(bpeMerges, null).querySelector('.live-waiting')?.textContent).toBe(WAITING);
  });

  it('quotes the live merges in the notes', () => {
    const trace = real.ordinary;
    const notes = notesOf(bpeMerges, { trace, waitingMessage: WAITING });
    const word = trace.extras!.merges[expectedDefault(trace.extras!.merges)];
    expect(notes).toContain(`Word ${JSON.stringify(word.word)}`);
    expect(notes).toContain(`${word.start.length} bytes → ${word.steps.at(-1)!.pieces.length} token`);
    for (const step of word.steps) expect(notes).toContain(`(${step.rank})`);
    expect(notesOf(bpeMerges, { trace: { ...trace, extras: null }, waitingMessage: WAITING })).toContain('trace.extras is null');
    expect(notesOf(bpeMerges, { trace: null, waitingMessage: WAITING })).toContain(WAITING);
  });
});
