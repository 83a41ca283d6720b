// Slide: multi-head attention. Every head of one layer as a heatmap side by side (the causal mask
// hatched), and an overview of layer × head (all of them for a small model; up to 4 layers spread
// evenly (3 with more than 4 heads) and the first 8 heads for a large one): a small heatmap and what the head mostly does, read
// from its attention weights (src/maths/attention-patterns.ts).
//
// Long prompts: matrices larger than MAX_CELLS (heads) or MINI_CELLS (overview) are pooled into
// blocks of tokens (each block: the mean, over its queries, of the weight they give its keys); the
// caption says so.
//
// View: the attention slide's layer and head (one view the deck keeps for both, viewId 'attention'):
// clicking an overview cell selects that layer and head here and there, so the presenter can jump
// there to look closer.
//
// Test hooks:
//   root: data-layer, data-head
//   figure.tb-head[data-head]: data-pattern (previous/first/self/focused/spread), data-share,
//     data-entropy (mean attention entropy in bits over the queries), data-block-size (1: not pooled)
//   unpooled heatmap cells: data-query, data-key, data-prob (the Trace's attn.probs);
//   pooled cells: data-qblock, data-kblock, data-share
//   .tb-overview-cell: data-layer, data-head, data-pattern, data-share, data-entropy (.ko-off: knocked out)
//   figure.tb-head button.ko-toggle[data-part="L.H"]: switches that head off for the whole deck (src/viz/knock-out-controls.ts)
import { layerOutput } from '../src/trace/output-names';
import { headPattern, isPooledBlockMasked, poolAttention, type HeadPattern } from '../src/maths/attention-patterns';
import { spreadIndices } from '../src/maths/spread-indices';
import { clampIndex, numberChoices } from '../src/viz/block-controls';
import { formatValue } from '../src/viz/block-number-format';
import { lookupTensors } from '../src/viz/block-tensors';
import { attentionColourScale } from '../src/viz/colour-scales';
import { html } from '../src/viz/dom';
import { formatPercent, plural } from '../src/viz/format';
import { heatmap } from '../src/viz/heatmap';
import { knockOutOfText, knockOutSentence, knockOutStatus, knockOutToggle } from '../src/viz/knock-out-controls';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import type { Trace, TraceTensor } from '../src/trace';
import type { SlideContext, SlideModule } from './slide';
import './14-multi-head.css';

export interface MultiHeadView {
  layer: number;
  head: number;
  /** The deck's knock-out ("2.3,mlp1"; view-store.ts's deck field): a head's "switch off" button sets it. */
  ablate: string;
}

const DEFAULT_VIEW: MultiHeadView = { layer: 0, head: 0, ablate: '' };

/** Rows and columns a head's heatmap shows before pooling: more would be sub-pixel on the projector. */
export const MAX_CELLS = 48;
/** The overview's small heatmaps. */
export const MINI_CELLS = 12;
/**
 * The overview has room for this many layers (spread evenly, the last included) and heads (the first
 * ones); with more than 4 heads its cells are narrower, their labels wrap, and only 3 layers fit.
 */
export const OVERVIEW_LAYERS = 4;
export const OVERVIEW_LAYERS_WIDE = 3;
export const OVERVIEW_HEADS = 8;
/** The left panel's room for one layer's heads, in CSS pixels (14-multi-head.css caps a map at 190). */
const HEADS_PANEL = { width: 540, height: 480, caption: 44, maxMap: 190 };

/** The fewest columns that fit every head's map and caption in the panel (maps are square). */
export function headColumns(heads: number): number {
  for (let columns = 1; columns < heads; columns++) {
    const rows = Math.ceil(heads / columns);
    const map = Math.min(HEADS_PANEL.width / columns, HEADS_PANEL.maxMap);
    if (rows * (map + HEADS_PANEL.caption) <= HEADS_PANEL.height) return columns;
  }
  return Math.max(1, heads);
}

const PATTERN_WORDS: Record<HeadPattern['kind'], string> = {
  previous: 'previous token',
  first: 'first token',
  self: 'itself',
  focused: 'one token each',
  spread: 'spread out',
};

/** "previous token 81%", "spread out 2.3 bits": what the overview cell says. */
export function patternLabel(pattern: HeadPattern): string {
  if (pattern.kind === 'spread') return `spread out · ${formatValue(pattern.meanEntropyBits)} bits`;
  return `${PATTERN_WORDS[pattern.kind]} ${formatPercent(pattern.share)}`;
}

function layerProbs(trace: Trace, layer: number): { ok: true; probs: TraceTensor } | { ok: false; missing: string[]; problem: string } {
  const n = trace.tokens.length;
  const name = layerOutput(layer, 'attn.probs');
  const lookup = lookupTensors(trace, [{ name, shape: [null, n, n] }], `the heads of layer ${layer}`);
  if (!lookup.ok) return lookup;
  const probs = lookup.tensors[name];
  if (probs.shape[0] < 1) return { ok: false, missing: [], problem: `${name} has no heads.` };
  return { ok: true, probs };
}

