// A 2-D scatter of embedding points (the PCA map): prompt words highlighted, reference words neutral,
// labels as SVG text placed without overlaps (a crowded word stays a dot with a hover title). Both axes share one unit per pixel, so distances on screen are distances in the
// PCA plane (a stretched axis would invent closeness).
import { scaleLinear } from 'd3-scale';
import type { EmbeddingPoint } from '../trace';
import { svg } from './dom';
import { placeLabels } from './label-placement';
import { visibleWhitespace } from './visible-whitespace';
import './embedding-scatter.css';

export const SCATTER_WIDTH = 660;
export const SCATTER_HEIGHT = 400;
const MARGIN = { top: 16, right: 24, bottom: 44, left: 44 };
const LABEL_CHARS = 12;
// The labels' size as .emb-label sets it (20px monospace): each character about 0.6em wide.
const LABEL_CHAR_WIDTH = 12.5;
const LABEL_HEIGHT = 22;

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

  // Labels are placed prompt words first (what the audience typed), then reference words, without
  // overlaps (label-placement.ts); dots are drawn reference words first, so the prompt's sit on top.
  const promptPoints = points.filter((p) => p.fromPrompt);
  const referencePoints = points.filter((p) => !p.fromPrompt);
  const byPriority = [...promptPoints, ...referencePoints];
  const radius = (point: EmbeddingPoint) => (point.fromPrompt ? 8 : 6);
  // Past the limit, prompt words are dots only (a long prompt would bury the reference words).
  const labelled = byPriority.filter((point, i) => !point.fromPrompt || i < options.promptLabelLimit);
  const placements = placeLabels(
    labelled.map((point) => ({ x: x(point.x), y: y(point.y), radius: radius(point), width: Array.from(mapLabel(point.word)).length * LABEL_CHAR_WIDTH, height: LABEL_HEIGHT })),
    { left: MARGIN.left, top: 0, right: SCATTER_WIDTH, bottom },
  );
  const placementOf = new Map(labelled.map((point, i) => [point, placements[i]]));

  for (const point of [...referencePoints, ...promptPoints]) {
    const cx = x(point.x);
    const cy = y(point.y);
    const placement = placementOf.get(point) ?? null;
    const group = svg('g', {
      className: point.fromPrompt ? 'emb-point emb-point-prompt' : 'emb-point emb-point-reference',
      attrs: {
        'data-word': point.word,
        'data-id': String(point.id),
        'data-x': String(point.x),
        'data-y': String(point.y),
        'data-from-prompt': String(point.fromPrompt),
        'data-labelled': String(placement !== null),
      },
    });
    group.append(svg('title', { text: `${visibleWhitespace(point.word)} · id ${point.id}` }), svg('circle', { className: 'emb-dot', attrs: { cx, cy, r: radius(point) } }));
    if (placement) {
      group.append(svg('text', { className: 'emb-label', text: mapLabel(point.word), attrs: { x: placement.x, y: placement.y, 'text-anchor': placement.anchor } }));
    }
    chart.append(group);
  }
  return chart;
}
