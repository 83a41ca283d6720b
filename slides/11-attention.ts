// Slide: attention. For one token (the query), the weights it gives every earlier token in one
// layer and head, as arcs and as a list; and the whole [query x key] matrix of that head as a heatmap.
//
// View (kept by the deck, shared with the multi-head slide's overview): layer, head and query. The
// deck sends it to the speaker view's previews and the URL, so notes() quotes what is on screen.
// Each render mirrors it on the root as data-layer, data-head, data-query. Defaults: layer 0, head 0, the last token. A fixed start
// (rather than a "most readable" head picked per prompt) keeps the presenter's script and every
// handout page the same; the notes name this prompt's most focused head to click over to.
import { attentionArcs } from '../src/viz/attention-arcs';
import { attentionProbs, attentionRow, isCausallyMasked, keysByWeight, mostFocusedHead, type AttentionLookup } from '../src/viz/attention-matrix';
import { ATTENTION_LEGEND_TICKS, attentionColourScale } from '../src/viz/colour-scales';
import { html } from '../src/viz/dom';
import { formatPercent, plural, quoteToken } from '../src/viz/format';
import { heatmap } from '../src/viz/heatmap';
import { horizontalBars, type BarRow } from '../src/viz/horizontal-bars';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { tokenChip, tokenDisplayText } from '../src/viz/token-chip';
import type { Trace } from '../src/trace';
import type { SlideContext, SlideModule } from './slide';
import './11-attention.css';

export interface AttentionView {
  layer: number;
  head: number;
  /** The chosen token, or null to follow the last token of whatever prompt comes next. */
  query: number | null;
  /** The prompt the query was chosen for: a new prompt goes back to its last token. */
  queryPrompt: string | null;
}

const DEFAULT_VIEW: AttentionView = { layer: 0, head: 0, query: null, queryPrompt: null };
const VISIBLE_WEIGHT_ROWS = 6; // the CSS shows this many rows of the weights list
const HEATMAP_LABEL_CHARS = 6;

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, Math.trunc(Number.isFinite(value) ? value : low)));
}

interface Selection {
  layer: number;
  head: number;
  query: number;
  lookup: AttentionLookup;
}

/** The view, clamped to what this Trace has. */
function select(trace: Trace, view: AttentionView): Selection {
  const tokenCount = trace.tokens.length;
  const layer = clamp(view.layer, 0, Math.max(0, trace.model.nLayer - 1));
  const lookup = attentionProbs(trace, layer);
  const heads = lookup.ok ? lookup.heads : trace.model.nHead;
  const head = clamp(view.head, 0, Math.max(0, heads - 1));
  const followsLast = view.query === null || view.queryPrompt !== trace.prompt;
  const query = followsLast ? tokenCount - 1 : clamp(view.query ?? 0, 0, tokenCount - 1);
  return { layer, head, query, lookup };
}

function choiceButtons(label: string, count: number, chosen: number, onChoose: (value: number) => void): HTMLElement {
  const group = html('div', { className: 'live-choices', attrs: { role: 'group', 'aria-label': label } }, [html('span', { className: 'live-choices-label', text: label })]);
  for (let value = 0; value < count; value++) {
    const button = html('button', { className: 'live-choice', text: String(value), attrs: { type: 'button', 'aria-pressed': value === chosen } });
    button.addEventListener('click', () => onChoose(value));
    group.append(button);
  }
  return group;
}

function heatmapLegend(colour: (value: number) => string): HTMLElement {
  const legend = html('div', { className: 'heatmap-legend' });
  for (const tick of ATTENTION_LEGEND_TICKS) {
    const swatch = html('span', { className: 'legend-swatch' });
    swatch.style.backgroundColor = colour(tick);
    legend.append(html('span', { className: 'legend-item' }, [swatch, document.createTextNode(String(tick))]));
  }
  legend.append(html('span', { className: 'legend-item' }, [html('span', { className: 'legend-swatch legend-masked' }), document.createTextNode('masked')]));
  return legend;
}

function weightsList(trace: Trace, row: Float32Array, query: number): HTMLElement {
  const order = keysByWeight(row, query);
  // Rows past the visible ones are there for their hooks only (the CSS hides them): their label is plain text, not a chip.
  const rows: BarRow[] = order.map((key, rank) => ({
    label: rank < VISIBLE_WEIGHT_ROWS ? tokenChip(trace.tokens[key], { index: key, hint: `token ${key + 1}` }) : document.createTextNode(tokenDisplayText(trace.tokens[key])),
    value: row[key],
    valueText: formatPercent(row[key]),
    attrs: { 'data-key': String(key), 'data-attn-weight': String(row[key]) },
  }));
  const list = horizontalBars(rows);
  list.classList.add('attention-weights');
  const box = html('div', { className: 'attention-weights-box' }, [list]);
  if (order.length > VISIBLE_WEIGHT_ROWS) {
    let hiddenSum = 0;
    for (const key of order.slice(VISIBLE_WEIGHT_ROWS)) hiddenSum += row[key];
    box.append(html('p', { className: 'live-caption', text: `+ ${plural(order.length - VISIBLE_WEIGHT_ROWS, 'more token', 'more tokens')}: ${formatPercent(hiddenSum)} together` }));
  }
  return box;
}

