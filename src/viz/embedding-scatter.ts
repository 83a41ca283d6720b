// A 2-D scatter of embedding points (the PCA map): prompt words highlighted, reference words neutral,
// labels as SVG text. Both axes share one unit per pixel, so distances on screen are distances in the
// PCA plane (a stretched axis would invent closeness).
import { scaleLinear } from 'd3-scale';
import type { EmbeddingPoint } from '../trace';
import { svg } from './dom';
import { visibleWhitespace } from './visible-whitespace';

export const SCATTER_WIDTH = 660;
export const SCATTER_HEIGHT = 400;
const MARGIN = { top: 16, right: 24, bottom: 44, left: 44 };
const LABEL_CHARS = 12;

export interface ScatterOptions {
  points: EmbeddingPoint[];
  xLabel: string;
  yLabel: string;
  /** At most this many prompt words get a label (reference words always do); the rest are dots. */
  promptLabelLimit: number;
}

/** The word as a map label: no leading space mark (the caption says so), other invisible characters marked. */
export function mapLabel(word: string): string {
  const chars = Array.from(visibleWhitespace(word.replace(/^ /, '')));
  return chars.length > LABEL_CHARS ? `${chars.slice(0, LABEL_CHARS - 1).join('')}…` : chars.join('') || '␣';
}

/** Domains with the same units per pixel on both axes, centred on the points. */
function equalUnitDomains(points: EmbeddingPoint[], width: number, height: number): { x: [number, number]; y: [number, number] } {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const [yMin, yMax] = [Math.min(...ys), Math.max(...ys)];
  const unitsPerPixel = Math.max((xMax - xMin) / width, (yMax - yMin) / height, 1e-9) * 1.08; // 8% room for the dots
  const xMid = (xMin + xMax) / 2;
  const yMid = (yMin + yMax) / 2;
  return {
    x: [xMid - (unitsPerPixel * width) / 2, xMid + (unitsPerPixel * width) / 2],
    y: [yMid - (unitsPerPixel * height) / 2, yMid + (unitsPerPixel * height) / 2],
  };
}

export function embeddingScatter(options: ScatterOptions): SVGSVGElement {
  const plotWidth = SCATTER_WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = SCATTER_HEIGHT - MARGIN.top - MARGIN.bottom;
  const points = options.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const domains = points.length > 0 ? equalUnitDomains(points, plotWidth, plotHeight) : { x: [-1, 1] as [number, number], y: [-1, 1] as [number, number] };
  const x = scaleLinear().domain(domains.x).range([MARGIN.left, MARGIN.left + plotWidth]);
  const y = scaleLinear().domain(domains.y).range([MARGIN.top + plotHeight, MARGIN.top]);

  const chart = svg('svg', { className: 'embedding-scatter', attrs: { viewBox: `0 0 ${SCATTER_WIDTH} ${SCATTER_HEIGHT}`, role: 'img', 'aria-label': 'Embedding map' } });
  const bottom = MARGIN.top + plotHeight;
  chart.append(
    svg('line', { className: 'scatter-axis', attrs: { x1: MARGIN.left, y1: bottom, x2: MARGIN.left + plotWidth, y2: bottom } }),
    svg('line', { className: 'scatter-axis', attrs: { x1: MARGIN.left, y1: MARGIN.top, x2: MARGIN.left, y2: bottom } }),
    svg('text', { className: 'scatter-axis-label', text: options.xLabel, attrs: { x: MARGIN.left + plotWidth / 2, y: SCATTER_HEIGHT - 8, 'text-anchor': 'middle' } }),
    svg('text', {
      className: 'scatter-axis-label',
      text: options.yLabel,
      attrs: { x: 0, y: 0, 'text-anchor': 'middle', transform: `translate(${MARGIN.left - 14} ${MARGIN.top + plotHeight / 2}) rotate(-90)` },
    }),
  );

  // Reference words first, so the prompt's words are drawn on top.
  const ordered = [...points.filter((p) => !p.fromPrompt), ...points.filter((p) => p.fromPrompt)];
  let promptLabels = 0;
  for (const point of ordered) {
    const cx = x(point.x);
    const cy = y(point.y);
    const group = svg('g', {
      className: point.fromPrompt ? 'emb-point emb-point-prompt' : 'emb-point emb-point-reference',
      attrs: { 'data-word': point.word, 'data-id': String(point.id), 'data-x': String(point.x), 'data-y': String(point.y), 'data-from-prompt': String(point.fromPrompt) },
    });
    group.append(svg('title', { text: `${visibleWhitespace(point.word)} · id ${point.id}` }), svg('circle', { className: 'emb-dot', attrs: { cx, cy, r: point.fromPrompt ? 8 : 6 } }));
    const labelled = !point.fromPrompt || promptLabels++ < options.promptLabelLimit;
    if (labelled) {
      const onRight = cx < MARGIN.left + plotWidth * 0.8; // labels near the right edge go on the left of their dot
      group.append(
        svg('text', {
          className: 'emb-label',
          text: mapLabel(point.word),
          attrs: { x: onRight ? cx + 11 : cx - 11, y: cy + 6, 'text-anchor': onRight ? 'start' : 'end' },
        }),
      );
    }
    chart.append(group);
  }
  return chart;
}
