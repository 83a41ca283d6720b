// Slide: the prompt cut into tokens. Chips show each token (whitespace made visible) with its id under it;
// a long prompt shows its first and last tokens and counts the others (nothing scrolls).
// No view state: the slide is a function of the Trace alone.
import { html } from '../src/viz/dom';
import { formatCount, plural, quoteToken } from '../src/viz/format';
import { headAndTail, monoTextWidth, type RowItem } from '../src/viz/row-fit';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { tokenChipRow, tokenDisplayText } from '../src/viz/token-chip';
import { lineBreakPosition } from '../src/viz/visible-whitespace';
import { NEWLINE_MARK, SPACE_MARK, TAB_MARK } from '../src/viz/visible-whitespace';
import type { Trace } from '../src/trace';
import type { SlideContext, SlideModule } from './slide';
import './03-tokenization.css';

const NOTES_TOKEN_LIMIT = 20;

/** The chips' room on the 1280x720 slide (03-tokenization.css): row width, rows, chip and id type. */
const ROW_WIDTH = 1180;
const ROWS = { short: 5, long: 4 }; // a long prompt keeps room for its id line
const CHIP_FONT = 28;
const ID_FONT = 24;
const CHIP_PADDING = 18; // padding and border, both sides
const GAP = 8;
const MARKER_WIDTH = 330; // "… 999 more tokens …"
const LARGE_SCALE = 44 / 28; // the large chips' type over the normal

function rowItems(tokens: Trace['tokens']): RowItem[] {
  return tokens.map((token) => ({
    width: Math.max(monoTextWidth(tokenDisplayText(token), CHIP_FONT), monoTextWidth(String(token.id), ID_FONT)) + CHIP_PADDING,
    breakAfter: lineBreakPosition(token.text) !== null,
  }));
}

/** Chips with their ids; past the slide's rows the middle ones are hidden (still in the row) and counted. */
function tokenRow(tokens: Trace['tokens'], rows: number): HTMLElement {
  const row = tokenChipRow(tokens);
  row.classList.add('token-id-chips');
  // A short prompt fills the empty slide with larger chips (03-tokenization.css), when they fit in two rows.
  if (headAndTail(rowItems(tokens).map((item) => ({ ...item, width: item.width * LARGE_SCALE })), ROW_WIDTH, 2, GAP, MARKER_WIDTH) === null) row.dataset.size = 'large';
  const shown = headAndTail(rowItems(tokens), ROW_WIDTH, rows, GAP, MARKER_WIDTH);
  if (!shown) return row;
  const chips = [...row.querySelectorAll<HTMLElement>('.token-chip')];
  const hiddenEnd = tokens.length - shown.tail;
  for (const chip of chips.slice(shown.head, hiddenEnd)) chip.classList.add('token-chip-summarised');
  // Line breaks inside or next to the hidden run would leave empty lines.
  for (const lineBreak of row.querySelectorAll<HTMLElement>('.token-line-break')) {
    const before = Number((lineBreak.previousElementSibling as HTMLElement | null)?.dataset.tokenIndex ?? -1);
    if (before >= shown.head - 1 && before < hiddenEnd) lineBreak.classList.add('token-chip-summarised');
  }
  const marker = html('span', { className: 'token-row-more', text: `… ${formatCount(hiddenEnd - shown.head)} more tokens …` });
  row.insertBefore(marker, chips[hiddenEnd]);
  row.dataset.summarised = String(hiddenEnd - shown.head);
  return row;
}

function characterCount(trace: Trace): number {
  return Array.from(trace.prompt).length; // code points, so an emoji counts once
}

function droppedNotice(trace: Trace): HTMLElement {
  const total = trace.droppedTokens + trace.tokens.length;
  return html('p', {
    className: 'live-notice',
    text: `The prompt is ${plural(total, 'token')}, more than the model's window of ${formatCount(trace.model.contextLength)}: the first ${plural(trace.droppedTokens, 'token')} were cut and the model never sees them.`,
  });
}

function render(root: HTMLElement, context: SlideContext): void {
  const trace = startLiveSlide(root, tokenization.title, context);
  if (!trace) return;
  const tokens = trace.tokens;
  root.dataset.tokenCount = String(tokens.length);
  if (tokens.length === 0) {
    root.append(missingMessage('This Trace holds no tokens, so there is nothing to show.', ['tokens']));
    return;
  }

  root.append(
    html('p', { className: 'live-lead' }, [
      html('strong', { className: 'live-big-number', text: formatCount(tokens.length) }),
      document.createTextNode(` ${tokens.length === 1 ? 'token' : 'tokens'} from ${plural(characterCount(trace), 'character')}`),
    ]),
  );
  if (trace.droppedTokens > 0) root.append(droppedNotice(trace));

  const long = tokens.length > SHOWN_IDS;
  root.append(
    tokenRow(tokens, long ? ROWS.long : ROWS.short),
    html('p', { className: 'live-legend', text: `${SPACE_MARK} space   ${NEWLINE_MARK} new line   ${TAB_MARK} tab` }),
    html('p', { className: 'token-ids-caption', text: 'What the model receives: token ids' }),
    idList(tokens.map((token) => token.id)),
  );
}

/** Ids shown in full up to this many (two lines); a longer prompt shows its first and last ids and counts the rest (nothing scrolls). */
const SHOWN_IDS = 26;
const LAST_IDS = 8;

/** The ids as one line of text (its textContent is every id, for the tests), the middle hidden when long. */
function idList(ids: readonly number[]): HTMLElement {
  const list = html('p', { className: 'token-ids' });
  if (ids.length <= SHOWN_IDS) {
    list.textContent = ids.join(' ');
    return list;
  }
  const headEnd = SHOWN_IDS - LAST_IDS;
  const middle = html('span', { className: 'token-ids-hidden', text: `${ids.slice(headEnd, -LAST_IDS).join(' ')} ` });
  middle.hidden = true;
  // The count is CSS-generated content, so the list's text stays the ids alone.
  const gap = html('span', { className: 'token-ids-gap', attrs: { 'data-more': ` … ${ids.length - SHOWN_IDS} more … ` } });
  list.append(document.createTextNode(`${ids.slice(0, headEnd).join(' ')} `), gap, middle, document.createTextNode(ids.slice(-LAST_IDS).join(' ')));
  return list;
}

function notes(context: SlideContext): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  const tokens = trace.tokens;
  const shown = tokens.slice(0, NOTES_TOKEN_LIMIT);
  const more = tokens.length > shown.length ? `, … (${tokens.length - shown.length} more)` : '';
  const characters = characterCount(trace);
  const lines = [
    `The prompt is ${plural(tokens.length, 'token')} made from ${plural(characters, 'character')}` +
      (tokens.length > 0 ? ` (${(characters / (tokens.length + trace.droppedTokens)).toFixed(1)} characters per token).` : '.'),
    `Tokens: ${shown.map((token) => quoteToken(token.text)).join(', ')}${more}.`,
    `Ids: ${shown.map((token) => token.id).join(', ')}${more}.`,
    `The vocabulary holds ${formatCount(trace.model.vocabSize)} tokens; every id is an index into it.`,
  ];
  if (trace.droppedTokens > 0) {
    lines.push(`The first ${plural(trace.droppedTokens, 'token')} were cut: the window holds ${formatCount(trace.model.contextLength)}.`);
  }
  return lines.join('\n');
}

const tokenization = {
  id: 'tokenization',
  title: 'Tokenization: text becomes numbers',
  render,
  notes,
} satisfies SlideModule;

export default tokenization;
