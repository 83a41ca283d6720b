// One vector as a strip of coloured cells (cividis: readable in greyscale and for colour-blind
// viewers), scaled to the vector's own range; the ends are labelled with the real min and max.
import { scaleSequential } from 'd3-scale';
import { interpolateCividis } from 'd3-scale-chromatic';
import { svg } from './dom';
import './value-strip.css';

const CELL_HEIGHT = 40;

export function valueStrip(values: ArrayLike<number>, label: string): SVGSVGElement {
  const count = Math.max(1, values.length);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) continue;
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
  }
  const colour = scaleSequential(interpolateCividis).domain(min < max ? [min, max] : [min - 1, min + 1]);
  const root = svg('svg', {
    className: 'value-strip',
    attrs: { viewBox: `0 0 ${count} ${CELL_HEIGHT}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': label },
  });
  for (let i = 0; i < values.length; i++) {
    const fill = Number.isFinite(values[i]) ? colour(values[i]) : '#888';
    root.append(svg('rect', { attrs: { x: i, y: 0, width: 1.02, height: CELL_HEIGHT, fill } }));
  }
  return root;
}
