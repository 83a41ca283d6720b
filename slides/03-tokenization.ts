// Slide: the prompt cut into tokens. Chips show each token (whitespace made visible), ids below.
// No view state: the slide is a function of the Trace alone.
import { html } from '../src/viz/dom';
import { formatCount, plural, quoteToken } from '../src/viz/format';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { tokenChipRow } from '../src/viz/token-chip';
import { NEWLINE_MARK, SPACE_MARK, TAB_MARK } from '../src/viz/visible-whitespace';
import type { Trace } from '../src/trace';
import type { SlideContext, SlideModule } from './slide';
import './03-tokenization.css';

const NOTES_TOKEN_LIMIT = 20;

/** Chips shrink as the prompt grows, so a long prompt still fits on the slide. */
function density(tokenCount: number): 'normal' | 'compact' | 'dense' {
  if (tokenCount <= 40) return 'normal';
  if (tokenCount <= 120) return 'compact';
  return 'dense';
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

  const row = tokenChipRow(tokens);
  row.dataset.density = density(tokens.length);
  root.append(row);

  root.append(
    html('p', { className: 'live-legend', text: `${SPACE_MARK} space   ${NEWLINE_MARK} new line   ${TAB_MARK} tab   ·   hover a token for its id and bytes` }),
    html('p', { className: 'live-caption', text: 'What the model receives: token ids' }),
    idList(tokens.map((token) => token.id)),
  );
}

/** Ids shown in full up to this many; a longer prompt shows its first and last ids and counts the rest (nothing scrolls). */
const SHOWN_IDS = 72;
const LAST_IDS = 16;

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
