// Slide: token ids. The prompt as the model receives it, a sequence of integers, and where those
// integers fall in this model's vocabulary (0 .. vocabSize-1). In sotu-gpt's tokenizer (trained by
// src/tokenize/bpe-trainer.ts, as in GPT-2) ids 0-255 are the 256 single bytes, each later id is one
// merge in the order training learned it, and special tokens come last.
// No view state: the slide is a function of the Trace alone.
//
// Test hooks:
//   root   data-token-count, data-vocab-size, data-ids (every id, space-separated),
//          data-byte-token-count (tokens with id < 256), data-lowest-id, data-highest-id
//   .id-box[data-token-index][data-token-id]   one per shown id (at most ID_BOX_LIMIT)
//   .vocab-tick[data-token-id]                  one per distinct id, at x = id / vocabSize of the strip
import { noteToken } from '../src/viz/token-note';
import { tokenChipColour } from '../src/viz/colour-scales';
import { html, svg } from '../src/viz/dom';
import { formatCount, plural } from '../src/viz/format';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { tokenDisplayText } from '../src/viz/token-chip';
import type { Trace, TraceToken } from '../src/trace';
import type { SlideContext, SlideModule } from './slide';
import './06-token-ids.css';

export const BYTE_TOKEN_COUNT = 256;
export const ID_BOX_LIMIT = 48;
const NOTES_TOKEN_LIMIT = 16;
const LABELLED_TICK_LIMIT = 8;
const TICK_LABEL_CHARS = 9;
const ROOT_HOOKS = ['tokenCount', 'vocabSize', 'ids', 'byteTokenCount', 'lowestId', 'highestId'] as const;

// The strip's drawing box, in viewBox units (CSS scales it to the slide's width).
const STRIP_WIDTH = 1200;
const STRIP_LEFT = 20;
const STRIP_TOP = 70;
const STRIP_HEIGHT = 44;
const BOX_HEIGHT = 180;

interface IdFacts {
  byteTokens: number;
  lowest: number;
  highest: number;
  distinct: number[];
}

function idFacts(tokens: TraceToken[]): IdFacts {
  const ids = tokens.map((token) => token.id);
  return {
    byteTokens: ids.filter((id) => id < BYTE_TOKEN_COUNT).length,
    lowest: Math.min(...ids),
    highest: Math.max(...ids),
    distinct: [...new Set(ids)].sort((a, b) => a - b),
  };
}

function shortLabel(token: TraceToken): string {
  const chars = Array.from(tokenDisplayText(token));
  return chars.length > TICK_LABEL_CHARS ? `${chars.slice(0, TICK_LABEL_CHARS - 1).join('')}…` : chars.join('');
}

/** Up to this many ids are drawn large (06-token-ids.css). */
const LARGE_ID_BOXES = 12;

function idBoxes(tokens: TraceToken[]): HTMLElement {
  const row = html('div', { className: 'id-sequence', attrs: { 'aria-label': 'token ids in prompt order' } }, [html('span', { className: 'id-bracket', text: '[' })]);
  if (tokens.length <= LARGE_ID_BOXES) row.dataset.size = 'large'; // a short prompt's ids fill the empty slide
  tokens.slice(0, ID_BOX_LIMIT).forEach((token, index) => {
    const colour = tokenChipColour(index); // the same colour as this token's chip on the tokenization slide
    const box = html('span', {
      className: 'id-box',
      text: String(token.id),
      attrs: { 'data-token-index': String(index), 'data-token-id': String(token.id), title: `${tokenDisplayText(token)} · token ${index + 1}` },
    });
    box.style.backgroundColor = colour.fill;
    box.style.color = colour.text;
    row.append(box);
  });
  if (tokens.length > ID_BOX_LIMIT) row.append(html('span', { className: 'id-more', text: `… ${formatCount(tokens.length - ID_BOX_LIMIT)} more` }));
  row.append(html('span', { className: 'id-bracket', text: ']' }));
  return row;
}

