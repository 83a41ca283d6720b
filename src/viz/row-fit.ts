// How much of a long row of chips fits on a slide without scrolling: widths estimated from the text
// (a monospace font: 0.6 em a character, wide CJK and emoji 1.2 em), rows packed the way flex-wrap does.

/** One item of a wrapping row: its width in px, and whether it ends its line (a newline token). */
export interface RowItem {
  width: number;
  breakAfter?: boolean;
}

const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\u{1f000}-\u{1faff}\u{20000}-\u{3fffd}]/u;

/** The width of `text` in a monospace font of `fontPx`, wide characters counted as two cells. */
export function monoTextWidth(text: string, fontPx: number): number {
  let cells = 0;
  for (const char of text) {
    if (char === '\u200d' || /\p{M}/u.test(char) || (char >= '\ufe00' && char <= '\ufe0f')) continue; // joiners, marks, variation selectors add no width
    cells += WIDE.test(char) ? 2 : 1;
  }
  return cells * 0.6 * fontPx;
}

/** How many items, from the first, fit in `rows` rows of `rowWidth` px with `gap` px between items. */
export function itemsInRows(items: readonly RowItem[], rowWidth: number, rows: number, gap: number): number {
  let row = 1;
  let used = 0;
  for (let index = 0; index < items.length; index++) {
    const width = Math.min(items[index].width, rowWidth);
    if (used > 0 && used + gap + width > rowWidth) {
      row++;
      used = 0;
    }
    if (row > rows) return index;
    used += (used > 0 ? gap : 0) + width;
    if (items[index].breakAfter) {
      row++;
      used = 0;
      if (row > rows && index + 1 < items.length) return index + 1;
    }
  }
  return items.length;
}

/**
 * Which items to show when all of them do not fit in `rows` rows: the first ones, then a "… n more …"
 * marker `markerWidth` wide starting the last rows, then the last ones. Null when everything fits.
 */
export function headAndTail(items: readonly RowItem[], rowWidth: number, rows: number, gap: number, markerWidth: number): { head: number; tail: number } | null {
  if (itemsInRows(items, rowWidth, rows, gap) >= items.length) return null;
  const tailRows = Math.max(1, Math.floor((rows - 1) / 3));
  const headRows = Math.max(1, rows - tailRows);
  const head = itemsInRows(items, rowWidth, headRows, gap);
  // The tail starts a line after the marker: packed from the end, newlines taken as they come.
  const reversed = [...items].reverse().map((item, index, all) => ({ width: item.width, breakAfter: all[index + 1]?.breakAfter }));
  const tail = Math.min(items.length - head, itemsInRows(reversed, rowWidth - markerWidth - gap, tailRows, gap));
  return { head, tail };
}
