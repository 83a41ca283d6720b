import { describe, expect, it } from 'vitest';
import { headAndTail, itemsInRows, monoTextWidth } from '../../src/viz/row-fit';

describe('row fit', () => {
  it('counts wide characters as two monospace cells and joiners as none', () => {
    expect(monoTextWidth('abc', 10)).toBeCloseTo(18);
    expect(monoTextWidth('你好', 10)).toBeCloseTo(24);
    expect(monoTextWidth('👩‍👧', 10)).toBeCloseTo(24);
  });

  it('packs items into rows as flex-wrap does, breaking after a newline item', () => {
    const items = Array.from({ length: 10 }, () => ({ width: 100 }));
    expect(itemsInRows(items, 330, 2, 10)).toBe(6); // 3 a row
    expect(itemsInRows(items, 330, 5, 10)).toBe(10);
    const withBreak = [{ width: 100, breakAfter: true }, ...items];
    expect(itemsInRows(withBreak, 330, 2, 10)).toBe(4);
  });

  it('keeps the first and last items when all do not fit, and says null when they do', () => {
    const items = Array.from({ length: 100 }, () => ({ width: 100 }));
    expect(headAndTail(items.slice(0, 5), 330, 4, 10, 100)).toBeNull();
    const shown = headAndTail(items, 330, 4, 10, 100)!;
    expect(shown.head).toBe(9); // 3 rows of 3
    expect(shown.tail).toBe(2); // the last row, after the marker
  });
});
