// A matrix heatmap (SVG): the cells as one image (a pixel per cell, kept sharp by CSS) under one hatched region
// for the masked cells, labelled "masked". Only the selected row is drawn again as rects, over the image (clickable,
// with the test hooks). Up to RECT_LIMIT rows and columns every other cell keeps its hooks too, on elements that are
// never drawn (cellHooks). One rect per cell was 528 elements to make, style and lay out at 32 tokens, most of the
// attention slide's drawing time (npm run bench: the slide on screen is drawn for every new Trace).
import { rgb } from 'd3-color';
import { bmpDataUrl, type Rgb } from './bitmap';
import { svg } from './dom';
import './heatmap.css';

export interface HeatmapInput {
  rows: number;
  cols: number;
  value: (row: number, col: number) => number;
  /** Cells the model cannot use (the causal mask): drawn hatched instead of coloured. */
  isMasked: (row: number, col: number) => boolean;
  colour: (value: number) => string;
  /** Attribute names for the test hooks, e.g. "query", "key", "prob" -> data-query, data-key, data-prob. */
  rowAttribute: string;
  colAttribute: string;
  valueAttribute: string;
  /** Axis labels, drawn only when there is room (one per row/column). */
  rowLabels?: string[];
  colLabels?: string[];
  /** For the SVG's accessible title; the slide writes the visible axis captions. */
  rowTitle: string;
  colTitle: string;
  selectedRow?: number;
  onRowClick?: (row: number) => void;
}

const GRID_SIZE = 600; // viewBox units; CSS decides the size on screen
const LABEL_MARGIN = 170;
const EDGE_MARGIN = 8;
const RIGHT_LABEL_ROOM = 90; // the last slanted column labels reach past the grid
const MAX_LABELLED = 16;
/** Each heatmap has its own hatch pattern: with one shared id, url(#id) finds the first in the document, which may
 * be on a slide that is not displayed, and then nothing is painted (the multi-head slide's maps lost their hatching). */
const HATCH_ID_PREFIX = 'live-heatmap-hatch-';
let hatchCount = 0;
/** Up to this many rows and columns every cell has its hooks (data-* attributes); beyond, only the selected row's. */
export const RECT_LIMIT = 64;

function hatchPattern(id: string): SVGDefsElement {
  const pattern = svg('pattern', { attrs: { id, patternUnits: 'userSpaceOnUse', width: 10, height: 10 } }, [
    svg('rect', { className: 'heatmap-hatch-back', attrs: { width: 10, height: 10 } }),
    svg('path', { className: 'heatmap-hatch-line', attrs: { d: 'M-2,2 l4,-4 M0,10 l10,-10 M8,12 l4,-4' } }),
  ]);
  return svg('defs', {}, [pattern]);
}

/** One path for every run of masked cells that hold nothing (a masked cell with a value stays visible): cheap even at 256 x 256. */
function maskedRegion(input: HeatmapInput, cell: number, hatchId: string): { path: SVGPathElement; centre: [number, number] } | null {
  let d = '';
  let sumX = 0;
  let sumY = 0;
  let count = 0;
  for (let row = 0; row < input.rows; row++) {
    let runStart = -1;
    for (let col = 0; col <= input.cols; col++) {
      const masked = col < input.cols && input.isMasked(row, col) && input.value(row, col) === 0;
      if (masked) {
        if (runStart < 0) runStart = col;
        sumX += (col + 0.5) * cell;
        sumY += (row + 0.5) * cell;
        count++;
      } else if (runStart >= 0) {
        d += `M${runStart * cell},${row * cell}h${(col - runStart) * cell}v${cell}h${-(col - runStart) * cell}z`;
        runStart = -1;
      }
    }
  }
  if (count === 0) return null;
  const path = svg('path', { className: 'heatmap-masked', attrs: { d, fill: `url(#${hatchId})` } });
  return { path, centre: [sumX / count, sumY / count] };
}

