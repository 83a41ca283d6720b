// Column chart of per-token losses as SVG: one column per predicted token, the worst one
// highlighted. Labels the columns with their tokens when there are few enough to read.
import { scaleLinear } from 'd3-scale';
import { svg } from './dom';
import { tokenDisplayText, type ChipToken } from './token-chip';
import './loss-columns.css';

export interface LossColumn {
  /** Index in the prompt of the token that was predicted. */
  position: number;
  token: ChipToken & { id: number };
  logProb: number;
}

const WIDTH = 1200;
const HEIGHT = 276;
const MARGIN = { top: 44, right: 10, bottom: 76, left: 62 };
/** Short prompts give few, wide slots: columns stay at most this wide, centred in their slot. */
const MAX_COLUMN_WIDTH = 110;
export const LABELLED_COLUMNS = 16;
/** Width of one label character in viewBox units (monospace at the CSS size of .loss-label). */
const LABEL_CHAR_WIDTH = 13;

function shortLabel(token: ChipToken, maxChars: number): string {
  const chars = Array.from(tokenDisplayText(token));
  return chars.length > maxChars ? `${chars.slice(0, maxChars - 1).join('')}…` : chars.join('');
}

/** At most five characters, to fit under a column: "32%", "0.41%", "7e-18". */
export function compactProbability(p: number): string {
  if (!(p > 0)) return '0';
  const percent = p * 100;
  if (percent >= 99.5) return '>99%';
  if (percent >= 0.1) return `${Number(percent.toPrecision(2))}%`;
  return p.toExponential(0);
}

export function lossColumns(columns: LossColumn[], highlighted: number): SVGSVGElement {
  const root = svg('svg', { className: 'loss-columns', attrs: { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': 'loss of each predicted token' } });
  const plotBottom = HEIGHT - MARGIN.bottom;
  const largest = Math.max(1e-9, ...columns.map((c) => -c.logProb).filter(Number.isFinite));
  const y = scaleLinear().domain([0, largest]).nice(4).range([plotBottom, MARGIN.top]);
  const slot = (WIDTH - MARGIN.left - MARGIN.right) / Math.max(1, columns.length);
  const gap = columns.length > 60 ? 0 : Math.min(8, slot * 0.15);
  const labelled = columns.length <= LABELLED_COLUMNS;

  for (const tick of y.ticks(4)) {
    root.append(
      svg('line', { className: 'loss-grid', attrs: { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(tick), y2: y(tick) } }),
      svg('text', { className: 'loss-tick', text: String(tick), attrs: { x: MARGIN.left - 8, y: y(tick) + 6, 'text-anchor': 'end' } }),
    );
  }
  root.append(svg('text', { className: 'loss-tick', text: 'loss (nats)', attrs: { x: 4, y: 18 } }));
  if (labelled) root.append(svg('text', { className: 'loss-prob', text: 'p', attrs: { x: MARGIN.left - 8, y: plotBottom + 52, 'text-anchor': 'end' } }));

  columns.forEach((column, index) => {
    const loss = -column.logProb;
    const top = Number.isFinite(loss) ? y(Math.max(0, loss)) : MARGIN.top;
    const columnWidth = Math.max(0.5, Math.min(MAX_COLUMN_WIDTH, slot - gap));
    const x = MARGIN.left + index * slot + (slot - columnWidth) / 2;
    const rect = svg('rect', {
      className: index === highlighted ? 'loss-bar loss-bar-worst' : 'loss-bar',
      attrs: {
        x,
        y: top,
        width: columnWidth,
        height: Math.max(0, plotBottom - top),
        'data-position': column.position,
        'data-token-id': column.token.id,
        'data-log-prob': column.logProb,
        'data-loss': loss,
        'data-prob': Math.exp(column.logProb),
      },
    });
    rect.append(svg('title', { text: `${tokenDisplayText(column.token)} (token ${column.position + 1}): loss ${loss.toFixed(2)}` }));
    root.append(rect);
    if (labelled) {
      const centre = x + columnWidth / 2;
      root.append(
        svg('text', { className: 'loss-value', text: loss.toFixed(1), attrs: { x: centre, y: top - 6, 'text-anchor': 'middle' } }),
        svg('text', { className: 'loss-label', text: shortLabel(column.token, Math.max(2, Math.floor(slot / LABEL_CHAR_WIDTH))), attrs: { x: centre, y: plotBottom + 26, 'text-anchor': 'middle' } }),
        svg('text', { className: 'loss-prob', text: compactProbability(Math.exp(column.logProb)), attrs: { x: centre, y: plotBottom + 52, 'text-anchor': 'middle' } }),
      );
    }
  });
  root.append(svg('line', { className: 'loss-axis', attrs: { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: plotBottom, y2: plotBottom } }));
  if (!labelled && columns.length > 0) {
    // Long prompts: the first and last predicted positions instead of every token.
    const first = columns[0].position + 1;
    const last = columns[columns.length - 1].position + 1;
    root.append(
      svg('text', { className: 'loss-label', text: `token ${first}`, attrs: { x: MARGIN.left, y: plotBottom + 26 } }),
      svg('text', { className: 'loss-label', text: `token ${last}`, attrs: { x: WIDTH - MARGIN.right, y: plotBottom + 26, 'text-anchor': 'end' } }),
    );
  }
  return root;
}
