// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { TOKEN_CHIP_COLOURS, tokenChipColour } from '../../src/viz/colour-scales';
import { formatPercent } from '../../src/viz/format';
import { tokenChip } from '../../src/viz/token-chip';
import { lineBreakPosition, visibleWhitespace } from '../../src/viz/visible-whitespace';

describe('visibleWhitespace', () => {
  it('marks spaces, newlines, tabs and other invisible characters', () => {
    expect(visibleWhitespace(' the')).toBe('␣the');
    expect(visibleWhitespace('a\n\tb\r')).toBe('a↵→b␍');
    expect(visibleWhitespace('zero\u200bwidth\u00a0nbsp\u0000')).toBe('zero⟨U+200B⟩width⍽nbsp␀');
  });

  it('leaves emoji joined and CJK as it is', () => {
    expect(visibleWhitespace('👩‍👩‍👧‍👦你好')).toBe('👩‍👩‍👧‍👦你好');
  });

  it('places the line break of a newline token', () => {
    expect(lineBreakPosition('\n')).toBe('after');
    expect(lineBreakPosition('.\n\n')).toBe('after');
    expect(lineBreakPosition('\nThe')).toBe('before');
    expect(lineBreakPosition(' the')).toBeNull();
  });
});

describe('formatPercent', () => {
  it('keeps three significant digits', () => {
    expect(formatPercent(0.2345)).toBe('23.4%');
    expect(formatPercent(0.05678)).toBe('5.68%');
    expect(formatPercent(0.000123)).toBe('0.0123%');
    expect(formatPercent(0.09999)).toBe('10.0%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(1e-9)).toBe('<0.001%');
    expect(formatPercent(Number.NaN)).toBe('n/a');
  });
});

describe('token chips', () => {
  it('gives neighbours different colours', () => {
    for (let i = 0; i < 20; i++) expect(tokenChipColour(i).fill).not.toBe(tokenChipColour(i + 1).fill);
    expect(TOKEN_CHIP_COLOURS.length).toBeGreaterThanOrEqual(7);
  });

  it('puts text in as text', () => {
    const chip = tokenChip({ text: '<b>bold</b> ', id: 3 }, { index: 0 });
    expect(chip.querySelector('b')).toBeNull();
    expect(chip.textContent).toBe('<b>bold</b>␣');
    expect(chip.dataset.tokenId).toBe('3');
  });

  it('draws a special token as the template slide does, not in a position colour', () => {
    const special = tokenChip({ text: '<|im_start|>', id: 8192, special: true }, { index: 0 });
    expect(special.classList.contains('template-chip-special')).toBe(true);
    expect(special.style.backgroundColor).toBe('');
    expect(special.title).toContain('special token');
    const typed = tokenChip({ text: '<|im_start|>', id: 27, special: false }, { index: 0 });
    expect(typed.classList.contains('template-chip-special')).toBe(false);
    expect(typed.style.backgroundColor).not.toBe('');
  });
});
