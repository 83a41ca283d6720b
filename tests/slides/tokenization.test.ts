// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import tokenization from '../../slides/03-tokenization';
import { visibleWhitespace } from '../../src/viz/visible-whitespace';
import { HOSTILE_TOKENS, makeLongTrace, makeTrace } from '../fixtures/synthetic-trace';
import { notesOf, renderInto, renderSlide, tagNames, WAITING } from './render-slide';

afterEach(() => document.body.replaceChildren());

const traces = {
  plain: makeTrace(),
  oneToken: makeTrace({ tokens: ['Hi'] }),
  long: makeLongTrace(),
  hostile: makeTrace({ tokens: HOSTILE_TOKENS, prompt: '<script>alert("x")</script> <img src=x onerror=alert(1)>🍪 你好\n\n\tTab 👩‍👩‍👧‍👦&amp;' }),
};

describe('tokenization slide', () => {
  it.each(Object.entries(traces))('renders the %s trace: one chip per token with its id and index', (_, trace) => {
    const root = renderSlide(tokenization, trace);
    expect(root.dataset.tokenCount).toBe(String(trace.tokens.length));
    const chips = root.querySelectorAll<HTMLElement>('.token-chip[data-token-index]');
    expect(chips).toHaveLength(trace.tokens.length);
    chips.forEach((chip, index) => {
      expect(chip.dataset.tokenIndex).toBe(String(index));
      expect(chip.dataset.tokenId).toBe(String(trace.tokens[index].id));
      expect(chip.title).toContain(`id ${trace.tokens[index].id}`);
    });
    expect(root.querySelector('.token-ids')?.textContent).toBe(trace.tokens.map((t) => t.id).join(' '));
    expect(root.textContent).toContain(String(trace.tokens.length));
  });

  it('shows whitespace as visible marks and breaks the line after a newline', () => {
    const root = renderSlide(tokenization, makeTrace({ tokens: ['Hello', ' world', '\n', '\tx'] }));
    const chips = Array.from(root.querySelectorAll('.token-chip'), (chip) => chip.textContent);
    expect(chips).toEqual(['Hello', '␣world', '↵', '→x']);
    expect(root.querySelector('.token-chip[data-token-index="2"] + .token-line-break')).not.toBeNull();
  });

  it('shows the bytes of a token that holds part of a character', () => {
    const root = renderSlide(tokenization, traces.hostile);
    expect(root.querySelector('.token-chip[data-token-index="2"]')?.textContent).toBe('⟨F0 9F⟩');
  });

  it('renders prompt and token text as text, never as elements', () => {
    const root = renderSlide(tokenization, traces.hostile);
    const tags = tagNames(root);
    expect(tags.has('script')).toBe(false);
    expect(tags.has('img')).toBe(false);
    expect(root.textContent).toContain(visibleWhitespace('<script>alert("x")</script>'));
    expect(root.textContent).toContain(visibleWhitespace(' <img src=x onerror=alert(1)>'));
  });

  it('says how many tokens were cut when the prompt was longer than the window', () => {
    const root = renderSlide(tokenization, traces.long);
    expect(root.querySelector('.live-notice')?.textContent).toContain('the first 44 tokens were cut');
    expect(renderSlide(tokenization, traces.plain).querySelector('.live-notice')).toBeNull();
  });

  it('shows the waiting message without a Trace', () => {
    const root = renderSlide(tokenization, null);
    expect(root.querySelector('.live-waiting')?.textContent).toBe(WAITING);
    expect(root.dataset.tokenCount).toBeUndefined();
  });

  it('replaces its previous content and hooks when rendered again', () => {
    const root = renderSlide(tokenization, traces.long);
    renderInto(tokenization, root, { trace: traces.oneToken, waitingMessage: WAITING });
    expect(root.querySelectorAll('.token-chip')).toHaveLength(1);
    expect(root.dataset.tokenCount).toBe('1');
    expect(root.querySelectorAll('h2')).toHaveLength(1);
  });

  it('quotes the live values in the notes', () => {
    const trace = traces.plain;
    const notes = notesOf(tokenization, { trace, waitingMessage: WAITING });
    expect(notes).toContain(`${trace.tokens.length} tokens`);
    expect(notes).toContain(`${Array.from(trace.prompt).length} characters`);
    expect(notes).toContain(JSON.stringify(trace.tokens[1].text));
    expect(notes).toContain(trace.tokens.map((t) => t.id).join(', '));
    expect(notesOf(tokenization, { trace: traces.long, waitingMessage: WAITING })).toContain('first 44 tokens were cut');
    expect(notesOf(tokenization, { trace: null, waitingMessage: WAITING })).toContain(WAITING);
  });
});
