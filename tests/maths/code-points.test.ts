import { describe, expect, it } from 'vitest';
import { codePointLabel, codePoints, hexBytes, textEncodingTotals } from '../../src/maths/code-points';

describe('code points and UTF-8 bytes', () => {
  it('gives ASCII one byte each, equal to the code point', () => {
    const info = codePoints('Hi ?');
    expect(info.map((c) => codePointLabel(c.codePoint))).toEqual(['U+0048', 'U+0069', 'U+0020', 'U+003F']);
    expect(info.map((c) => c.utf8)).toEqual([[0x48], [0x69], [0x20], [0x3f]]);
  });

  it('gives accents two bytes, CJK three and emoji four', () => {
    const [e, cjk, cookie] = codePoints('é你🍪');
    expect(hexBytes(e.utf8)).toBe('C3 A9');
    expect(hexBytes(cjk.utf8)).toBe('E4 BD A0');
    expect(cookie.char).toBe('🍪');
    expect(codePointLabel(cookie.codePoint)).toBe('U+1F36A');
    expect(hexBytes(cookie.utf8)).toBe('F0 9F 8D AA');
  });

  it('encodes a lone surrogate as U+FFFD (EF BF BD)', () => {
    const [lone] = codePoints('\ud83d');
    expect(lone.loneSurrogate).toBe(true);
    expect(codePointLabel(lone.codePoint)).toBe('U+D83D');
    expect(hexBytes(lone.utf8)).toBe('EF BF BD');
  });

  it('counts characters, code points, UTF-16 units and bytes separately', () => {
    const family = '👩‍👩‍👧‍👦';
    expect(textEncodingTotals(family)).toEqual({ characters: 1, codePoints: 7, utf16Units: 11, utf8Bytes: 25 });
    expect(textEncodingTotals('')).toEqual({ characters: 0, codePoints: 0, utf16Units: 0, utf8Bytes: 0 });
    expect(textEncodingTotals('How do I bake?').utf8Bytes).toBe(14);
  });
});