function headHeatmap(probs: TraceTensor, head: number, n: number, maxCells: number, onClick?: () => void): { element: SVGSVGElement; blockSize: number } {
  const colour = attentionColourScale();
  const onRowClick = onClick ? () => onClick() : undefined;
  if (n <= maxCells) {
    const element = heatmap({
      rows: n,
      cols: n,
      value: (q, k) => probs.data[(head * n + q) * n + k],
      isMasked: (q, k) => k > q,
      colour: (value) => colour(value),
      rowAttribute: 'query',
      colAttribute: 'key',
      valueAttribute: 'prob',
      rowTitle: 'query',
      colTitle: 'key',
      onRowClick,
    });
    return { element, blockSize: 1 };
  }
  const pooled = poolAttention(probs.data, head, n, maxCells);
  const element = heatmap({
    rows: pooled.size,
    cols: pooled.size,
    value: (row, col) => pooled.values[row * pooled.size + col],
    isMasked: isPooledBlockMasked,
    colour: (value) => colour(value),
    rowAttribute: 'qblock',
    colAttribute: 'kblock',
    valueAttribute: 'share',
    rowTitle: `queries, in blocks of ${pooled.blockSize}`,
    colTitle: `keys, in blocks of ${pooled.blockSize}`,
    onRowClick,
  });
  return { element, blockSize: pooled.blockSize };
}

function render(root: HTMLElement, context: SlideContext<MultiHeadView>): void {
  const trace = startLiveSlide(root, multiHead.title, context);
  if (!trace) return;
  const n = trace.tokens.length;
  if (n === 0 || trace.model.nLayer < 1) {
    root.append(missingMessage('This Trace has no tokens or no layers, so there are no heads to show.', n === 0 ? ['tokens'] : []));
    return;
  }
  const layer = clampIndex(context.view.layer, 0, trace.model.nLayer - 1);
  const chosen = layerProbs(trace, layer);
  const heads = chosen.ok ? chosen.probs.shape[0] : trace.model.nHead;
  const head = clampIndex(context.view.head, 0, Math.max(0, heads - 1));
  root.dataset.layer = String(layer);
  root.dataset.head = String(head);
  // Both fields, so the attention slide (which shares this view) shows exactly the head picked here.
  const choose = (change: Partial<MultiHeadView>) => context.setView({ layer, head, ...change });
  const setAblate = (ablate: string) => context.setView({ ablate });
  root.append(
    html('div', { className: 'live-controls' }, [numberChoices('Layer', trace.model.nLayer, layer, (value) => choose({ layer: value }))]),
    // Under a knock-out, what is switched off (and its effect) takes the lead's place.
    knockOutStatus(trace, context.view.ablate, setAblate) ??
      html('p', {
        className: 'live-lead',
        text: `${plural(heads, 'head')} side by side, each with its own q, k and v; their outputs join back into ${trace.model.nEmbd} numbers.`,
      }),
  );
  if (!chosen.ok) {
    root.append(missingMessage(chosen.problem, chosen.missing));
    return;
  }

  const headsBox = html('div', { className: 'tb-heads' });
  const columns = headColumns(heads);
  headsBox.style.setProperty('--tb-head-columns', String(columns));
  if (columns > 4) headsBox.classList.add('tb-heads-dense'); // many small maps: smaller captions
  let blockSize = 1;
  for (let h = 0; h < heads; h++) {
    const pattern = headPattern(chosen.probs.data, h, n);
    const map = headHeatmap(chosen.probs, h, n, MAX_CELLS, () => choose({ head: h }));
    blockSize = map.blockSize;
    const toggle = knockOutToggle(context.view.ablate, { kind: 'head', layer, head: h }, heads, setAblate);
    const figure = html('figure', { className: `tb-head${h === head ? ' tb-head-selected' : ''}${toggle.getAttribute('aria-pressed') === 'true' ? ' ko-off' : ''}` }, [
      map.element,
      html('figcaption', { className: 'tb-head-caption', text: `Head ${h}: ${patternLabel(pattern)}` }),
      toggle, // over the map's masked top-right corner (src/viz/knock-out-controls.css)
    ]);
    figure.dataset.head = String(h);
    figure.dataset.pattern = pattern.kind;
    figure.dataset.share = String(pattern.share);
    figure.dataset.entropy = String(pattern.meanEntropyBits);
    figure.dataset.blockSize = String(map.blockSize);
    headsBox.append(figure);
  }
  const headsCaption =
    `Layer ${layer}. Rows: tokens looking; columns: looked at; hatched: masked.` +
    (blockSize > 1 ? ` Each cell pools ${blockSize} × ${blockSize} tokens.` : '');
  root.append(
    html('div', { className: 'tb-multihead-layout' }, [
      html('div', {}, [headsBox, html('p', { className: 'live-caption', text: headsCaption })]),
      overview(trace, layer, head, choose, context.view.ablate),
    ]),
  );
}