function vocabularyStrip(trace: Trace, facts: IdFacts): SVGSVGElement {
  const vocabSize = Math.max(1, trace.model.vocabSize);
  const x = (id: number) => STRIP_LEFT + (Math.min(Math.max(id, 0), vocabSize) / vocabSize) * STRIP_WIDTH;
  const box = svg('svg', {
    className: 'vocab-strip',
    attrs: { viewBox: `0 0 ${STRIP_WIDTH + 2 * STRIP_LEFT} ${BOX_HEIGHT}`, role: 'img', 'aria-label': `where the prompt's ids fall among ${vocabSize} vocabulary ids` },
  });
  box.append(
    svg('rect', { className: 'vocab-strip-track', attrs: { x: STRIP_LEFT, y: STRIP_TOP, width: STRIP_WIDTH, height: STRIP_HEIGHT } }),
    svg('rect', { className: 'vocab-strip-bytes', attrs: { x: STRIP_LEFT, y: STRIP_TOP, width: x(BYTE_TOKEN_COUNT) - STRIP_LEFT, height: STRIP_HEIGHT } }),
  );
  const firstIndex = new Map<number, number>();
  trace.tokens.forEach((token, index) => {
    if (!firstIndex.has(token.id)) firstIndex.set(token.id, index);
  });
  const labelled = facts.distinct.length <= LABELLED_TICK_LIMIT;
  facts.distinct.forEach((id, order) => {
    const index = firstIndex.get(id) ?? 0;
    const tick = svg('g', { className: 'vocab-tick', attrs: { 'data-token-id': String(id) } }, [
      svg('line', { attrs: { x1: x(id), x2: x(id), y1: STRIP_TOP - 6, y2: STRIP_TOP + STRIP_HEIGHT + 6, stroke: tokenChipColour(index).fill } }),
    ]);
    if (labelled) {
      const y = order % 2 === 0 ? STRIP_TOP - 14 : STRIP_TOP - 42; // two staggered rows so neighbours do not collide
      tick.append(svg('text', { className: 'vocab-tick-label', text: shortLabel(trace.tokens[index]), attrs: { x: x(id), y, 'text-anchor': 'middle' } }));
    }
    box.append(tick);
  });
  const axisY = STRIP_TOP + STRIP_HEIGHT + 34;
  box.append(
    svg('text', { className: 'vocab-axis-label', text: '0', attrs: { x: STRIP_LEFT, y: axisY, 'text-anchor': 'start' } }),
    svg('text', { className: 'vocab-axis-label vocab-bytes-label', text: '← 0–255: the 256 single bytes', attrs: { x: x(BYTE_TOKEN_COUNT) + 8, y: axisY, 'text-anchor': 'start' } }),
    svg('text', { className: 'vocab-axis-label', text: formatCount(vocabSize - 1), attrs: { x: STRIP_LEFT + STRIP_WIDTH, y: axisY, 'text-anchor': 'end' } }),
  );
  return box;
}

function render(root: HTMLElement, context: SlideContext): void {
  for (const key of ROOT_HOOKS) delete root.dataset[key];
  const trace = startLiveSlide(root, tokenIds.title, context);
  if (!trace) return;
  const tokens = trace.tokens;
  if (tokens.length === 0) {
    root.append(missingMessage('This Trace holds no tokens, so there are no ids to show.', ['tokens']));
    return;
  }
  const facts = idFacts(tokens);
  root.dataset.tokenCount = String(tokens.length);
  root.dataset.vocabSize = String(trace.model.vocabSize);
  root.dataset.ids = tokens.map((token) => token.id).join(' ');
  root.dataset.byteTokenCount = String(facts.byteTokens);
  root.dataset.lowestId = String(facts.lowest);
  root.dataset.highestId = String(facts.highest);

  root.append(
    html('p', { className: 'live-lead' }, [
      html('strong', { className: 'live-big-number', text: formatCount(tokens.length) }),
      document.createTextNode(` ${tokens.length === 1 ? 'integer is' : 'integers are'} all the model receives. From here on the text is gone.`),
    ]),
    idBoxes(tokens),
    html('p', { className: 'live-caption', text: `Each id is a row number in this model's vocabulary of ${formatCount(trace.model.vocabSize)} tokens:` }),
    vocabularyStrip(trace, facts),
    html('ul', { className: 'id-facts' }, [
      html('li', { text: `${formatCount(facts.byteTokens)} of ${plural(tokens.length, 'token')} ${facts.byteTokens === 1 ? 'has an id' : 'have ids'} below 256: single bytes.` }),
      html('li', { text: 'Ids from 256 up are merges, in the order training learned them: a low id is a frequent piece.' }),
      html('li', { className: 'other-models', text: 'Other models (not this one): GPT-2 has 50,257 tokens; large recent ones 65,000–200,000.' }),
    ]),
  );
}

function describe(token: TraceToken): string {
  const special = /^<\|.*\|>$/.test(token.text);
  const kind = special
    ? 'a special token'
    : token.id >= BYTE_TOKEN_COUNT
      ? `merge number ${formatCount(token.id - BYTE_TOKEN_COUNT + 1)}`
      : token.bytes.length === 1
        ? 'a single byte'
        : null; // an id below 256 that is not one byte: not this tokenizer's layout, so say nothing
  return `${noteToken(token)} = ${token.id}${kind ? ` (${kind})` : ''}`;
}

function notes(context: SlideContext): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  const tokens = trace.tokens;
  if (tokens.length === 0) return 'This Trace holds no tokens.';
  const facts = idFacts(tokens);
  const lowestToken = tokens.find((token) => token.id === facts.lowest)!;
  const highestToken = tokens.find((token) => token.id === facts.highest)!;
  const shown = tokens.slice(0, NOTES_TOKEN_LIMIT);
  return [
    `The model receives ${plural(tokens.length, 'integer')}: ${shown.map((token) => token.id).join(', ')}${tokens.length > shown.length ? ', …' : ''}.`,
    `Vocabulary: ${formatCount(trace.model.vocabSize)} tokens, ids 0 to ${formatCount(trace.model.vocabSize - 1)}. Ids 0–255 are bytes; later ids are merges in training order.`,
    `Point at: ${tokens.slice(0, 4).map(describe).join('; ')}.`,
    `Lowest id here: ${describe(lowestToken)}. Highest: ${describe(highestToken)}.`,
    `${formatCount(facts.byteTokens)} of the ${plural(tokens.length, 'token')} ${facts.byteTokens === 1 ? 'is a single byte' : 'are single bytes'} (id below 256).`,
    'The 50,257 (GPT-2) to ~200,000 figures on the slide are other models, for scale.',
  ].join('\n');
}

const tokenIds = {
  id: 'token-ids',
  title: 'Token ids: the numbers the model sees',
  render,
  notes,
} satisfies SlideModule;

export default tokenIds;
