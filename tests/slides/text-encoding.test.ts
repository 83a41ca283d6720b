// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import textEncoding, { CODE_POINT_LIMIT } from '../../slides/02-text-encoding';
import { HOSTILE_TOKENS, makeLongTrace, makeTrace } from '../fixtures/synthetic-trace';
import { notesOf, renderInto, renderSlide, tagNames, WAITING } from './render-slide';

afterEach(() => document.body.replaceChildren());

const HOSTILE_PROMPT = '<script>alert("x")</script> <img src=x onerror=alert(1)>🍪 你好\n\n\tTab 👩‍👩‍👧‍👦&amp; שלום é\u0301 \ud83d';
const traces = {
  plain: makeTrace(),
  oneToken: makeTrace({ tokens: ['H'] }),
  long: makeLongTrace(),
  hostile: makeTrace({ tokens: HOSTILE_TOKENS, prompt: HOSTILE_PROMPT }),
};

/** Independent reference: code points by for...of, bytes by TextEncoder. */
function reference(prompt: string) {
  const encoder = new TextEncoder();
  return Array.from(prompt, (char) => ({ codePoint: char.codePointAt(0)!, bytes: Array.from(encoder.encode(char)) }));
}

const hex = (bytes: number[]) => bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');

describe('text encoding slide', () => {
  it.each(Object.entries(traces))('renders the %s trace with the real code points and UTF-8 bytes', (_, trace) => {
    const root = renderSlide(textEncoding, trace);
    const expected = reference(trace.prompt);
    expect(root.dataset.codePoints).toBe(String(expected.length));
    expect(root.dataset.utf8Bytes).toBe(String(new TextEncoder().encode(trace.prompt).length));
    const cells = root.querySelectorAll<HTMLElement>('.code-point-cell');
    expect(cells).toHaveLength(Math.min(CODE_POINT_LIMIT, expected.length));
    expect(root.dataset.shownCodePoints).toBe(String(cells.length));
    cells.forEach((cell, index) => {
      expect(cell.dataset.index).toBe(String(index));
      expect(cell.dataset.codePoint).toBe(String(expected[index].codePoint));
      expect(cell.dataset.utf8).toBe(hex(expected[index].bytes));
      expect(cell.textContent).toContain(`U+${expected[index].codePoint.toString(16).toUpperCase().padStart(4, '0')}`);
      expect(cell.textContent).toContain(String(expected[index].codePoint));
    });
  });

  it('shows "H" as U+0048, 72, byte 48', () => {
    const cell = renderSlide(textEncoding, traces.oneToken).querySelector<HTMLElement>('.code-point-cell')!;
    expect(cell.textContent).toBe('HU+00487248');
  });

  it('shows several bytes for emoji and CJK, and EF BF BD for a lone surrogate', () => {
    const root = renderSlide(textEncoding, traces.hostile);
    const all = reference(HOSTILE_PROMPT);
    expect(all.length).toBeGreaterThan(CODE_POINT_LIMIT); // the hostile prompt is long: check the cells shown
    expect(root.querySelector('.live-caption')?.textContent).toContain(`${all.length - CODE_POINT_LIMIT} more follow`);
    const short = renderSlide(textEncoding, makeTrace({ tokens: ['x'], prompt: 'é🍪你ש' }));
    const utf8 = Array.from(short.querySelectorAll<HTMLElement>('.code-point-cell'), (cell) => cell.dataset.utf8);
    expect(utf8).toEqual(['C3 A9', 'F0 9F 8D AA', 'E4 BD A0', 'D7 A9']);
    expect(short.querySelector('.code-point-bytes-4 .code-point-glyph')?.textContent).toBe('🍪');
    const surrogate = renderSlide(textEncoding, makeTrace({ tokens: ['x'], prompt: 'a\ud83d' }));
    const last = surrogate.querySelector<HTMLElement>('.code-point-cell[data-index="1"]')!;
    expect(last.dataset.utf8).toBe('EF BF BD');
    expect(last.dataset.codePoint).toBe(String(0xd83d));
    expect(surrogate.dataset.utf8Bytes).toBe('4');
  });

  it('counts a family emoji as one character but seven code points', () => {
    const root = renderSlide(textEncoding, makeTrace({ tokens: ['x'], prompt: '👩‍👩‍👧‍👦' }));
    expect(root.dataset.characters).toBe('1');
    expect(root.dataset.codePoints).toBe('7');
    expect(root.dataset.utf8Bytes).toBe('25');
    expect(root.querySelector('[data-total="characters"]')?.textContent).toContain('1');
  });

  it('renders prompt text as text, never as elements', () => {
    const root = renderSlide(textEncoding, traces.hostile);
    const tags = tagNames(root);
    expect(tags.has('script')).toBe(false);
    expect(tags.has('img')).toBe(false);
    expect(root.textContent).toContain('<');
  });

  it('says when tokens were cut', () => {
    expect(renderSlide(textEncoding, traces.long).querySelector('.live-notice')?.textContent).toContain('44 tokens cut');
    expect(renderSlide(textEncoding, traces.plain).querySelector('.live-notice')).toBeNull();
  });

  it('shows the waiting message without a Trace and clears its hooks', () => {
    const root = renderSlide(textEncoding, traces.plain);
    renderInto(textEncoding, root, { trace: null, waitingMessage: WAITING });
    expect(root.querySelector('.live-waiting')?.textContent).toBe(WAITING);
    expect(root.dataset.codePoints).toBeUndefined();
    expect(root.querySelectorAll('h2')).toHaveLength(1);
  });

  it('says so when the prompt is empty', () => {
    const root = renderSlide(textEncoding, makeTrace({ tokens: ['x'], prompt: '' }));
    expect(root.querySelector('.live-missing')?.getAttribute('data-missing')).toBe('prompt');
  });

  it('quotes the live values in the notes', () => {
    const notes = notesOf(textEncoding, { trace: traces.plain, waitingMessage: WAITING });
    const prompt = traces.plain.prompt;
    expect(notes).toContain(`${Array.from(prompt).length} code points`);
    expect(notes).toContain(`${new TextEncoder().encode(prompt).length} UTF-8 bytes`);
    expect(notes).toContain('"H" U+0048 = 72 -> 48');
    const hostileNotes = notesOf(textEncoding, { trace: traces.hostile, waitingMessage: WAITING });
    expect(hostileNotes).toContain('more than one byte');
    expect(notesOf(textEncoding, { trace: null, waitingMessage: WAITING })).toContain(WAITING);
  });
});
