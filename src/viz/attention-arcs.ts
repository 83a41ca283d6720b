// Arc diagram: the chosen token's attention to each token before it, one arc per key,
// thicker and more opaque for a larger weight. Long prompts show a window of tokens around the
// query; the weight on tokens left of the window is summed into one "earlier" arc.
import { scaleLinear } from 'd3-scale';
import { svg } from './dom';
import { formatPercent } from './format';
import { tokenSegments, type ChipToken } from './token-chip';
import './attention-arcs.css';

export interface AttentionArcsInput {
  tokens: ChipToken[];
  query: number;
  /** Weights of the query over every key (length = tokens); keys after the query are masked. */
  weights: ArrayLike<number>;
  onSelect?: (index: number) => void;
}

export const ARC_WINDOW = 12;
const WIDTH = 1300;
const HEIGHT = 400;
const BASELINE = 290;
const MAX_ARC_HEIGHT = 230;
const LABELLED_ARCS = 3;
const EARLIER_SLOTS = 2.5; // the "…244 earlier" label needs more room than one token

/** Which tokens get a label: up to ARC_WINDOW, ending at the query when it can, and filling with later tokens otherwise. */
export function arcWindow(tokenCount: number, query: number): { start: number; end: number } {
  const start = Math.max(0, query - ARC_WINDOW + 1);
  const end = Math.min(tokenCount, Math.max(start + ARC_WINDOW, query + 1));
  return { start, end };
}

function truncate(text: string, maxChars: number): string {
  const chars = Array.from(text);
  return chars.length <= maxChars ? text : `${chars.slice(0, Math.max(1, maxChars - 1)).join('')}…`;
}

/** The token as SVG text, its whitespace marks in their own tspans so CSS can dim them. */
function tokenLabel(token: ChipToken, maxChars: number, x: number): SVGTextElement {
  const label = svg('text', { className: 'arc-token-text', attrs: { x, y: BASELINE + 44, 'text-anchor': 'middle' } });
  const segments = tokenSegments(token);
  let budget = maxChars;
  for (const segment of segments) {
    if (budget <= 0) break;
    const text = truncate(segment.text, budget);
    budget -= Array.from(text).length;
    label.append(segment.isMark ? svg('tspan', { className: 'token-mark', text }) : document.createTextNode(text));
  }
  return label;
}

function arcPath(fromX: number, toX: number): string {
  if (Math.abs(fromX - toX) < 1) {
    return `M${fromX - 14},${BASELINE} C${fromX - 50},${BASELINE - 110} ${fromX + 50},${BASELINE - 110} ${fromX + 14},${BASELINE}`;
  }
  const height = Math.min(MAX_ARC_HEIGHT, 50 + Math.abs(fromX - toX) * 0.45) / 0.75; // a cubic peaks at 3/4 of its control height
  return `M${fromX},${BASELINE} C${fromX},${BASELINE - height} ${toX},${BASELINE - height} ${toX},${BASELINE}`;
}

export function attentionArcs(input: AttentionArcsInput): SVGSVGElement {
  const { tokens, query, weights } = input;
  const { start, end } = arcWindow(tokens.length, query);
  const hasEarlier = start > 0;
  const earlierSlots = hasEarlier ? EARLIER_SLOTS : 0;
  const slotWidth = WIDTH / Math.max(1, earlierSlots + (end - start));
  const slotX = (index: number) => (earlierSlots + (index - start) + 0.5) * slotWidth;
  const earlierX = (earlierSlots * slotWidth) / 2;
  const maxChars = Math.max(3, Math.floor(slotWidth / 21));
  const strokeWidth = scaleLinear().domain([0, 1]).range([1.5, 28]).clamp(true);
  const opacity = scaleLinear().domain([0, 1]).range([0.15, 1]).clamp(true);

  const root = svg('svg', { className: 'attention-arcs', attrs: { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img' } });
  root.append(svg('title', { text: `Attention from token ${query + 1} to itself and the tokens before it` }));
  root.append(svg('line', { className: 'arc-baseline', attrs: { x1: 0, x2: WIDTH, y1: BASELINE, y2: BASELINE } }));

  // Arcs: the earlier-tokens sum first, then every key in the window up to the query.
  const arcs: { key: number | 'earlier'; x: number; weight: number }[] = [];
  if (hasEarlier) {
    let earlierWeight = 0;
    for (let key = 0; key < start; key++) earlierWeight += weights[key];
    arcs.push({ key: 'earlier', x: earlierX, weight: earlierWeight });
  }
  for (let key = start; key <= query && key < end; key++) arcs.push({ key, x: slotX(key), weight: weights[key] });
  const queryX = slotX(query);
  const arcLayer = svg('g', { className: 'arc-layer' });
  for (const arc of [...arcs].sort((a, b) => a.weight - b.weight)) {
    arcLayer.append(
      svg('path', {
        className: 'attention-arc',
        attrs: { d: arcPath(queryX, arc.x), 'stroke-width': strokeWidth(arc.weight), 'stroke-opacity': opacity(arc.weight), 'data-arc-key': arc.key },
      }),
    );
  }
  root.append(arcLayer);

  // The largest few weights get their number under their token (never on top of another arc's number).
  for (const arc of [...arcs].sort((a, b) => b.weight - a.weight).slice(0, LABELLED_ARCS)) {
    root.append(
      svg('text', {
        className: 'arc-weight-text',
        text: formatPercent(arc.weight),
        attrs: { x: arc.x, y: BASELINE + 92, 'text-anchor': 'middle' },
      }),
    );
  }

  if (hasEarlier) {
    root.append(
      svg('text', {
        className: 'arc-token-text arc-earlier',
        text: `…${start} earlier`,
        attrs: { x: earlierX, y: BASELINE + 44, 'text-anchor': 'middle' },
      }),
    );
  }
  for (let index = start; index < end; index++) {
    const x = slotX(index);
    const role = index === query ? 'arc-token-query' : index > query ? 'arc-token-future' : 'arc-token-key';
    const group = svg('g', { className: `arc-token ${role}`, attrs: { 'data-token-index': index } }, [
      svg('rect', { className: 'arc-token-hit', attrs: { x: x - slotWidth / 2 + 4, y: BASELINE + 6, width: slotWidth - 8, height: 60, rx: 8 } }),
      tokenLabel(tokens[index], maxChars, x),
    ]);
    if (input.onSelect) {
      const onSelect = input.onSelect;
      group.addEventListener('click', () => onSelect(index));
    }
    root.append(group);
  }
  return root;
}
