// @vitest-environment happy-dom
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import detokenization from '../../slides/23-detokenization';
import type { Generation, Trace } from '../../src/trace';
import { makeGeneration } from '../fixtures/synthetic-generation';
import { HOSTILE_TOKENS, makeLongTrace, makeTrace } from '../fixtures/synthetic-trace';
import { notesOf, tagNames, WAITING } from './render-slide';
import { GENERATION_PROMPTS, realGeneration, renderWithGeneration, streamingCopy, type RealGeneration } from './real-generation';

afterEach(() => document.body.replaceChildren());

let real: Record<keyof typeof GENERATION_PROMPTS, RealGeneration>;
beforeAll(async () => {
  real = {
    ordinary: await realGeneration(GENERATION_PROMPTS.ordinary, 10),
    oneToken: await realGeneration(GENERATION_PROMPTS.oneToken, 6),
    hostile: await realGeneration(GENERATION_PROMPTS.hostile, 6),
  };
}, 60_000);

const hex = (bytes: Iterable<number>) => Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
const utf8 = (text: string) => new TextEncoder().encode(text);
const promptText = (trace: Trace) => new TextDecoder().decode(Uint8Array.from(trace.tokens.flatMap((t) => t.bytes)));

function expectPieces(root: HTMLElement, generation: Generation): void {
  const steps = generation.cached.steps;
  const cards = root.querySelectorAll<HTMLElement>('.detok-piece');
  expect(cards).toHaveLength(steps.length);
  cards.forEach((card, i) => {
    expect(Number(card.dataset.tokenId)).toBe(steps[i].id);
    expect(card.querySelector('.detok-id')?.textContent).toBe(String(steps[i].id));
    const partial = steps[i].text.includes('\ufffd');
    expect(card.dataset.partial).toBe(String(partial));
    if (!partial && steps[i].text !== '<|endoftext|>') expect(card.dataset.bytes).toBe(hex(utf8(steps[i].text)));
  });
}