function render(root: HTMLElement, context: SlideContext<AttentionView>): void {
  const trace = startLiveSlide(root, attention.title, context);
  if (!trace) return;
  if (trace.tokens.length === 0) {
    root.append(missingMessage('This Trace holds no tokens, so there is no attention to show.', ['tokens']));
    return;
  }
  if (trace.model.nLayer < 1) {
    root.append(missingMessage('This model reports no layers, so there is no attention to show.', []));
    return;
  }
  const { layer, head, query, lookup } = select(trace, context.view);
  root.dataset.layer = String(layer);
  root.dataset.head = String(head);
  root.dataset.query = String(query);
  const rerender = (change: Partial<AttentionView>) => context.setView(change);
  const chooseQuery = (index: number) => rerender({ query: index, queryPrompt: trace.prompt });

  const heads = lookup.ok ? lookup.heads : trace.model.nHead;
  root.append(
    html('div', { className: 'live-controls' }, [
      choiceButtons('Layer', trace.model.nLayer, layer, (value) => rerender({ layer: value })),
      choiceButtons('Head', heads, head, (value) => rerender({ head: value })),
    ]),
  );
  if (!lookup.ok) {
    root.append(missingMessage(lookup.problem, lookup.missing));
    return;
  }

  const row = attentionRow(lookup, head, query);
  let rowSum = 0;
  for (let key = 0; key < row.length; key++) rowSum += row[key];
  const lead = html('p', { className: 'live-lead attention-lead' }, [
    document.createTextNode('Token '),
    tokenChip(trace.tokens[query], { index: query }),
    // Rounded to 0.01%: float32 weights sum to 1 only up to rounding.
    document.createTextNode(` (${query + 1} of ${trace.tokens.length}) spreads ${formatPercent(Math.round(rowSum * 1e4) / 1e4)} of its attention over itself and earlier tokens.`),
  ]);
  const main = html('div', { className: 'attention-main' }, [
    attentionArcs({ tokens: trace.tokens, query, weights: row, onSelect: chooseQuery }),
    weightsList(trace, row, query),
  ]);
  root.append(lead, html('div', { className: 'attention-layout' }, [main, attentionHeatmap(trace, lookup, layer, head, query, chooseQuery)]));
}

function attentionHeatmap(
  trace: Trace,
  lookup: Extract<AttentionLookup, { ok: true }>,
  layer: number,
  head: number,
  query: number,
  chooseQuery: (index: number) => void,
): HTMLElement {
  const colour = attentionColourScale();
  const labels = trace.tokens.map((token) => {
    const chars = Array.from(tokenDisplayText(token));
    return chars.length > HEATMAP_LABEL_CHARS ? `${chars.slice(0, HEATMAP_LABEL_CHARS - 1).join('')}…` : chars.join('');
  });
  const matrix = heatmap({
    rows: lookup.queries,
    cols: lookup.keys,
    value: (q, k) => lookup.probs.data[(head * lookup.queries + q) * lookup.keys + k],
    isMasked: isCausallyMasked,
    colour: (value) => colour(value),
    rowAttribute: 'query',
    colAttribute: 'key',
    valueAttribute: 'prob',
    rowLabels: labels,
    colLabels: labels,
    rowTitle: 'query: the token looking',
    colTitle: 'key: the token looked at',
    selectedRow: query,
    onRowClick: chooseQuery,
  });
  return html('figure', { className: 'heatmap-figure' }, [
    matrix,
    html('figcaption', { className: 'live-caption', text: `Layer ${layer}, head ${head}. Row: the token looking; column: the one looked at. Click to pick a token.` }),
    heatmapLegend((value) => colour(value)),
  ]);
}

function notes(context: SlideContext<AttentionView>): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  if (trace.tokens.length === 0 || trace.model.nLayer < 1) return 'This Trace has no tokens or no layers: nothing to say about attention.';
  const { layer, head, query, lookup } = select(trace, context.view);
  if (!lookup.ok) return lookup.problem;
  const row = attentionRow(lookup, head, query);
  const top = keysByWeight(row, query).slice(0, 3);
  const describe = (key: number) => `${quoteToken(trace.tokens[key].text)} (token ${key + 1}) ${formatPercent(row[key])}`;
  const lines = [
    `Layer ${layer}, head ${head}. Token ${quoteToken(trace.tokens[query].text)} (${query + 1} of ${trace.tokens.length}) looks most at ${describe(top[0])}` +
      (top.length > 1 ? `, then ${top.slice(1).map(describe).join(', ')}.` : '.'),
    'Each heatmap row sums to 100%; cells right of the diagonal are masked: a token cannot see the tokens after it.',
  ];
  const focused = mostFocusedHead(trace, query);
  if (focused) {
    lines.push(`Most focused head for this token: layer ${focused.layer}, head ${focused.head}, ${formatPercent(focused.weight)} on ${quoteToken(trace.tokens[focused.key].text)} (token ${focused.key + 1}).`);
  }
  return lines.join('\n');
}

const attention = {
  id: 'attention',
  title: 'Attention: where each token looks',
  defaultView: DEFAULT_VIEW,
  render,
  notes,
} satisfies SlideModule<AttentionView>;

export default attention;