export function heatmap(input: HeatmapInput): SVGSVGElement {
  const labelled = input.rows <= MAX_LABELLED && input.cols <= MAX_LABELLED && !!input.rowLabels && !!input.colLabels;
  const margin = labelled ? LABEL_MARGIN : EDGE_MARGIN;
  const cell = GRID_SIZE / Math.max(1, input.rows, input.cols);
  const width = margin + GRID_SIZE + (labelled ? RIGHT_LABEL_ROOM : EDGE_MARGIN);
  const height = margin + GRID_SIZE + EDGE_MARGIN;
  const root = svg('svg', { className: 'heatmap', attrs: { viewBox: `0 0 ${width} ${height}`, role: 'img' } });
  const hatchId = `${HATCH_ID_PREFIX}${++hatchCount}`;
  root.append(svg('title', { text: `Heatmap: ${input.rowTitle} (rows) by ${input.colTitle} (columns)` }), hatchPattern(hatchId));

  const grid = svg('g', { attrs: { transform: `translate(${margin},${margin})` } });
  const masked = maskedRegion(input, cell, hatchId);
  grid.append(cellImage(input, cell));
  if (masked) grid.append(masked.path); // over the image: the masked cells' pixels are never seen
  grid.append(cellRects(input, cell, (row) => row === input.selectedRow));
  if (input.rows <= RECT_LIMIT && input.cols <= RECT_LIMIT) grid.append(cellHooks(input, (row) => row !== input.selectedRow));

  if (masked && input.rows >= 3) {
    const fontSize = Math.min(48, GRID_SIZE / 8);
    grid.append(
      svg('text', {
        className: 'heatmap-masked-label',
        text: 'masked',
        attrs: { x: masked.centre[0], y: masked.centre[1], 'font-size': fontSize, 'text-anchor': 'middle', 'dominant-baseline': 'middle' },
      }),
    );
  }

  if (input.selectedRow !== undefined && input.selectedRow >= 0 && input.selectedRow < input.rows) {
    grid.append(
      svg('rect', {
        className: 'heatmap-selected-row',
        attrs: { x: 0, y: input.selectedRow * cell, width: input.cols * cell, height: cell },
      }),
    );
  }

  if (labelled) appendAxisLabels(grid, input, cell);
  root.append(grid);

  if (input.onRowClick) {
    const onRowClick = input.onRowClick;
    root.classList.add('heatmap-clickable');
    root.addEventListener('click', (event) => {
      // A cell of this heatmap (not an ancestor outside it that happens to carry the same hook).
      const found = event.target instanceof Element ? event.target.closest(`[data-${input.rowAttribute}]`) : null;
      const target = found && root.contains(found) ? found : null;
      const row = target ? Number(target.getAttribute(`data-${input.rowAttribute}`)) : rowAtPointer(grid, event, cell);
      if (row !== null && Number.isInteger(row) && row >= 0 && row < input.rows) onRowClick(row);
    });
  }
  return root;
}

/** The grid row under the pointer (the image has no per-cell elements to click), or null. */
function rowAtPointer(grid: SVGGElement, event: MouseEvent, cell: number): number | null {
  const toGrid = grid.getScreenCTM?.()?.inverse();
  if (!toGrid) return null;
  return Math.floor(new DOMPoint(event.clientX, event.clientY).matrixTransform(toGrid).y / cell);
}

/** One rect per cell of the rows `keep` accepts, each with its value in the test hooks. */
function cellRects(input: HeatmapInput, cell: number, keep: (row: number) => boolean): SVGGElement {
  const cells = svg('g', { className: 'heatmap-cells', attrs: { 'shape-rendering': 'crispEdges' } });
  for (let row = 0; row < input.rows; row++) {
    if (!keep(row)) continue;
    for (let col = 0; col < input.cols; col++) {
      const value = input.value(row, col);
      // A masked cell is drawn only if it holds something (it never should): nothing is hidden.
      if (input.isMasked(row, col) && value === 0) continue;
      cells.append(
        svg('rect', {
          className: 'heatmap-cell',
          attrs: {
            x: col * cell,
            y: row * cell,
            width: cell,
            height: cell,
            fill: input.colour(value),
            [`data-${input.rowAttribute}`]: row,
            [`data-${input.colAttribute}`]: col,
            [`data-${input.valueAttribute}`]: String(value),
          },
        }),
      );
    }
  }
  return cells;
}

