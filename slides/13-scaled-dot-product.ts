// Slide: scaled dot-product attention, step by step, with the real numbers of one query token, layer
// and head. Reveal fragments unfold the steps: (1) q·k for each key, (2) divided by sqrt(d_k),
// (3) the causal mask, (4) softmax, (5) the weighted sum of the values.
//
// q·k and Σ p_j v_j are recomputed here (src/maths/attention-maths.ts) from the Trace's q, k, v and
// probs, and checked against the model's own attn.scores and attn.context; the slide says how close.
// Long prompts: the table shows the last WINDOW keys the query can see, plus a few masked ones after it.
//
// View (kept by the deck): layer, head, token. The default token is the middle one, not the last: the last token
// sees every key, so its mask step would have nothing to hide.
//
// Test hooks:
//   root: data-layer, data-head, data-query
//   .tb-sdp-table: data-window-start (first key shown), data-visible-keys (query + 1)
//   tr.tb-sdp-key: data-key, data-dot (q·k computed here), data-score (attn.scores), data-masked
//     ("true"/"false"), data-masked-score (attn.masked_scores, only when not masked), data-prob (attn.probs)
//   .tb-sdp-sum: data-prob-sum (Σ probs over all visible keys); .tb-sdp-check: data-max-score-difference
//     (largest |q·k/sqrt(d_k) - attn.scores| over the visible keys), data-sqrt-head-dim
//   tr.tb-sdp-context: data-dim, data-weighted-sum (Σ p_j v_j computed here), data-context (attn.context)
import { layerOutput } from '../src/trace/output-names';
import { isMaskedScore, maxAbsDifference, rawDotProducts, rowSum, weightedValueSum } from '../src/maths/attention-maths';
import { chosenToken, clampIndex, numberChoices, tokenStepper, type TokenChoice } from '../src/viz/block-controls';
import { formatTiny, formatValue } from '../src/viz/block-number-format';
import { lookupTensors } from '../src/viz/block-tensors';
import { html } from '../src/viz/dom';
import { formatPercent, plural, quoteToken } from '../src/viz/format';
import { formula } from '../src/viz/formula';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { tokenChip } from '../src/viz/token-chip';
import { tensorRow, type Trace, type TraceTensor } from '../src/trace';
import type { SlideContext, SlideModule } from './slide';
import './13-scaled-dot-product.css';

export interface ScaledDotProductView extends TokenChoice {
  layer: number;
  head: number;
}

const DEFAULT_VIEW: ScaledDotProductView = { layer: 0, head: 0, token: null, tokenPrompt: null };

/** Visible keys shown in the table (the last ones up to the query). */
export const WINDOW = 5;
/** Masked keys after the query shown as rows; the rest are counted. */
export const MASKED_ROWS = 1;
/** Dimensions of the weighted sum shown in step 5. */
const CONTEXT_DIMS = 4;

export function defaultQuery(tokenCount: number): number {
  return Math.floor((tokenCount - 1) / 2);
}

interface Selection {
  layer: number;
  head: number;
  query: number;
}

function select(trace: Trace, view: ScaledDotProductView): Selection {
  return {
    layer: clampIndex(view.layer, 0, Math.max(0, trace.model.nLayer - 1)),
    head: clampIndex(view.head, 0, Math.max(0, trace.model.nHead - 1)),
    query: chosenToken(view, trace, defaultQuery(trace.tokens.length)),
  };
}

export interface AttentionSteps {
  headDim: number;
  /** q·k for every key 0..n-1 (masked ones too: the mask comes after). */
  dots: Float64Array;
  scores: Float32Array;
  maskedScores: Float32Array;
  probs: Float32Array;
  values: Float32Array;
  context: Float32Array;
  /** Largest |q·k / sqrt(d_k) - attn.scores| over the visible keys. */
  maxScoreDifference: number;
  probSum: number;
  dims: number[];
  weightedSums: Float64Array;
}

