// Slide: query, key and value. The real q, k and v vectors that one layer and head make for one token
// (trace.layer.L.attn.q/k/v, [heads, tokens, headDim]) as coloured strips, with the projection shapes.
//
// View (kept by the deck): layer, head and token; defaults layer 0,
// head 0, the last token (a new prompt goes back to its last token).
//
// Test hooks:
//   root: data-layer, data-head, data-query (the chosen token)
//   svg.tb-strip[data-vector="q"|"k"|"v"]: one rect per dimension with data-dim, data-value (the Trace's value)
//   .tb-qkv-row[data-vector]: data-norm (L2 norm of that vector), data-min, data-max
//   .tb-qkv-formula[data-bias]: "true" when the formula adds the projections' bias (the model's config says it has one)
import { euclideanNorm } from '../src/maths/layer-norm-stats';
import { familyDisplayName } from '../src/viz/architecture-names';
import { chosenToken, clampIndex, numberChoices, tokenStepper, type TokenChoice } from '../src/viz/block-controls';
import { formatValue } from '../src/viz/block-number-format';
import { vectorStrip } from '../src/viz/block-vector-strip';
import { html } from '../src/viz/dom';
import { formatCount, quoteToken } from '../src/viz/format';
import { formula } from '../src/viz/formula';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { tokenChip } from '../src/viz/token-chip';
import { headVectors, type Trace, type Unreadable } from '../src/trace';
import type { SlideContext, SlideModule } from './slide';
import './12-qkv.css';

export interface QkvView extends TokenChoice {
  layer: number;
  head: number;
}

const DEFAULT_VIEW: QkvView = { layer: 0, head: 0, token: null, tokenPrompt: null };

const ROLES = [
  { key: 'q', kind: 'attn.q', label: 'Query q', purpose: 'what it is looking for' },
  { key: 'k', kind: 'attn.k', label: 'Key k', purpose: 'what it offers' },
  { key: 'v', kind: 'attn.v', label: 'Value v', purpose: 'what it passes on' },
] as const;

const SHOWN_VALUES = 4;

interface Selection {
  layer: number;
  head: number;
  token: number;
}

function select(trace: Trace, view: QkvView): Selection {
  return {
    layer: clampIndex(view.layer, 0, Math.max(0, trace.model.nLayer - 1)),
    head: clampIndex(view.head, 0, Math.max(0, trace.model.nHead - 1)),
    token: chosenToken(view, trace, trace.tokens.length - 1),
  };
}

interface QkvVectors {
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
}

function readVectors(trace: Trace, { layer, head, token }: Selection): { ok: true; vectors: QkvVectors } | Unreadable {
  const read = headVectors(trace, layer, head, token);
  return read.ok ? { ok: true, vectors: { q: read.q, k: read.k, v: read.v } } : read;
}

function extremes(values: Float32Array): { min: number; max: number; largest: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  return { min, max, largest: Math.max(Math.abs(min), Math.abs(max)) };
}

/** How this model makes q, k and v: GPT-2 with one matrix cut in three, Llama with three (k and v narrower under GQA). */
export function projectionText(trace: Trace): string {
  const m = trace.model;
  const n = trace.tokens.length;
  if (m.architecture.family === 'llama') {
    const kvWidth = m.architecture.kvHeads * m.headDim;
    const shared = m.architecture.kvHeads === m.nHead ? '' : `; each key/value head is shared by ${m.nHead / m.architecture.kvHeads} query heads`;
    return (
      `ln_1 output [${n} × ${m.nEmbd}] × q_proj [${m.nEmbd} × ${m.nHead * m.headDim}], k_proj and v_proj [${m.nEmbd} × ${kvWidth}] → ` +
      `q: ${m.nHead} heads of ${m.headDim}, k and v: ${m.architecture.kvHeads} heads of ${m.headDim}${shared}; q and k are then turned by RoPE`
    );
  }
  return (
    `ln_1 output [${n} × ${m.nEmbd}] × c_attn [${m.nEmbd} × ${3 * m.nEmbd}] = [${n} × ${3 * m.nEmbd}] → q, k, v: [${n} × ${m.nEmbd}] each` +
    ` → ${m.nHead} heads of ${m.headDim}`
  );
}

/**
 * q = x W_q (+ b_q), and k and v alike: the bias only where the loaded model has one (its config.json, read
 * into trace.model.architecture.qkvBias: GPT-2's c_attn and Qwen2 always, a Llama with attention_bias).
 */
export function projectionFormula(trace: Trace): HTMLElement {
  const bias = trace.model.architecture.qkvBias === true;
  const one = (v: string) => String.raw`${v} = x\,W_${v}${bias ? ` + b_${v}` : ''}`;
  const meaning = bias
    ? `x: the token after the norm; W: learned matrices; b: learned biases (${familyDisplayName(trace.model.modelType)} has them)`
    : trace.model.architecture.qkvBias === false
      ? `x: the token after the norm; W: learned matrices (${familyDisplayName(trace.model.modelType)} adds no bias here)`
      : 'x: the token after the norm; W: learned matrices';
  return html('div', { className: 'tb-qkv-formula', attrs: { 'data-bias': String(bias) } }, [
    formula([one('q'), one('k'), one('v')].join(String.raw`\qquad `)),
    html('p', { className: 'live-caption tb-qkv-meaning', text: meaning }),
  ]);
}

