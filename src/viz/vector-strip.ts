// Vector strips: one row of coloured cells per vector (an embedding, a position vector), one cell per
// dimension, on a diverging scale centred on zero. HTML label | SVG strip, so token chips stay HTML.
import { scaleDiverging } from 'd3-scale';
import { interpolatePuOr } from 'd3-scale-chromatic';
import { html, svg } from './dom';
import './vector-strip.css';

export interface StripRow {
  /** A token chip or a short caption. */
  label: Node;
  values: ArrayLike<number>;
  /** Hooks on the row, e.g. data-token-index. */
  attrs?: Record<string, string>;
  selected?: boolean;
}

export interface StripOptions {
  colour: (value: number) => string;
  /** Put data-dim / data-value on every cell of the selected row (tests compare them with the Trace). */
  cellHooks?: boolean;
  onRowClick?: (rowIndex: number) => void;
  /** For screen readers: what one strip shows. */
  description: string;
}

/**
 * Purple (negative) -> near white (0) -> orange (positive): PuOr is a ColorBrewer scheme that stays
 * readable for the common colour-vision deficiencies. Symmetric domain, so white always means 0.
 */
export function divergingColourScale(maxAbsValue: number): (value: number) => string {
  const limit = maxAbsValue > 0 && Number.isFinite(maxAbsValue) ? maxAbsValue : 1;
  const scale = scaleDiverging(interpolatePuOr).domain([-limit, 0, limit]).clamp(true);
  return (value) => (Number.isFinite(value) ? scale(value) : '#808080');
}

/** +0.123, −0.045 (a real minus sign), 1.23, 123: digits enough to compare, few enough to read. */
export function formatSigned(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  const digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
  const text = magnitude.toFixed(digits);
  if (Number(text) === 0) return text;
  return `${value < 0 ? '−' : '+'}${text}`;
}

/** The first row index of a window of `size` rows that contains `selected`, centred where it can be. */
export function rowWindowStart(count: number, selected: number, size: number): number {
  if (count <= size) return 0;
  return Math.min(count - size, Math.max(0, selected - Math.floor(size / 2)));
}

function strip(values: ArrayLike<number>, options: StripOptions, hooks: boolean): SVGSVGElement {
  const width = Math.max(1, values.length);
  // One unit per dimension; CSS stretches the strip to the column's width (preserveAspectRatio none).
  const box = svg('svg', {
    className: 'vector-strip',
    attrs: { viewBox: `0 0 ${width} 1`, preserveAspectRatio: 'none', role: 'img', 'aria-label': options.description, 'shape-rendering': 'crispEdges' },
  });
  for (let dim = 0; dim < values.length; dim++) {
    const cell = svg('rect', { attrs: { x: dim, y: 0, width: 1.02, height: 1, fill: options.colour(values[dim]) } }); // 1.02: no hairline seams
    if (hooks) {
      cell.setAttribute('data-dim', String(dim));
      cell.setAttribute('data-value', String(values[dim]));
    }
    box.append(cell);
  }
  return box;
}

/** Rows of label | strip. */
export function vectorStrips(rows: StripRow[], options: StripOptions): HTMLDivElement {
  const grid = html('div', { className: 'vector-strips' });
  rows.forEach((row, index) => {
    const line = html('div', { className: row.selected ? 'vector-strip-row vector-strip-selected' : 'vector-strip-row', attrs: row.attrs ?? {} }, [
      html('div', { className: 'vector-strip-label' }, [row.label]),
      strip(row.values, options, Boolean(options.cellHooks && row.selected)),
    ]);
    if (options.onRowClick) {
      line.classList.add('vector-strip-clickable');
      line.addEventListener('click', () => options.onRowClick?.(index));
    }
    grid.append(line);
  });
  return grid;
}

/** Five swatches from −limit to +limit, so the audience can read a colour back as a number. */
export function divergingLegend(colour: (value: number) => string, limit: number, caption: string): HTMLElement {
  const legend = html('div', { className: 'vector-legend' }, [html('span', { className: 'vector-legend-caption', text: caption })]);
  for (const fraction of [-1, -0.5, 0, 0.5, 1]) {
    const value = fraction * limit;
    const swatch = html('span', { className: 'vector-legend-swatch' });
    swatch.style.backgroundColor = colour(value);
    legend.append(html('span', { className: 'vector-legend-item' }, [swatch, document.createTextNode(formatSigned(value))]));
  }
  return legend;
}
