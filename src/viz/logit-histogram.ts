// A histogram of a whole logit vector as SVG: one bar per bin, counts on a symlog axis so that the
// handful of high-scoring tokens in the right tail stay visible next to bins of thousands.
import { scaleLinear, scaleSymlog } from 'd3-scale';
import type { HistogramBin } from '../maths/histogram';
import { svg } from './dom';
import './logit-histogram.css';

export interface LogitHistogramOptions {
  bins: HistogramBin[];
  /** Bins to draw in the highlight colour (e.g. those holding the top-k logits). */
  highlighted: Set<number>;
  /** A label above one bin (e.g. the top token), or null. */
  marker: { bin: number; text: string } | null;
  xTitle: string;
  yTitle: string;
}

const WIDTH = 620;
const HEIGHT = 260;
const MARGIN = { top: 44, right: 14, bottom: 62, left: 66 };

export function logitHistogram(options: LogitHistogramOptions): SVGSVGElement {
  const { bins } = options;
  const root = svg('svg', { className: 'logit-histogram', attrs: { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': options.xTitle } });
  if (bins.length === 0) return root;
  const plotBottom = HEIGHT - MARGIN.bottom;
  const x = scaleLinear()
    .domain([bins[0].start, bins[bins.length - 1].end === bins[0].start ? bins[0].start + 1 : bins[bins.length - 1].end])
    .range([MARGIN.left, WIDTH - MARGIN.right]);
  const largest = Math.max(1, ...bins.map((bin) => bin.count));
  const y = scaleSymlog().domain([0, largest]).range([plotBottom, MARGIN.top]);

  bins.forEach((bin, index) => {
    const left = x(bin.start);
    const width = Math.max(2, x(bin.end) - left - 1);
    const top = y(bin.count);
    root.append(
      svg('rect', {
        className: options.highlighted.has(index) ? 'histogram-bar histogram-bar-highlight' : 'histogram-bar',
        attrs: { x: left, y: top, width, height: Math.max(0, plotBottom - top), 'data-bin-start': bin.start, 'data-bin-end': bin.end, 'data-count': bin.count },
      }, [svg('title', { text: `${bin.count} tokens with logits from ${bin.start} to ${bin.end}` })]),
    );
  });

  root.append(svg('line', { className: 'histogram-axis', attrs: { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: plotBottom, y2: plotBottom } }));
  for (const tick of x.ticks(6)) {
    root.append(svg('text', { className: 'histogram-tick', text: String(tick), attrs: { x: x(tick), y: plotBottom + 24, 'text-anchor': 'middle' } }));
  }
  // Powers of ten up to the largest count: the symlog axis reads like a log axis.
  for (let tick = 1; tick <= largest; tick *= 10) {
    root.append(svg('text', { className: 'histogram-tick', text: String(tick), attrs: { x: MARGIN.left - 8, y: y(tick) + 6, 'text-anchor': 'end' } }));
  }
  root.append(
    svg('text', { className: 'histogram-title', text: options.xTitle, attrs: { x: (MARGIN.left + WIDTH - MARGIN.right) / 2, y: HEIGHT - 8, 'text-anchor': 'middle' } }),
    svg('text', { className: 'histogram-title', text: options.yTitle, attrs: { x: 4, y: 20 } }),
  );
  if (options.marker && bins[options.marker.bin]) {
    const bin = bins[options.marker.bin];
    const centre = (x(bin.start) + x(bin.end)) / 2;
    const anchor = centre > WIDTH * 0.7 ? 'end' : centre < WIDTH * 0.3 ? 'start' : 'middle';
    // Above the plot, with a leader line down to its bin, so the label never sits on the bars.
    const labelY = MARGIN.top - 10;
    root.append(
      svg('line', { className: 'histogram-leader', attrs: { x1: centre, x2: centre, y1: labelY + 6, y2: Math.max(labelY + 6, y(bin.count) - 3) } }),
      svg('text', { className: 'histogram-marker', text: options.marker.text, attrs: { x: centre, y: labelY, 'text-anchor': anchor } }),
    );
  }
  return root;
}
