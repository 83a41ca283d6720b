// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import tokenIds, { ID_BOX_LIMIT } from '../../slides/06-token-ids';
import { HOSTILE_TOKENS, makeLongTrace, makeTrace } from '../fixtures/synthetic-trace';
import { notesOf, renderInto, renderSlide, tagNames, WAITING } from './render-slide';

afterEach(() => document.body.replaceChildren());

// Ids as sotu-gpt's tokenizer would give them: bytes below 256, merges above, the special token last.
const REALISTIC = [
  { text: 'How', id: 2437 },
  { text: ' do', id: 656 },
  { text: ' I', id: 314 },
  { text: ' bake', id: 7832 },
  { text: '?', id: 30 },
  { text: '<|endoftext|>', id: 8191 },
];

const traces = {
  plain: makeTrace(),
  realistic: makeTrace({ tokens: REALISTIC, vocabSize: 8192 }),
  oneToken: makeTrace({ tokens: ['Hi'] }),
  long: makeLongTrace(),
  hostile: makeTrace({ tokens: HOSTILE_TOKENS }),
};

describe('token ids slide', () => {
  it.each(Object.entries(traces))('renders the %s trace: the ids in order and where they fall in the vocabulary', (_, trace) => {
    const root = renderSlide(tokenIds, trace);
    const ids = trace.tokens.map((t) => t.id);
    expect(root.dataset.tokenCount).toBe(String(ids.length));
    expect(root.dataset.vocabSize).toBe(String(trace.model.vocabSize));
    expect(root.dataset.ids).toBe(ids.join(' '));
    expect(root.dataset.byteTokenCount).toBe(String(ids.filter((id) => id < 256).length));
    expect(root.dataset.lowestId).toBe(String(Math.min(...ids)));
    expect(root.dataset.highestId).toBe(String(Math.max(...ids)));
    const boxes = root.querySelectorAll<HTMLElement>('.id-box');
    expect(boxes).toHaveLength(Math.min(ID_BOX_LIMIT, ids.length));
    boxes.forEach((box, index) => {
      expect(box.dataset.tokenIndex).toBe(String(index));
      expect(box.dataset.tokenId).toBe(String(ids[index]));
      expect(box.textContent).toBe(String(ids[index]));
    });
    const ticks = Array.from(root.querySelectorAll('.vocab-tick'), (tick) => Number(tick.getAttribute('data-token-id')));
    expect(ticks).toEqual([...new Set(ids)].sort((a, b) => a - b));
    expect(root.textContent).toContain(trace.model.vocabSize.toLocaleString('en-US'));
  });

  it('places each tick at id / vocabSize along the strip', () => {
    const root = renderSlide(tokenIds, traces.realistic);
    const x = (id: number) => Number(root.querySelector(`.vocab-tick[data-token-id="${id}"] line`)?.getAttribute('x1'));
    expect((x(2437) - x(30)) / (x(8191) - x(30))).toBeCloseTo((2437 - 30) / (8191 - 30), 9);
    expect(root.querySelector('.id-facts')?.textContent).toContain('1 of 6 tokens has an id below 256');
  });

  it('labels the large-model vocabulary sizes as other models', () => {
    const text = renderSlide(tokenIds, traces.plain).querySelector('.other-models')?.textContent ?? '';
    expect(text).toContain('Other models');
    expect(text).toContain('not this one');
  });

  it('says "N more" for long prompts', () => {
    const root = renderSlide(tokenIds, traces.long);
    expect(root.querySelector('.id-more')?.textContent).toBe(`… ${256 - ID_BOX_LIMIT} more`);
  });

  it('renders token text as text, never as elements', () => {
    const tags = tagNames(renderSlide(tokenIds, traces.hostile));
    expect(tags.has('script')).toBe(false);
    expect(tags.has('img')).toBe(false);
  });

  it('shows the waiting message without a Trace and a message without tokens', () => {
    const root = renderSlide(tokenIds, traces.plain);
    renderInto(tokenIds, root, { trace: null, waitingMessage: WAITING });
    expect(root.querySelector('.live-waiting')?.textContent).toBe(WAITING);
    expect(root.dataset.ids).toBeUndefined();
    const empty = renderSlide(tokenIds, { ...traces.plain, tokens: [] });
    expect(empty.querySelector('.live-missing')?.getAttribute('data-missing')).toBe('tokens');
  });

  it('quotes the live values in the notes', () => {
    const notes = notesOf(tokenIds, { trace: traces.realistic, waitingMessage: WAITING });
    expect(notes).toContain('2437, 656, 314, 7832, 30, 8191');
    expect(notes).toContain('8,192 tokens');
    expect(notes).toContain('Lowest id here: "?" = 30 (a single byte)');
    expect(notes).toContain('Highest: "<|endoftext|>" = 8191 (a special token)');
    expect(notes).toContain('"How" = 2437 (merge number 2,182)');
    expect(notesOf(tokenIds, { trace: traces.plain, waitingMessage: WAITING })).toContain('Lowest id here: "How" = 5.');
    expect(notesOf(tokenIds, { trace: traces.hostile, waitingMessage: WAITING })).toContain('⟨F0 9F⟩ = '); // part of a character: its bytes
    expect(notesOf(tokenIds, { trace: null, waitingMessage: WAITING })).toContain(WAITING);
  });
});
