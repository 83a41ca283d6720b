// Token chips: one coloured box per token, invisible characters shown as marks.
import { tokenChipColour } from './colour-scales';
import { html } from './dom';
import { missingCodePoints, missingGlyphHint, missingGlyphNote, withMissingGlyphs, type GlyphSegment } from './missing-glyphs';
import { lineBreakPosition, whitespaceSegments } from './visible-whitespace';
import './token-chip.css';

const REPLACEMENT_CHARACTER = '\ufffd';

export interface ChipToken {
  text: string;
  id?: number;
  /** The UTF-8 bytes of the token; shown instead of "�" when the token holds part of a character. */
  bytes?: number[];
  /** A special token of the chat template (<|im_start|>): drawn as the template slide draws it, never as typed text. */
  special?: boolean;
}

export interface ChipOptions {
  /** Position in its row: picks the colour and sets data-token-index. */
  index?: number;
  /** Fill with the categorical colour (token rows) or stay neutral (lists, bars). */
  coloured?: boolean;
  /** Extra hover text after the id and bytes. */
  hint?: string;
}

function hexBytes(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

/**
 * What a token shows: whitespace as marks, its raw bytes when the text is only part of a character,
 * and the code point (U+XXXX) of a character no font on this computer draws (missing-glyphs.ts).
 */
export function tokenSegments(token: ChipToken): GlyphSegment[] {
  if (token.text.includes(REPLACEMENT_CHARACTER) && token.bytes && token.bytes.length > 0) {
    return [{ text: `⟨${hexBytes(token.bytes)}⟩`, isMark: true }];
  }
  if (token.text === '') return [{ text: '(empty)', isMark: true }];
  return withMissingGlyphs(whitespaceSegments(token.text));
}

/** tokenSegments as one string, for SVG labels and captions. */
export function tokenDisplayText(token: ChipToken): string {
  return tokenSegments(token)
    .map((segment) => segment.text)
    .join('');
}

function chipContent(token: ChipToken): Node[] {
  return tokenSegments(token).map((segment) =>
    segment.missingCodePoint !== undefined
      ? html('span', { className: 'token-mark token-no-glyph', text: segment.text })
      : segment.isMark
        ? html('span', { className: 'token-mark', text: segment.text })
        : document.createTextNode(segment.text),
  );
}

function hoverText(token: ChipToken, hint: string | undefined): string {
  const parts: string[] = [];
  if (token.id !== undefined) parts.push(`id ${token.id}`);
  if (token.bytes && token.bytes.length > 0) parts.push(`bytes ${hexBytes(token.bytes)}`);
  if (token.text.includes(REPLACEMENT_CHARACTER)) parts.push('part of a multi-byte character');
  if (token.special) parts.push('special token: the chat template’s, never typed');
  const missing = missingCodePoints(token.text);
  if (missing.length > 0) parts.push(missingGlyphHint(missing));
  if (hint) parts.push(hint);
  return parts.join(' · ');
}

export function tokenChip(token: ChipToken, options: ChipOptions = {}): HTMLSpanElement {
  const chip = html('span', { className: 'token-chip' }, chipContent(token));
  if (token.special) {
    // The template slide's look (square, double border, one colour) on every slide that shows the input.
    chip.classList.add('token-chip-special', 'template-chip-special');
  } else if (options.coloured !== false && options.index !== undefined) {
    const colour = tokenChipColour(options.index);
    chip.style.backgroundColor = colour.fill;
    chip.style.color = colour.text;
  } else {
    chip.classList.add('token-chip-neutral');
  }
  // Hooks only for chips that stand for a prompt position; candidate chips leave data-token-id to their bar.
  if (options.index !== undefined) {
    chip.dataset.tokenIndex = String(options.index);
    if (token.id !== undefined) chip.dataset.tokenId = String(token.id);
  }
  const title = hoverText(token, options.hint);
  if (title) chip.title = title;
  return chip;
}

/** A flowing row of chips that breaks the line where the text has a newline. */
export function tokenChipRow(tokens: ChipToken[], chipOptions: (index: number) => ChipOptions = (index) => ({ index })): HTMLDivElement {
  const row = html('div', { className: 'token-row' });
  tokens.forEach((token, index) => {
    const breakAt = lineBreakPosition(token.text);
    if (breakAt === 'before') row.append(html('span', { className: 'token-line-break' }));
    row.append(tokenChip(token, chipOptions(index)));
    if (breakAt === 'after') row.append(html('span', { className: 'token-line-break' }));
  });
  const note = missingGlyphNote(tokens.filter((token) => !token.special).map((token) => token.text));
  if (note) row.append(note); // the slide says why a chip shows a code point
  return row;
}
