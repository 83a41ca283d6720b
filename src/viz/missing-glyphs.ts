// Characters that no font on the presenter's computer draws: shown as their code point ("U+1F30D")
// instead of an empty box, wherever token text is drawn (token-chip.ts's segments: chips and labels).
//
// How a missing glyph is detected, and why it is reliable: a browser draws a character that no font
// has with the ".notdef" glyph of one fallback font (the "tofu" box), the same glyph for every missing
// code point. So the character is drawn on a canvas and its pixels (and width) compared with those of
// U+0378, a code point that Unicode leaves unassigned, which no font may map: equal pixels mean the
// browser found no glyph either. document.fonts.check() cannot tell (it says whether the page's own
// @font-face fonts for the text are loaded, and nothing about the system's fonts), and a width alone
// cannot either (a CJK glyph is often as wide as the box). The deck's shipped fonts (fonts.css) draw
// Latin, Greek and Cyrillic, so those are never checked; everything else is drawn by system fonts,
// loaded with the page, so the answer does not change while web fonts load and is kept per code point.
// Limits: where .notdef is empty (draws nothing) the check cannot tell and reports nothing missing;
// macOS's LastResort font draws a per-block symbol instead of one box, which this does not flag.
import { codePointLabel } from '../maths/code-points';
import { html } from './dom';
import type { TextSegment } from './visible-whitespace';
import './missing-glyphs.css';

/** A code point Unicode leaves unassigned (in the Greek block): no font may draw it. */
const NEVER_DRAWN = '\u0378';
const SIZE = 48;
/** The system fonts' fallback chain, as the slides reach it for a character outside the shipped fonts. */
const FONT = `${SIZE * 0.75}px sans-serif`;

/** A text segment, or a character's stand-in when no font draws it (its code point, U+XXXX). */
export interface GlyphSegment extends TextSegment {
  /** The code point of a character no font on this computer draws (its text is then "U+XXXX"). */
  missingCodePoint?: number;
}

/** The shipped fonts' Latin, Greek and Cyrillic ranges (fonts.css's unicode-range, summarised): never checked. */
export function shippedFontsDraw(codePoint: number): boolean {
  return (
    codePoint <= 0x24f || // Basic Latin to Latin Extended-B
    (codePoint >= 0x250 && codePoint <= 0x2ff) || // IPA, spacing modifiers
    (codePoint >= 0x370 && codePoint <= 0x52f && codePoint !== 0x378 && codePoint !== 0x379) || // Greek, Cyrillic (+ supplement)
    (codePoint >= 0x1d00 && codePoint <= 0x1fff) || // phonetic extensions, Latin Extended Additional, Greek Extended
    (codePoint >= 0x2000 && codePoint <= 0x206f) // general punctuation
  );
}

/** Kinds of character that should leave ink: letters, digits, punctuation, symbols, private use and unassigned. */
const INKED = /^[\p{L}\p{N}\p{P}\p{S}\p{Co}\p{Cn}]$/u;

/** Whether a character is checked at all: visible, and outside the shipped fonts. */
export function needsGlyphCheck(char: string): boolean {
  const codePoint = char.codePointAt(0)!;
  return !shippedFontsDraw(codePoint) && INKED.test(char);
}

let context: CanvasRenderingContext2D | null | undefined;
let neverDrawn: string | null = null;
const known = new Map<number, boolean>();

/** A drawing's fingerprint: its width and every pixel (RGBA, so colour emoji count). */
function fingerprint(ctx: CanvasRenderingContext2D, char: string): string {
  ctx.clearRect(0, 0, SIZE * 2, SIZE);
  ctx.fillText(char, 4, SIZE * 0.8);
  const pixels = ctx.getImageData(0, 0, SIZE * 2, SIZE).data;
  let hash = 0x811c9dc5; // FNV-1a over the pixels: a fingerprint to compare, not to store
  let ink = 0;
  for (let i = 0; i < pixels.length; i++) {
    hash = Math.imul(hash ^ pixels[i], 0x01000193);
    ink += pixels[i];
  }
  return ink === 0 ? '' : `${ctx.measureText(char).width.toFixed(2)}:${hash >>> 0}`;
}

function canvasContext(): CanvasRenderingContext2D | null {
  if (context !== undefined) return context;
  context = null;
  if (typeof document === 'undefined') return null;
  try {
    const canvas = document.createElement('canvas');
    canvas.width = SIZE * 2;
    canvas.height = SIZE;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx || typeof ctx.getImageData !== 'function') return null;
    ctx.font = FONT;
    ctx.fillStyle = '#000';
    neverDrawn = fingerprint(ctx, NEVER_DRAWN);
    if (neverDrawn === '') return null; // an empty .notdef: nothing to compare with
    context = ctx;
  } catch {
    context = null; // no canvas (Node, a DOM without one): nothing is reported missing
  }
  return context;
}

/** True when no font on this computer draws `char` (one code point); false when one does or it cannot be told. */
export function hasNoGlyph(char: string): boolean {
  if (!needsGlyphCheck(char)) return false;
  const codePoint = char.codePointAt(0)!;
  const cached = known.get(codePoint);
  if (cached !== undefined) return cached;
  const ctx = canvasContext();
  if (!ctx) return false;
  ctx.font = FONT;
  const missing = fingerprint(ctx, char) === neverDrawn;
  known.set(codePoint, missing);
  return missing;
}

/** The code points in `text` that no font on this computer draws, each once, in order. */
export function missingCodePoints(text: string): number[] {
  const found = new Set<number>();
  for (const char of text) if (hasNoGlyph(char)) found.add(char.codePointAt(0)!);
  return [...found];
}

/** `segments` with each character that no font draws split out as its code point (a mark, U+XXXX). */
export function withMissingGlyphs(segments: readonly TextSegment[]): GlyphSegment[] {
  const out: GlyphSegment[] = [];
  for (const segment of segments) {
    if (segment.isMark) {
      out.push(segment);
      continue;
    }
    let drawn = '';
    for (const char of segment.text) {
      if (!hasNoGlyph(char)) {
        drawn += char;
        continue;
      }
      if (drawn) out.push({ text: drawn, isMark: false });
      drawn = '';
      const codePoint = char.codePointAt(0)!;
      out.push({ text: codePointLabel(codePoint), isMark: true, missingCodePoint: codePoint });
    }
    if (drawn) out.push({ text: drawn, isMark: false });
  }
  return out;
}

/** The hover text for characters shown as code points. */
export function missingGlyphHint(codePoints: readonly number[]): string {
  const labels = codePoints.map(codePointLabel).join(', ');
  return `no font on this computer draws ${labels}: shown as ${codePoints.length === 1 ? 'its code point' : 'code points'} (install fonts for it: README, Presenting)`;
}

/**
 * A line under a row of chips naming the characters no font on this computer draws (each shown as
 * its code point in the row), or null when every character is drawn.
 */
export function missingGlyphNote(texts: readonly string[]): HTMLElement | null {
  const codePoints = missingCodePoints(texts.join(''));
  if (codePoints.length === 0) return null;
  const labels = codePoints.map(codePointLabel).join(', ');
  const text = `${labels}: no font on this computer draws ${codePoints.length === 1 ? 'this character' : 'these characters'}, so ${codePoints.length === 1 ? 'its code point is' : 'their code points are'} shown.`;
  return html('span', { className: 'missing-glyph-note', text, attrs: { role: 'note' } });
}
