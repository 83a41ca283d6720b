// Makes invisible characters visible, so the audience sees that " the" and "the" are different tokens.

/** A run of token text: either the text itself or a mark standing for an invisible character. */
export interface TextSegment {
  text: string;
  /** True when `text` is a stand-in (␣, ↵, →, ...) rather than the character itself. */
  isMark: boolean;
}

export const SPACE_MARK = '␣';
export const NEWLINE_MARK = '↵';
export const TAB_MARK = '→';

const ZERO_WIDTH_JOINER = 0x200d;

/** The mark for one character, or null when the character shows by itself. */
function markFor(char: string): string | null {
  const code = char.codePointAt(0) ?? 0;
  if (char === ' ') return SPACE_MARK;
  if (char === '\n') return NEWLINE_MARK;
  if (char === '\t') return TAB_MARK;
  if (char === '\u00a0') return '⍽'; // no-break space
  if (code < 0x20) return String.fromCodePoint(0x2400 + code); // control pictures: ␍ ␀ ␇ ␛
  if (code === 0x7f) return '␡';
  // Format characters (zero-width space, direction marks, BOM) and exotic spaces; the ZWJ inside emoji stays.
  if (code !== ZERO_WIDTH_JOINER && /[\p{Cf}\p{Zs}\p{Zl}\p{Zp}]/u.test(char)) {
    return `⟨U+${code.toString(16).toUpperCase().padStart(4, '0')}⟩`;
  }
  return null;
}

/** Splits text into plain runs and marks for invisible characters. */
export function whitespaceSegments(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let plain = '';
  for (const char of text) {
    const mark = markFor(char);
    if (mark === null) {
      plain += char;
      continue;
    }
    if (plain) segments.push({ text: plain, isMark: false });
    plain = '';
    segments.push({ text: mark, isMark: true });
  }
  if (plain) segments.push({ text: plain, isMark: false });
  return segments;
}

/** The text with spaces as ␣, newlines as ↵, tabs as →, other invisible characters as marks. */
export function visibleWhitespace(text: string): string {
  return whitespaceSegments(text)
    .map((segment) => segment.text)
    .join('');
}

/** Where a row of tokens breaks the line for this token's newline: after "\n", before "\nThe". */
export function lineBreakPosition(text: string): 'before' | 'after' | null {
  if (/[\n\u2028\u2029]$/u.test(text)) return 'after';
  if (/[\n\u2028\u2029]/u.test(text)) return 'before';
  return null;
}
