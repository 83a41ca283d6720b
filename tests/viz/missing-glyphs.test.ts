// The pure side of src/viz/missing-glyphs.ts: which characters are checked at all (the shipped fonts'
// scripts and invisible characters never are), and the hover text. The canvas check itself runs in
// headless chromium (tests/browser/missing-glyphs.test.ts).
import { describe, expect, it } from 'vitest';
import { missingGlyphHint, needsGlyphCheck, shippedFontsDraw, withMissingGlyphs } from '../../src/viz/missing-glyphs';

describe('missing glyphs', () => {
  it('leaves Latin, Greek and Cyrillic to the shipped fonts', () => {
    for (const char of ['a', 'é', 'ł', 'Ω', 'ά', 'ἀ', 'Ж', 'ѣ', '—', '’']) expect(shippedFontsDraw(char.codePointAt(0)!), char).toBe(true);
    for (const char of ['你', '🌍', '\uE000', 'ש', '∑']) expect(shippedFontsDraw(char.codePointAt(0)!), char).toBe(false);
  });

  it('checks visible characters outside them, never whitespace or invisible ones', () => {
    for (const char of ['你', '🌍', '\uE000', String.fromCodePoint(0x50000), '∑', 'ש']) expect(needsGlyphCheck(char), char).toBe(true);
    for (const char of ['Ж', ' ', '\u3000', '\u200d', '\ufe0f', '\u0301', '\n']) expect(needsGlyphCheck(char), char).toBe(false);
  });

  it('changes nothing where it cannot draw (Node has no canvas)', () => {
    const segments = [{ text: 'a\uE000', isMark: false }, { text: '␣', isMark: true }];
    expect(withMissingGlyphs(segments)).toEqual(segments);
  });

  it('names the code points in its hint', () => {
    expect(missingGlyphHint([0x1f30d])).toMatch(/^no font on this computer draws U\+1F30D: shown as its code point/);
    expect(missingGlyphHint([0xe000, 0x50000])).toContain('U+E000, U+50000: shown as code points');
  });
});