function computeSteps(trace: Trace, { layer, head, query }: Selection): { ok: true; steps: AttentionSteps } | { ok: false; missing: string[]; problem: string } {
  const n = trace.tokens.length;
  const m = trace.model;
  const name = (kind: Parameters<typeof layerOutput>[1]) => layerOutput(layer, kind);
  const vectorShape = [m.nHead, n, m.headDim];
  const matrixShape = [m.nHead, n, n];
  const lookup = lookupTensors(
    trace,
    [
      { name: name('attn.q'), shape: vectorShape },
      { name: name('attn.k'), shape: vectorShape },
      { name: name('attn.v'), shape: vectorShape },
      { name: name('attn.scores'), shape: matrixShape },
      { name: name('attn.masked_scores'), shape: matrixShape },
      { name: name('attn.probs'), shape: matrixShape },
      { name: name('attn.context'), shape: vectorShape },
    ],
    `scaled dot-product attention in layer ${layer}`,
  );
  if (!lookup.ok) return lookup;
  const t = (kind: Parameters<typeof layerOutput>[1]): TraceTensor => lookup.tensors[name(kind)];
  const headDim = m.headDim;
  const dots = rawDotProducts(tensorRow(t('attn.q'), head, query), tensorRow(t('attn.k'), head), n, headDim);
  const scores = tensorRow(t('attn.scores'), head, query);
  const scale = Math.sqrt(headDim);
  const visible = query + 1;
  const probs = tensorRow(t('attn.probs'), head, query);
  const values = tensorRow(t('attn.v'), head);
  const dims = Array.from({ length: Math.min(CONTEXT_DIMS, headDim) }, (_, dim) => dim);
  return {
    ok: true,
    steps: {
      headDim,
      dots,
      scores,
      maskedScores: tensorRow(t('attn.masked_scores'), head, query),
      probs,
      values,
      context: tensorRow(t('attn.context'), head, query),
      maxScoreDifference: maxAbsDifference(dots.subarray(0, visible).map((dot) => dot / scale), scores.subarray(0, visible)),
      probSum: rowSum(probs, visible),
      dims,
      weightedSums: weightedValueSum(probs, values, visible, headDim, dims),
    },
  };
}

/** A cell that appears with step `step` (Reveal fragment). */
function stepCell(tag: 'td' | 'th', step: number, text: string, className = ''): HTMLTableCellElement {
  return html(tag, { className: `fragment ${className}`.trim(), text, attrs: { 'data-fragment-index': step } });
}

function keyRow(trace: Trace, steps: AttentionSteps, key: number, query: number): HTMLTableRowElement {
  const masked = key > query || isMaskedScore(steps.maskedScores[key]);
  const row = html('tr', { className: `tb-sdp-key${masked ? ' tb-sdp-masked' : ''}${key === query ? ' tb-sdp-self' : ''}` }, [
    html('td', { className: 'tb-sdp-token' }, [tokenChip(trace.tokens[key], { index: key, hint: `token ${key + 1}` })]),
    stepCell('td', 1, formatValue(steps.dots[key])),
    stepCell('td', 2, formatValue(steps.scores[key])),
    stepCell('td', 3, masked ? '−∞' : formatValue(steps.maskedScores[key]), masked ? 'tb-sdp-minus-infinity' : ''),
    stepCell('td', 4, masked ? '0' : formatPercent(steps.probs[key])),
  ]);
  row.dataset.key = String(key);
  row.dataset.dot = String(steps.dots[key]);
  row.dataset.score = String(steps.scores[key]);
  row.dataset.masked = String(masked);
  if (!masked) row.dataset.maskedScore = String(steps.maskedScores[key]);
  row.dataset.prob = String(steps.probs[key]);
  return row;
}

function noteRow(keyText: string, cells: [number, string][]): HTMLTableRowElement {
  const row = html('tr', { className: 'tb-sdp-note' }, [html('td', { className: 'tb-sdp-note-text', text: keyText })]);
  for (let step = 1; step <= 4; step++) {
    const cell = cells.find(([index]) => index === step);
    row.append(cell ? stepCell('td', step, cell[1]) : html('td'));
  }
  return row;
}