describe('detokenization slide', () => {
  it.each(['ordinary', 'oneToken', 'hostile'] as const)('maps the real %s generation back to pieces, bytes and text', (name) => {
    const { trace, generation } = real[name];
    const root = renderWithGeneration(detokenization, trace, generation);
    expectPieces(root, generation);
    const data = root.querySelector<HTMLElement>('.detok-body')!.dataset;
    const allWhole = generation.cached.steps.every((s) => !s.text.includes('\ufffd'));
    expect(data.allWhole).toBe(String(allWhole));
    expect(root.querySelector('.detok-prompt-text')?.textContent).toBe(promptText(trace));
    if (allWhole) {
      expect(data.assembled).toBe('true');
      expect(root.querySelector('.detok-continuation')?.textContent).toBe(generation.cached.steps.map((s) => s.text).join(''));
    }
    expect(tagNames(root).has('script')).toBe(false);
  });

  it('shows whitespace in the pieces', () => {
    const trace = makeTrace();
    const generation = makeGeneration(trace, { steps: [' we', '\n'] });
    const root = renderWithGeneration(detokenization, trace, generation);
    const chips = root.querySelectorAll('.detok-piece .token-chip');
    expect(chips[0].textContent).toBe('␣we');
    expect(chips[1].textContent).toBe('↵');
    expect(root.querySelector('.detok-continuation')?.textContent).toBe(' we\n');
  });

  it('joins partial pieces through their bytes when the Trace knows them', () => {
    const emoji = Array.from(utf8('👍'));
    const trace = makeTrace({ tokens: [{ text: 'Hi' }, { text: '\ufffd', bytes: emoji.slice(0, 2), id: 300 }, { text: '\ufffd', bytes: emoji.slice(2), id: 301 }] });
    const generation = makeGeneration(trace, { steps: [{ text: ' x' }, { text: '\ufffd', id: 300 }, { text: '\ufffd', id: 301 }] });
    const root = renderWithGeneration(detokenization, trace, generation);
    const data = root.querySelector<HTMLElement>('.detok-body')!.dataset;
    expect(data.allWhole).toBe('false');
    expect(data.partialCount).toBe('2');
    expect(data.assembled).toBe('true');
    expect(root.querySelectorAll<HTMLElement>('.detok-piece')[1].dataset.bytes).toBe(hex(emoji.slice(0, 2)));
    expect(root.querySelector('.detok-continuation')?.textContent).toBe(' x👍');
    expect(root.querySelector('.detok-body')?.textContent).toContain('2 pieces hold part of a character');
  });

  it('says so instead of joining when a partial piece’s bytes are unknown', () => {
    const trace = makeTrace({ tokens: ['Hi'] });
    const generation = makeGeneration(trace, { steps: [' x', { text: '\ufffd', id: 5000 }] });
    const root = renderWithGeneration(detokenization, trace, generation);
    expect(root.querySelector<HTMLElement>('.detok-body')?.dataset.assembled).toBe('false');
    expect(root.querySelector('.detok-continuation')).toBeNull();
    expect(root.querySelector('.detok-unknown')?.textContent).toContain('part of a character');
    const card = root.querySelectorAll<HTMLElement>('.detok-piece')[1];
    expect(card.dataset.bytes).toBeUndefined();
    expect(card.querySelector('.detok-bytes')?.textContent).toBe('part of a character');
  });

  it('streams: shows the pieces so far and a generating mark', () => {
    const { trace, generation } = real.ordinary;
    const partial = streamingCopy(generation, 4, null);
    const root = renderWithGeneration(detokenization, trace, partial);
    expectPieces(root, partial);
    expect(root.querySelector('.generation-streaming')).not.toBeNull();
  });

  it('waits for generation, and for a Trace', () => {
    const { trace, generation } = real.ordinary;
    for (const value of [null, undefined, streamingCopy(generation, 0, null)]) {
      const root = renderWithGeneration(detokenization, trace, value);
      expect(root.querySelector('.generation-not-started')).not.toBeNull();
      expect(root.querySelectorAll('.detok-piece')).toHaveLength(0);
    }
    expect(renderWithGeneration(detokenization, null, generation).querySelector('.live-waiting')?.textContent).toBe(WAITING);
  });

  it('keeps end-of-text out of the text, and handles a full context window and hostile text', () => {
    const trace = makeTrace();
    const generation = makeGeneration(trace, { steps: [' we', '<|endoftext|>'] });
    const root = renderWithGeneration(detokenization, trace, generation);
    expect(root.querySelector('.detok-continuation')?.textContent).toBe(' we');
    expect(root.querySelectorAll<HTMLElement>('.detok-piece')[1].dataset.endOfText).toBe('true');

    const long = makeLongTrace();
    const longRoot = renderWithGeneration(detokenization, long, makeGeneration(long, { steps: [] }));
    expect(longRoot.querySelector('.detok-dropped')).not.toBeNull();
    expect(longRoot.textContent).toContain('No token was generated');

    const hostile = makeTrace({ tokens: HOSTILE_TOKENS });
    const hostileRoot = renderWithGeneration(detokenization, hostile, makeGeneration(hostile, { steps: ['<script>x</script>', ' <img src=x onerror=alert(1)>'] }));
    expect(tagNames(hostileRoot).has('script')).toBe(false);
    expect(tagNames(hostileRoot).has('img')).toBe(false);
    expect(hostileRoot.querySelector('.detok-continuation')?.textContent).toBe('<script>x</script> <img src=x onerror=alert(1)>');
  });

  it('quotes the live ids and text in the notes', () => {
    const { trace, generation } = real.ordinary;
    const notes = notesOf(detokenization, { trace, waitingMessage: WAITING, generation });
    expect(notes).toContain(`Generated ids: ${generation.cached.steps.map((s) => s.id).join(', ')}.`);
    const first = generation.cached.steps[0];
    expect(notes).toContain(`${first.id} -> ${JSON.stringify(first.text)}`);
    expect(notesOf(detokenization, { trace, waitingMessage: WAITING, generation: null })).toContain('not started');
  });
});

describe('detokenization slide, many pieces', () => {
  it('keeps every piece and its hooks, showing bytes only for pieces beyond ASCII', () => {
    const trace = makeTrace();
    const steps = Array.from({ length: 20 }, (_, i) => (i === 5 ? ' 你好' : ` w${i}`));
    const root = renderWithGeneration(detokenization, trace, makeGeneration(trace, { steps }));
    const cards = root.querySelectorAll<HTMLElement>('.detok-piece');
    expect(cards).toHaveLength(20);
    expect(root.querySelector<HTMLElement>('.detok-pieces')?.dataset.density).toBe('compact');
    expect(cards[0].dataset.bytes).toBe(hex(utf8(' w0')));
    expect(cards[0].querySelector('.detok-bytes')).toBeNull();
    expect(cards[5].querySelector('.detok-bytes')?.textContent).toBe(hex(utf8(' 你好')));
    expect(root.querySelector('.detok-continuation')?.textContent).toBe(steps.join(''));
  });
});