function overview(trace: Trace, selectedLayer: number, selectedHead: number, choose: (change: Partial<MultiHeadView>) => void, ablate: string): HTMLElement {
  const knockedOut = knockOutOfText(ablate)?.heads ?? [];
  const n = trace.tokens.length;
  // The top layer first, as in the tower.
  const heads = Math.min(trace.model.nHead, OVERVIEW_HEADS);
  const layers = spreadIndices(trace.model.nLayer, heads > 4 ? OVERVIEW_LAYERS_WIDE : OVERVIEW_LAYERS).reverse();
  const grid = html('div', { className: 'tb-overview', attrs: { role: 'group', 'aria-label': 'Layers and heads' } });
  grid.style.setProperty('--tb-overview-columns', String(Math.max(1, heads)));
  for (const layer of layers) {
    const lookup = layerProbs(trace, layer);
    grid.append(html('div', { className: 'tb-overview-layer', text: `L${layer}` }));
    for (let head = 0; head < heads; head++) {
      if (!lookup.ok || head >= lookup.probs.shape[0]) {
        grid.append(html('div', { className: 'tb-overview-cell tb-overview-missing', text: 'missing' }));
        continue;
      }
      const pattern = headPattern(lookup.probs.data, head, n);
      const cell = html('button', {
        className: `tb-overview-cell${layer === selectedLayer && head === selectedHead ? ' tb-overview-selected' : ''}${knockedOut.some((h) => h.layer === layer && h.head === head) ? ' ko-off' : ''}`,
        attrs: { type: 'button', 'aria-label': `Layer ${layer}, head ${head}: ${patternLabel(pattern)}` },
      });
      const mini = headHeatmap(lookup.probs, head, n, MINI_CELLS).element;
      mini.classList.add('tb-mini');
      cell.append(mini, html('span', { className: 'tb-overview-label', text: patternLabel(pattern) }));
      cell.dataset.layer = String(layer);
      cell.dataset.head = String(head);
      cell.dataset.pattern = pattern.kind;
      cell.dataset.share = String(pattern.share);
      cell.dataset.entropy = String(pattern.meanEntropyBits);
      cell.addEventListener('click', () => choose({ layer, head }));
      grid.append(cell);
    }
  }
  const header = html('div', { className: 'tb-overview-header' }, [html('span')]);
  for (let head = 0; head < heads; head++) header.append(html('span', { text: `head ${head}` }));
  header.style.setProperty('--tb-overview-columns', String(Math.max(1, heads)));
  const allLayers = layers.length === trace.model.nLayer;
  const allHeads = heads === trace.model.nHead;
  const all = allLayers && allHeads;
  const shownParts = [
    ...(allLayers ? [] : [`${plural(layers.length, 'layer')} of ${trace.model.nLayer} (evenly spread)`]),
    ...(allHeads ? [] : [`heads 0–${heads - 1} of ${trace.model.nHead}`]),
  ];
  const shown = all ? '' : ` Shown: ${shownParts.join(', ')}.`;
  return html('div', { className: 'tb-overview-box' }, [
    html('p', { className: 'tb-overview-title', text: all ? 'Every layer × head: what each mostly attends to' : 'Layers × heads: what each mostly attends to' }),
    header,
    grid,
    html('p', { className: 'live-caption', text: `Measured over tokens 3 onwards. Click a cell to choose it.${shown}` }),
  ]);
}

function notes(context: SlideContext<MultiHeadView>): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  const n = trace.tokens.length;
  if (n === 0 || trace.model.nLayer < 1) return 'This Trace has no tokens or no layers: no heads to talk about.';
  const layer = clampIndex(context.view.layer, 0, trace.model.nLayer - 1);
  const lookup = layerProbs(trace, layer);
  if (!lookup.ok) return lookup.problem;
  const lines = [`Layer ${layer} has ${plural(lookup.probs.shape[0], 'head')}, for ${plural(n, 'token')}:`];
  for (let head = 0; head < lookup.probs.shape[0]; head++) {
    const pattern = headPattern(lookup.probs.data, head, n);
    lines.push(`  head ${head}: ${patternLabel(pattern)}; mean entropy ${formatValue(pattern.meanEntropyBits)} bits.`);
  }
  lines.push('Nobody told a head what to look for: these patterns were learned. Click a cell in the overview for another layer.');
  const knockedOut = knockOutSentence(trace); // the deck's knock-out: what is off and what it did
  if (knockedOut) lines.push(`${knockedOut} "Switch all back on" restores the whole model.`);
  lines.push('Large models run 32 or more heads per layer: that is other models\' number, not this one\'s.');
  return lines.join('\n');
}

const multiHead = {
  id: 'multi-head',
  title: 'Multi-head attention: many heads, many patterns',
  defaultView: DEFAULT_VIEW,
  viewId: 'attention', // the attention slide's layer and head
  render,
  notes,
} satisfies SlideModule<MultiHeadView>;

export default multiHead;
