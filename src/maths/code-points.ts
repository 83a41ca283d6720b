// Unicode code points and their UTF-8 bytes: what a byte-level BPE reads before any merge.
// Pure: TextEncoder and Intl.Segmenter exist in Node and every browser the deck targets.

export interface CodePointInfo {
  /** The code point as a string (one or two UTF-16 units); a lone surrogate stays one unit. */
  char: string;
  /** The code point's value, e.g. 0x48 for "H" (a lone surrogate gives its own value, e.g. 0xD83D). */
  codePoint: number;
  /** The UTF-8 bytes TextEncoder writes for it (a lone surrogate becomes U+FFFD: EF BF BD). */
  utf8: number[];
  /** True for half of a surrogate pair with no other half: it is not a character and encodes as U+FFFD. */
  loneSurrogate: boolean;
}

export interface TextEncodingTotals {
  /** User-perceived characters (grapheme clusters): a family emoji counts once. */
  characters: number;
  codePoints: number;
  /** JavaScript's string length. */
  utf16Units: number;
  utf8Bytes: number;
}

const utf8 = new TextEncoder();

function isSurrogate(codePoint: number): boolean {
  return codePoint >= 0xd800 && codePoint <= 0xdfff;
}

/** "U+0048", "U+1F36A": at least four hex digits, upper case, as the Unicode standard writes them. */
export function codePointLabel(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** [0xF0, 0x9F] -> "F0 9F". */
export function hexBytes(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

/** The text split by code point (for...of iterates code points), each with its UTF-8 bytes. */
export function codePoints(text: string): CodePointInfo[] {
  const out: CodePointInfo[] = [];
  for (const char of text) {
    const codePoint = char.codePointAt(0) ?? 0;
    out.push({ char, codePoint, utf8: Array.from(utf8.encode(char)), loneSurrogate: isSurrogate(codePoint) });
  }
  return out;
}

/** Grapheme clusters where Intl.Segmenter exists; code points otherwise. */
export function characterCount(text: string): number {
  if (typeof Intl !== 'undefined' && 'Segmenter' in Intl) {
    let count = 0;
    for (const _ of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) count++;
    return count;
  }
  return Array.from(text).length;
}

export function textEncodingTotals(text: string): TextEncodingTotals {
  return {
    characters: characterCount(text),
    codePoints: Array.from(text).length,
    utf16Units: text.length,
    utf8Bytes: utf8.encode(text).length,
  };
}