function stepsTable(trace: Trace, steps: AttentionSteps, query: number): HTMLTableElement {
  const n = trace.tokens.length;
  const windowStart = Math.max(0, query - WINDOW + 1);
  const maskedEnd = Math.min(n - 1, query + MASKED_ROWS);
  const scale = Math.sqrt(steps.headDim);
  const table = html('table', { className: 'tb-sdp-table' });
  table.dataset.windowStart = String(windowStart);
  table.dataset.visibleKeys = String(query + 1);
  table.append(
    html('thead', {}, [
      html('tr', {}, [
        html('th', { text: 'key' }),
        stepCell('th', 1, '1 · q·k'),
        stepCell('th', 2, `2 · ÷ ${formatValue(scale)}`),
        stepCell('th', 3, '3 · mask'),
        stepCell('th', 4, '4 · softmax'),
      ]),
    ]),
  );
  const body = html('tbody');
  if (windowStart > 0) {
    let earlier = 0;
    for (let key = 0; key < windowStart; key++) earlier += steps.probs[key];
    body.append(noteRow(`… ${plural(windowStart, 'earlier key')} not shown`, [[4, `${formatPercent(earlier)} together`]]));
  }
  for (let key = windowStart; key <= maskedEnd; key++) body.append(keyRow(trace, steps, key, query));
  if (n - 1 > maskedEnd) body.append(noteRow(`… ${plural(n - 1 - maskedEnd, 'more later key')}`, [[3, 'all −∞'], [4, 'all 0']]));
  const sum = noteRow(`sum over ${plural(query + 1, 'visible key')}`, [[4, steps.probSum.toFixed(4)]]);
  sum.classList.add('tb-sdp-sum');
  sum.dataset.probSum = String(steps.probSum);
  body.append(sum);
  table.append(body);
  return table;
}

function stepText(step: number, text: string, className = ''): HTMLElement {
  return html('li', { className: `fragment tb-sdp-step ${className}`.trim(), text, attrs: { 'data-fragment-index': step } });
}

function weightedSumBox(steps: AttentionSteps, query: number): HTMLElement {
  const rows = steps.dims.map((dim, index) => {
    const row = html('tr', { className: 'tb-sdp-context' }, [
      html('td', { text: String(dim) }),
      html('td', { text: formatValue(steps.weightedSums[index]) }),
      html('td', { text: formatValue(steps.context[dim]) }),
    ]);
    row.dataset.dim = String(dim);
    row.dataset.weightedSum = String(steps.weightedSums[index]);
    row.dataset.context = String(steps.context[dim]);
    return row;
  });
  const table = html('table', { className: 'tb-sdp-context-table' }, [
    html('thead', {}, [html('tr', {}, [html('th', { text: 'dim' }), html('th', { text: 'Σ p·v here' }), html('th', { text: "model's output" })])]),
    html('tbody', {}, rows),
  ]);
  // Under the table, the whole width: its title and formula beside its rows (the dimensions shown are in the title).
  return html('div', { className: 'fragment tb-sdp-weighted', attrs: { 'data-fragment-index': 5 } }, [
    html('div', { className: 'tb-sdp-weighted-head' }, [
      html('p', { className: 'tb-sdp-step-title', text: `5 · weighted sum of the ${plural(query + 1, 'value vector')} (first ${steps.dims.length} of ${steps.headDim} dimensions)` }),
      formula(String.raw`\text{out} = \textstyle\sum_{j \le i} p_j\, v_j`),
    ]),
    table,
  ]);
}

