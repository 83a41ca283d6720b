// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import bpeTraining, { DEFAULT_CORPUS, MERGE_LIMIT } from '../../slides/04-bpe-training';
import { trainBpe } from '../../src/tokenize/bpe-trainer';
import { HOSTILE_TOKENS, makeTrace } from '../fixtures/synthetic-trace';
import { notesOf, renderSlide, resetViews, setViewOf, tagNames, viewOf, WAITING } from './render-slide';

beforeEach(() => resetViews());
afterEach(() => document.body.replaceChildren());

const trace = makeTrace({ vocabSize: 8192 });

function click(root: HTMLElement, selector: string): void {
  root.querySelector<HTMLElement>(selector)!.dispatchEvent(new Event('click'));
}

function segmentations(root: HTMLElement): string[] {
  return Array.from(root.querySelectorAll<HTMLElement>('.bpe-word'), (word) => word.dataset.segmentation ?? '');
}

describe('BPE training slide', () => {
  it('starts from single bytes of "low lower lowest" and shows the run the trainer makes', () => {
    const root = renderSlide(bpeTraining, trace);
    expect(root.dataset.step).toBe('0');
    expect(root.dataset.toyVocabSize).toBe('256');
    expect(root.dataset.modelVocabSize).toBe('8192');
    expect(segmentations(root)).toEqual(['l o w', 'Ġ l o w e r', 'Ġ l o w e s t']);
    const expected = trainBpe([DEFAULT_CORPUS], { vocabSize: 256 + MERGE_LIMIT }).merges;
    const merges = Array.from(root.querySelectorAll<HTMLElement>('.bpe-merge'), (m) => [m.dataset.left, m.dataset.right, m.dataset.merged, Number(m.dataset.count)]);
    expect(merges).toEqual(expected.map((m) => [m.left, m.right, m.merged, m.count]));
    expect(root.dataset.mergeCount).toBe(String(expected.length));
    const [top] = Array.from(root.querySelectorAll<HTMLElement>('.bpe-pair'));
    expect([top.dataset.left, top.dataset.right, top.dataset.count]).toEqual(['l', 'o', '3']);
    expect(top.classList.contains('bpe-pair-chosen')).toBe(true);
    expect(root.textContent).toContain('8,192 tokens');
    expect(root.textContent).toContain('State of the Union');
    expect(root.textContent).toContain('toy corpus');
  });

  it('applies one merge per click and grows the vocabulary, then stops', () => {
    const root = renderSlide(bpeTraining, trace);
    click(root, '.bpe-next');
    expect(root.dataset.step).toBe('1');
    expect(segmentations(root)).toEqual(['lo w', 'Ġ lo w e r', 'Ġ lo w e s t']);
    expect(Array.from(root.querySelectorAll<HTMLElement>('.bpe-vocab-token'), (t) => t.dataset.token)).toEqual(['lo']);
    for (let i = 0; i < 10; i++) click(root, '.bpe-next');
    expect(root.dataset.step).toBe('4');
    expect(root.dataset.toyVocabSize).toBe('260');
    expect(segmentations(root)).toEqual(['low', 'Ġlowe r', 'Ġlowe s t']);
    expect(root.querySelector('.bpe-stop')?.textContent).toContain('No pair occurs 2 times');
    expect(root.querySelector<HTMLButtonElement>('.bpe-next')!.disabled).toBe(true);
    click(root, '.live-choice');
    expect(viewOf(bpeTraining).step).toBe(3);
  });

  it('trains on a typed corpus and keeps the input element (and its focus)', () => {
    const root = renderSlide(bpeTraining, trace);
    const input = root.querySelector<HTMLInputElement>('.bpe-corpus')!;
    input.value = 'the cat sat on the mat the hat';
    input.dispatchEvent(new Event('input'));
    expect(root.querySelector('.bpe-corpus')).toBe(input);
    expect(viewOf(bpeTraining)).toEqual({ corpus: 'the cat sat on the mat the hat', step: 0 });
    const merges = trainBpe([input.value], { vocabSize: 256 + MERGE_LIMIT }).merges;
    expect(root.dataset.mergeCount).toBe(String(merges.length));
    const slider = root.querySelector<HTMLInputElement>('.bpe-step')!;
    slider.value = String(merges.length);
    slider.dispatchEvent(new Event('input'));
    expect(root.dataset.step).toBe(String(merges.length));
  });

  it('caps a long corpus at the merge limit and clamps a stored step', () => {
    setViewOf(bpeTraining, { corpus: 'abcdefghijklmnopqrstuvwxyz '.repeat(10), step: 500 });
    const root = renderSlide(bpeTraining, trace);
    expect(root.dataset.mergeCount).toBe(String(MERGE_LIMIT));
    expect(root.dataset.step).toBe(String(MERGE_LIMIT));
    setViewOf(bpeTraining, { corpus: '', step: Number.NaN });
    const empty = renderSlide(bpeTraining, trace);
    expect(empty.dataset.step).toBe('0');
    expect(empty.dataset.mergeCount).toBe('0');
  });

  it('shows typed text as text, and bytes of partial characters in hex', () => {
    const hostile = HOSTILE_TOKENS.map((t) => t.text).join('');
    setViewOf(bpeTraining, { corpus: `${hostile} ${hostile} 🍪🍪`, step: 3 });
    const root = renderSlide(bpeTraining, trace);
    const tags = tagNames(root);
    expect(tags.has('script')).toBe(false);
    expect(tags.has('img')).toBe(false);
    expect(root.textContent).toContain('⟨F0⟩'); // a single byte of the cookie emoji
  });

  it('runs without a Trace and shows the waiting message', () => {
    const root = renderSlide(bpeTraining, null);
    expect(root.textContent).toContain(WAITING);
    expect(root.dataset.modelVocabSize).toBeUndefined();
    expect(root.querySelectorAll('.bpe-word')).toHaveLength(3);
  });

  it('quotes the live values in the notes', () => {
    const notes = notesOf(bpeTraining, { trace, waitingMessage: WAITING });
    expect(notes).toContain('"low lower lowest"');
    expect(notes).toContain('4 merges');
    expect(notes).toContain('"l" + "o" (3×)');
    expect(notes).toContain('8,192 tokens');
    expect(notesOf(bpeTraining, { trace: null, waitingMessage: WAITING })).toContain(WAITING);
  });
});
