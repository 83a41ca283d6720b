// A vector as a strip of coloured cells (SVG), one per dimension: blue for positive, red for negative,
// white for zero, on a symmetric scale so equal magnitudes look equally strong.
import { scaleDiverging } from 'd3-scale';
import { interpolateRdBu } from 'd3-scale-chromatic';
import { svg } from './dom';
import './block-vector-strip.css';

/**
 * RdBu (ColorBrewer) stays readable for the common colour-vision deficiencies, unlike red-green; its
 * zero is white, so the sign is in the hue and the size in the saturation.
 */
export function signedColourScale(largest: number) {
  const extent = largest > 0 && Number.isFinite(largest) ? largest : 1;
  return scaleDiverging(interpolateRdBu).domain([-extent, 0, extent]).clamp(true);
}

export interface StripInput {
  values: ArrayLike<number>;
  /** Shared colour extent, so strips drawn side by side are comparable. */
  largest: number;
  /** data-vector on the strip, e.g. "q". */
  name: string;
}

const STRIP_WIDTH = 1000; // viewBox units; CSS sets the size on screen
const STRIP_HEIGHT = 60;

export function vectorStrip(input: StripInput): SVGSVGElement {
  const colour = signedColourScale(input.largest);
  const count = Math.max(1, input.values.length);
  const cell = STRIP_WIDTH / count;
  const root = svg('svg', {
    className: 'tb-strip',
    attrs: { viewBox: `0 0 ${STRIP_WIDTH} ${STRIP_HEIGHT}`, preserveAspectRatio: 'none', role: 'img', 'data-vector': input.name },
  });
  root.append(svg('title', { text: `${input.name}: ${input.values.length} numbers, one cell each` }));
  const cells = svg('g', { attrs: { 'shape-rendering': 'crispEdges' } });
  for (let dim = 0; dim < input.values.length; dim++) {
    const value = input.values[dim];
    cells.append(
      svg('rect', {
        className: 'tb-strip-cell',
        attrs: { x: dim * cell, y: 0, width: cell, height: STRIP_HEIGHT, fill: colour(value), 'data-dim': dim, 'data-value': String(value) },
      }),
    );
  }
  root.append(cells, svg('rect', { className: 'tb-strip-frame', attrs: { x: 0, y: 0, width: STRIP_WIDTH, height: STRIP_HEIGHT } }));
  return root;
}