function shapesLine(trace: Trace): HTMLElement {
  return html('p', { className: 'tb-shapes', text: projectionText(trace) });
}

function render(root: HTMLElement, context: SlideContext<QkvView>): void {
  const trace = startLiveSlide(root, qkv.title, context);
  if (!trace) return;
  if (trace.tokens.length === 0 || trace.model.nLayer < 1) {
    root.append(missingMessage('This Trace has no tokens or no layers, so there are no queries, keys or values.', trace.tokens.length === 0 ? ['tokens'] : []));
    return;
  }
  const selection = select(trace, context.view);
  const { layer, head, token } = selection;
  root.dataset.layer = String(layer);
  root.dataset.head = String(head);
  root.dataset.query = String(token);
  const rerender = (change: Partial<QkvView>) => context.setView(change);
  root.append(
    html('div', { className: 'live-controls' }, [
      numberChoices('Layer', trace.model.nLayer, layer, (value) => rerender({ layer: value })),
      numberChoices('Head', trace.model.nHead, head, (value) => rerender({ head: value })),
      tokenStepper(trace, token, (index) => rerender({ token: index, tokenPrompt: trace.prompt })),
    ]),
  );
  const result = readVectors(trace, selection);
  if (!result.ok) {
    root.append(missingMessage(result.problem, result.missing));
    return;
  }
  root.append(
    html('p', { className: 'live-lead' }, [
      document.createTextNode('Three learned projections turn '),
      tokenChip(trace.tokens[token], { index: token }),
      document.createTextNode(` into three vectors of ${trace.model.headDim} numbers for layer ${layer}, head ${head}:`),
    ]),
    projectionFormula(trace),
  );
  const stats = ROLES.map((role) => extremes(result.vectors[role.key]));
  const largest = Math.max(...stats.map((s) => s.largest)); // one colour scale for all three strips
  const rows = html('div', { className: 'tb-qkv-rows' });
  ROLES.forEach((role, index) => {
    const values = result.vectors[role.key];
    const norm = euclideanNorm(values);
    const first = Array.from(values.subarray(0, SHOWN_VALUES), formatValue).join(', ');
    const row = html('div', { className: `tb-qkv-row tb-qkv-${role.key}`, attrs: { 'data-vector': role.key } }, [
      html('div', { className: 'tb-qkv-label' }, [html('strong', { text: role.label }), html('span', { className: 'tb-qkv-purpose', text: role.purpose })]),
      vectorStrip({ values, largest, name: role.key }),
      html('div', {
        className: 'tb-qkv-numbers',
        text: `length ${formatValue(norm)} · from ${formatValue(stats[index].min)} to ${formatValue(stats[index].max)} · starts ${first}${values.length > SHOWN_VALUES ? ', …' : ''}`,
      }),
    ]);
    row.dataset.norm = String(norm);
    row.dataset.min = String(stats[index].min);
    row.dataset.max = String(stats[index].max);
    rows.append(row);
  });
  root.append(
    rows,
    html('p', { className: 'live-caption', text: `One cell per number: blue positive, red negative, white near 0 (scale ±${formatValue(largest)}).` }),
    shapesLine(trace),
    html('p', { className: 'live-caption', text: "Next: this token's query meets every earlier key; the values of the tokens it finds flow in." }),
  );
}

function notes(context: SlideContext<QkvView>): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  if (trace.tokens.length === 0 || trace.model.nLayer < 1) return 'This Trace has no tokens or no layers: no queries, keys or values to show.';
  const selection = select(trace, context.view);
  const result = readVectors(trace, selection);
  if (!result.ok) return result.problem;
  const { layer, head, token } = selection;
  const m = trace.model;
  const lengths = ROLES.map((role) => `${role.key} ${formatValue(euclideanNorm(result.vectors[role.key]))}`).join(', ');
  return [
    `Layer ${layer}, head ${head}, token ${quoteToken(trace.tokens[token].text)} (${token + 1} of ${trace.tokens.length}).`,
    `Lengths: ${lengths}. First value of q: ${formatValue(result.vectors.q[0])}, of k: ${formatValue(result.vectors.k[0])}, of v: ${formatValue(result.vectors.v[0])}.`,
    m.architecture.family === 'llama'
      ? `Query: what the token looks for. Key: what it offers. Value: what it hands on. ${projectionText(trace)}.`
      : `Query: what the token looks for. Key: what it offers. Value: what it hands on. One matrix, c_attn (${m.nEmbd} × ${formatCount(3 * m.nEmbd)}), makes all three; each is cut into ${m.nHead} heads of ${m.headDim}.`,
  ].join('\n');
}

const qkv = {
  id: 'qkv',
  title: 'Query, key, value',
  defaultView: DEFAULT_VIEW,
  render,
  notes,
} satisfies SlideModule<QkvView>;

export default qkv;