function render(root: HTMLElement, context: SlideContext<ScaledDotProductView>): void {
  const trace = startLiveSlide(root, scaledDotProduct.title, context);
  if (!trace) return;
  if (trace.tokens.length === 0 || trace.model.nLayer < 1) {
    root.append(missingMessage('This Trace has no tokens or no layers, so there is no attention to compute.', trace.tokens.length === 0 ? ['tokens'] : []));
    return;
  }
  const selection = select(trace, context.view);
  const { layer, head, query } = selection;
  root.dataset.layer = String(layer);
  root.dataset.head = String(head);
  root.dataset.query = String(query);
  const rerender = (change: Partial<ScaledDotProductView>) => context.setView(change);
  root.append(
    html('div', { className: 'live-controls' }, [
      numberChoices('Layer', trace.model.nLayer, layer, (value) => rerender({ layer: value })),
      numberChoices('Head', trace.model.nHead, head, (value) => rerender({ head: value })),
      tokenStepper(trace, query, (index) => rerender({ token: index, tokenPrompt: trace.prompt })),
    ]),
  );
  const result = computeSteps(trace, selection);
  if (!result.ok) {
    root.append(missingMessage(result.problem, result.missing));
    return;
  }
  const steps = result.steps;
  const headDim = steps.headDim;
  const scale = Math.sqrt(headDim);
  const later = trace.tokens.length - 1 - query;
  root.append(
    html('div', { className: 'tb-sdp-formula' }, [
      formula(String.raw`\mathrm{Attention}(Q,K,V) = \mathrm{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}}\right) V, \qquad d_k = ${headDim},\ \sqrt{d_k} = ${formatValue(scale)}`),
    ]),
  );
  const check = stepText(2, `÷ √${headDim} = ${formatValue(scale)}: scores stay small (the model's, to ${formatTiny(steps.maxScoreDifference)}).`, 'tb-sdp-check');
  check.dataset.maxScoreDifference = String(steps.maxScoreDifference);
  check.dataset.sqrtHeadDim = String(scale);
  const stepsList = html('ol', { className: 'tb-sdp-steps' }, [
    stepText(1, `q·k: ${headDim} products per key, added up.`),
    check,
    stepText(3, later > 0 ? `Mask: ${plural(later, 'later token')} get −∞, so weight 0.` : 'Mask: the last token sees every key, nothing is masked.'),
    stepText(4, `softmax: weights that sum to 1 (${steps.probSum.toFixed(4)}).`),
  ]);
  root.append(
    html('p', { className: 'live-lead tb-sdp-lead' }, [
      document.createTextNode('Query: '),
      tokenChip(trace.tokens[query], { index: query }),
      document.createTextNode(` (token ${query + 1} of ${trace.tokens.length}).`),
      document.createTextNode(query + 1 > WINDOW ? ` Showing its last ${WINDOW} of ${query + 1} visible keys.` : ''),
    ]),
    html('div', { className: 'tb-sdp-layout' }, [stepsTable(trace, steps, query), html('div', { className: 'tb-sdp-side' }, [stepsList])]),
    weightedSumBox(steps, query),
  );
}

function notes(context: SlideContext<ScaledDotProductView>): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  if (trace.tokens.length === 0 || trace.model.nLayer < 1) return 'This Trace has no tokens or no layers: nothing to compute.';
  const selection = select(trace, context.view);
  const result = computeSteps(trace, selection);
  if (!result.ok) return result.problem;
  const { layer, head, query } = selection;
  const steps = result.steps;
  let best = 0;
  for (let key = 1; key <= query; key++) if (steps.probs[key] > steps.probs[best]) best = key;
  const scale = Math.sqrt(steps.headDim);
  const later = trace.tokens.length - 1 - query;
  return [
    `Layer ${layer}, head ${head}, query ${quoteToken(trace.tokens[query].text)} (token ${query + 1} of ${trace.tokens.length}).`,
    `Step 1: q·k with itself is ${formatValue(steps.dots[query])}. Step 2: divide by √${steps.headDim} = ${formatValue(scale)} → ${formatValue(steps.scores[query])} (the model's own score; our recomputation agrees to ${formatTiny(steps.maxScoreDifference)}).`,
    `Step 3: ${later > 0 ? `${plural(later, 'later token')} masked to −∞` : 'last token: nothing to mask'}. Step 4: the largest weight is ${formatPercent(steps.probs[best])} on ${quoteToken(trace.tokens[best].text)} (token ${best + 1}); the weights sum to ${steps.probSum.toFixed(4)}.`,
    `Step 5: dimension 0 of Σ p·v is ${formatValue(steps.weightedSums[0])}; the model's context vector has ${formatValue(steps.context[0])}.`,
    'Advance with the arrow key: each step is a fragment.',
  ].join('\n');
}

const scaledDotProduct = {
  id: 'scaled-dot-product',
  title: 'Scaled dot-product attention, step by step',
  defaultView: DEFAULT_VIEW,
  render,
  notes,
} satisfies SlideModule<ScaledDotProductView>;

export default scaledDotProduct;
