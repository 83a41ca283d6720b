// Boxes and arrows in SVG for process diagrams (fine-tuning stages). Arrowheads are drawn as
// polygons rather than <marker>s, so two copies of a slide in one document never share an id.
import { svg } from './dom';
import './stage-diagram.css';

export interface StageBox {
  x: number;
  y: number;
  width: number;
  height: number;
  title: string;
  lines: string[];
  className?: string;
  attrs?: Record<string, string>;
}

const TITLE_SIZE = 24;
const LINE_HEIGHT = 25;

export function stageBox(box: StageBox): SVGGElement {
  const group = svg('g', { className: `stage ${box.className ?? ''}`.trim(), attrs: box.attrs });
  group.append(
    svg('rect', { className: 'stage-box', attrs: { x: box.x, y: box.y, width: box.width, height: box.height, rx: 12 } }),
    svg('text', { className: 'stage-title', text: box.title, attrs: { x: box.x + box.width / 2, y: box.y + 14 + TITLE_SIZE, 'text-anchor': 'middle' } }),
  );
  box.lines.forEach((line, index) => {
    group.append(svg('text', { className: 'stage-line', text: line, attrs: { x: box.x + box.width / 2, y: box.y + 24 + TITLE_SIZE + (index + 1) * LINE_HEIGHT, 'text-anchor': 'middle' } }));
  });
  return group;
}

/** A straight arrow from (x1, y1) to (x2, y2) with a filled head, optionally labelled at its middle. */
export function arrow(x1: number, y1: number, x2: number, y2: number, label?: string, className = ''): SVGGElement {
  const group = svg('g', { className: `stage-arrow ${className}`.trim() });
  const angle = Math.atan2(y2 - y1, x2 - x1);
  const head = 14;
  const spread = 0.45;
  const baseX = x2 - head * Math.cos(angle);
  const baseY = y2 - head * Math.sin(angle);
  const points = [
    [x2, y2],
    [x2 - head * Math.cos(angle - spread), y2 - head * Math.sin(angle - spread)],
    [x2 - head * Math.cos(angle + spread), y2 - head * Math.sin(angle + spread)],
  ]
    .map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`)
    .join(' ');
  group.append(svg('line', { className: 'stage-arrow-line', attrs: { x1, y1, x2: baseX, y2: baseY } }), svg('polygon', { className: 'stage-arrow-head', attrs: { points } }));
  if (label) group.append(svg('text', { className: 'stage-arrow-label', text: label, attrs: { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 10, 'text-anchor': 'middle' } }));
  return group;
}