const HOOK_ATTRIBUTE = /^[a-z][a-z0-9-]*$/;

/**
 * The hooks of the cells `keep` accepts (masked and empty ones left out, as in cellRects), never drawn: the image
 * shows these cells. One <data> element per cell in a hidden HTML block (in a foreignObject, so a click on a hook still
 * reaches the heatmap): unlike a display: none SVG group, whose children still get styles, nothing in a hidden
 * HTML block is styled or laid out. Written as markup in one go (3x faster than an element at a time: 0.3 ms for
 * 500 cells): the markup holds only numbers and the attribute names the code chose, never text from the prompt.
 */
function cellHooks(input: HeatmapInput, keep: (row: number) => boolean): SVGForeignObjectElement {
  const names = [input.rowAttribute, input.colAttribute, input.valueAttribute];
  if (!names.every((name) => HOOK_ATTRIBUTE.test(name))) throw new Error(`heatmap: hook names must be lowercase words: ${names.join(', ')}`);
  const [rowName, colName, valueName] = names.map((name) => `data-${name}`);
  const parts: string[] = [];
  for (let row = 0; row < input.rows; row++) {
    if (!keep(row)) continue;
    for (let col = 0; col < input.cols; col++) {
      const value = input.value(row, col);
      if (input.isMasked(row, col) && value === 0) continue;
      const text = String(Number(value)); // a number's own digits, whatever value() returned
      parts.push(`<data ${rowName}="${row}" ${colName}="${col}" ${valueName}="${text}" value="${text}"></data>`);
    }
  }
  const block = document.createElement('div');
  block.className = 'heatmap-cell-hooks';
  block.hidden = true;
  block.innerHTML = parts.join('');
  return svg('foreignObject', { attrs: { width: 0, height: 0 } }, [block]);
}

/** Every cell as one pixel of an image stretched over the grid (kept sharp by CSS). */
function cellImage(input: HeatmapInput, cell: number): SVGImageElement {
  const parsed = new Map<string, Rgb>(); // a scale gives few distinct colours (viridis: 256): each is parsed once
  const href = bmpDataUrl(input.cols, input.rows, (col, row) => {
    const colour = input.colour(input.value(row, col));
    let channels = parsed.get(colour);
    if (!channels) {
      const { r, g, b } = rgb(colour);
      channels = [r, g, b];
      parsed.set(colour, channels);
    }
    return channels;
  });
  return svg('image', {
    className: 'heatmap-image',
    attrs: { href, x: 0, y: 0, width: input.cols * cell, height: input.rows * cell, preserveAspectRatio: 'none', 'data-rows': input.rows, 'data-cols': input.cols },
  });
}

function appendAxisLabels(grid: SVGGElement, input: HeatmapInput, cell: number): void {
  const fontSize = Math.min(44, cell * 0.55);
  input.rowLabels?.forEach((label, row) => {
    grid.append(
      svg('text', {
        className: 'heatmap-axis-label',
        text: label,
        attrs: { x: -8, y: (row + 0.5) * cell, 'font-size': fontSize, 'text-anchor': 'end', 'dominant-baseline': 'middle' },
      }),
    );
  });
  input.colLabels?.forEach((label, col) => {
    const x = (col + 0.5) * cell;
    grid.append(
      svg('text', {
        className: 'heatmap-axis-label',
        text: label,
        attrs: { x: 0, y: 0, transform: `translate(${x},-8) rotate(-60)`, 'font-size': fontSize, 'dominant-baseline': 'middle' },
      }),
    );
  });
}
