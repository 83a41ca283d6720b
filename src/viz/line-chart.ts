// A small line/area chart as SVG (d3-scale for the axes, d3-shape for the paths): a few series over a
// shared x axis, with labelled vertical markers (e.g. "end of prompt", "context limit"). Text goes in as text nodes only.
import { scaleLinear } from 'd3-scale';
import { area, line } from 'd3-shape';
import { svg } from './dom';
import './line-chart.css';

export interface LineSeries {
  /** CSS class of the line (and of its area when `area` is set): the colour lives in the stylesheet. */
  className: string;
  points: [number, number][];
  area?: boolean;
  /** Extra attributes on the line's <path>, e.g. test hooks. */
  attrs?: Record<string, string | number>;
}

export interface ChartMarker {
  x: number;
  label: string;
  className?: string;
}

export interface LineChartOptions {
  width: number;
  height: number;
  xDomain: [number, number];
  yDomain: [number, number];
  series: LineSeries[];
  xLabel: string;
  yLabel: string;
  yTickFormat: (value: number) => string;
  markers?: ChartMarker[];
  ariaLabel: string;
  /** Draw a dot at each point when there are at most this many (so a 1-step run still shows). */
  dotsUpTo?: number;
}

const MARGIN = { top: 46, right: 18, bottom: 50, left: 96 };

export function lineChart(options: LineChartOptions): SVGSVGElement {
  const { width, height } = options;
  const root = svg('svg', { className: 'line-chart', attrs: { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': options.ariaLabel } });
  const [x0, x1] = options.xDomain;
  const x = scaleLinear()
    .domain([x0, x1 > x0 ? x1 : x0 + 1])
    .range([MARGIN.left, width - MARGIN.right]);
  const y = scaleLinear()
    .domain([options.yDomain[0], options.yDomain[1] > options.yDomain[0] ? options.yDomain[1] : options.yDomain[0] + 1])
    .nice(4)
    .range([height - MARGIN.bottom, MARGIN.top]);
  const bottom = height - MARGIN.bottom;
  const linePath = line<[number, number]>(([px]) => x(px), ([, py]) => y(py)).digits(1);
  const areaPath = area<[number, number]>(([px]) => x(px), bottom, ([, py]) => y(py)).digits(1);

  for (const tick of y.ticks(4)) {
    root.append(
      svg('line', { className: 'chart-grid', attrs: { x1: MARGIN.left, x2: width - MARGIN.right, y1: y(tick), y2: y(tick) } }),
      svg('text', { className: 'chart-tick', text: options.yTickFormat(tick), attrs: { x: MARGIN.left - 8, y: y(tick) + 6, 'text-anchor': 'end' } }),
    );
  }
  for (const tick of x.ticks(5).filter(Number.isInteger)) {
    root.append(svg('text', { className: 'chart-tick', text: String(tick), attrs: { x: x(tick), y: bottom + 24, 'text-anchor': 'middle' } }));
  }
  root.append(
    svg('line', { className: 'chart-axis', attrs: { x1: MARGIN.left, x2: width - MARGIN.right, y1: bottom, y2: bottom } }),
    svg('text', { className: 'chart-axis-label', text: options.xLabel, attrs: { x: (MARGIN.left + width - MARGIN.right) / 2, y: height - 4, 'text-anchor': 'middle' } }),
    svg('text', { className: 'chart-axis-label', text: options.yLabel, attrs: { x: 4, y: 20 } }),
  );

  for (const series of options.series) {
    const finite = series.points.filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py));
    if (finite.length === 0) continue;
    if (series.area) root.append(svg('path', { className: `chart-area ${series.className}`, attrs: { d: areaPath(finite) ?? '' } }));
    root.append(svg('path', { className: `chart-line ${series.className}`, attrs: { d: linePath(finite) ?? '', ...(series.attrs ?? {}) } }));
    if (finite.length <= (options.dotsUpTo ?? 0)) {
      for (const [px, py] of finite) root.append(svg('circle', { className: `chart-dot ${series.className}`, attrs: { cx: x(px), cy: y(py), r: 5 } }));
    }
  }

  (options.markers ?? []).forEach((marker, index) => {
    const mx = x(marker.x);
    const labelY = MARGIN.top + 10 + index * 24; // one row per marker, so close markers do not overprint
    const anchor = mx > width * 0.7 ? 'end' : 'start';
    root.append(
      svg('line', { className: `chart-marker ${marker.className ?? ''}`.trim(), attrs: { x1: mx, x2: mx, y1: MARGIN.top - 6, y2: bottom } }),
      svg('text', { className: 'chart-marker-label', text: marker.label, attrs: { x: mx + (anchor === 'end' ? -6 : 6), y: labelY, 'text-anchor': anchor } }),
    );
  });
  return root;
}
