// Slide: positions. A GPT-2-layout model (sotu-gpt) learned one vector per position, wpe [contextLength x
// width], and adds it to each token's vector: trace.embed.sum = trace.embed.tokens + trace.embed.positions.
// A RoPE model (Llama family) adds nothing: it turns each query and key in every layer. For it, the
// left column instead measures the angle by which the model really turned pairs of layer 0's query
// (trace.layer.0.attn.q_unrotated -> attn.q) and compares it with pos * θ_i from the formula.
// Shown: the learned position vectors of the prompt's positions as strips, and one token's three
// vectors excerpted (token + position = sum). Then, as a fragment and labelled as OTHER models'
// schemes computed from their formulas: the sinusoidal encoding of "Attention Is All You Need" for
// the same positions and width, and RoPE's rotation angles for a few pairs of a head's dimensions.
//
// View (kept by the deck): the selected token/position , default the last.
//
// Test hooks:
//   root   data-selected-token, data-width, data-rows, data-position-norm (L2 of the selected
//          position vector), data-position-max-abs (learned strips' colour limit), data-head-width (RoPE's d)
//   .positions-learned .vector-strip-row[data-position]          learned rows (selected: cells data-dim/data-value)
//   .positions-sinusoidal .vector-strip-row[data-position]       sinusoidal rows (selected: cells data-dim/data-value)
//   .position-sum-cell[data-dim][data-token-value][data-position-value][data-sum-value]
//   .rope-pair[data-pair][data-theta][data-angle]                angle = position * theta, radians
//   RoPE models: .rope-model-pair[data-pair][data-measured-angle][data-formula-angle] (radians, in (-π, π]);
//          root data-rope-mismatched (pairs whose measured angle is not the formula's)
import { embedOutputs, layerOutput } from '../src/trace/output-names';
import { measuredRotation, ropeAngle, ropeFrequency, sinusoidalEncoding, wrapAngle } from '../src/maths/positional-encodings';
import { l2Norm } from '../src/maths/vector-stats';
import { html, svg } from '../src/viz/dom';
import { formatCount, plural } from '../src/viz/format';
import { formula } from '../src/viz/formula';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { noteToken } from '../src/viz/token-note';
import { tokenStepper } from '../src/viz/block-controls';
import { tokenChip } from '../src/viz/token-chip';
import { matrixMaxAbs, traceMatrix, type MatrixLookup } from '../src/viz/trace-matrix';
import { divergingColourScale, divergingLegend, formatSigned, rowWindowStart, vectorStrips } from '../src/viz/vector-strip';
import { tensorRow, type Trace } from '../src/trace';
import { lookupTensors } from '../src/viz/block-tensors';
import type { SlideContext, SlideModule } from './slide';
import './09-positions.css';

export interface PositionsView {
  /** The selected position, or null for the last position of whatever prompt comes next. */
  token: number | null;
  tokenPrompt: string | null;
}

export const STRIP_ROWS = 6;
export const EXCERPT_DIMS = 6;
const DEFAULT_VIEW: PositionsView = { token: null, tokenPrompt: null };
const ROOT_HOOKS = ['selectedToken', 'width', 'rows', 'positionNorm', 'positionMaxAbs', 'headWidth', 'ropeMismatched'] as const;
/** Measured and formula angles closer than this (radians) agree: float32 rounding stays far below it. */
export const ROPE_ANGLE_TOLERANCE = 1e-3;
const DIAL_RADIUS = 20;

function selectedPosition(trace: Trace, rows: number, view: PositionsView): number {
  // The last position by default: at position 0 every RoPE angle is 0, which shows nothing.
  if (view.token === null || view.tokenPrompt !== trace.prompt || !Number.isFinite(view.token)) return rows - 1;
  return Math.min(rows - 1, Math.max(0, Math.trunc(view.token)));
}

/** The pairs of a head's dimensions RoPE's table shows: the fastest, the next, one in between, the slowest. */
export function ropePairs(headWidth: number): number[] {
  const half = Math.max(1, Math.floor(headWidth / 2));
  return [...new Set([0, 1, Math.floor(half / 4), half - 1].filter((pair) => pair >= 0 && pair < half))].sort((a, b) => a - b);
}

function positionLabel(trace: Trace, position: number): HTMLElement {
  return html('span', { className: 'position-label' }, [html('span', { className: 'position-number', text: String(position + 1) }), tokenChip(trace.tokens[position], { index: position })]);
}

type Matrix = Extract<MatrixLookup, { ok: true }>;

function sumExcerpt(tokensM: Matrix, positionsM: Matrix, sumM: Matrix, position: number): HTMLElement {
  const token = tokensM.row(position);
  const place = positionsM.row(position);
  const sum = sumM.row(position);
  const dims = Math.min(EXCERPT_DIMS, sumM.width, tokensM.width, positionsM.width);
  const table = html('table', { className: 'position-sum' });
  const line = (label: string, values: Float32Array, className: string, norm: number) => {
    const row = html('tr', { className }, [html('th', { text: label })]);
    for (let dim = 0; dim < dims; dim++) row.append(html('td', { text: formatSigned(values[dim]) }));
    row.append(html('td', { className: 'position-sum-more', text: '…' }), html('td', { className: 'position-sum-norm', text: norm.toFixed(2) }));
    return row;
  };
  const header = html('tr', {}, [html('th', { text: 'dimension' })]);
  for (let dim = 0; dim < dims; dim++) {
    header.append(
      html('th', {
        className: 'position-sum-cell',
        text: String(dim),
        attrs: { 'data-dim': String(dim), 'data-token-value': String(token[dim]), 'data-position-value': String(place[dim]), 'data-sum-value': String(sum[dim]) },
      }),
    );
  }
  header.append(html('th', { text: '' }), html('th', { text: 'length' }));
  table.append(header, line('token', token, 'position-sum-token', l2Norm(token)), line('+ position', place, 'position-sum-position', l2Norm(place)), line('= sum', sum, 'position-sum-total', l2Norm(sum)));
  return table;
}

function learnedColumn(trace: Trace, root: HTMLElement, context: SlideContext<PositionsView>, lookups: MatrixLookup[], selectedHint: number): HTMLElement {
  const column = html('div', { className: 'positions-learned' }, [
    html('h3', { className: 'positions-heading', text: 'This model: learned, added' }),
    formula(String.raw`x_{pos} = \mathrm{wte}[\mathit{id}] + \mathrm{wpe}[pos]`),
  ]);
  const missing = lookups.filter((lookup) => !lookup.ok);
  if (missing.length > 0) {
    column.append(missingMessage(`${missing.map((lookup) => (lookup.ok ? '' : lookup.problem)).join(' ')} The learned positions cannot be shown.`, missing.map((lookup) => lookup.name)));
    return column;
  }
  const [tokensM, positionsM, sumM] = lookups as Matrix[];
  const rows = Math.min(tokensM.rows, positionsM.rows, sumM.rows);
  const selected = Math.min(selectedHint, rows - 1);
  const limit = matrixMaxAbs(positionsM);
  const colour = divergingColourScale(limit);
  const start = rowWindowStart(rows, selected, STRIP_ROWS);
  const shown = Array.from({ length: Math.min(STRIP_ROWS, rows) }, (_, i) => start + i);
  root.dataset.positionNorm = String(l2Norm(positionsM.row(selected)));
  root.dataset.positionMaxAbs = String(limit);
  const choose = (position: number) => {
    context.setView({ token: position, tokenPrompt: trace.prompt });
  };
  column.append(
    vectorStrips(
      shown.map((position) => ({ label: positionLabel(trace, position), values: positionsM.row(position), selected: position === selected, attrs: { 'data-position': String(position) } })),
      { colour, cellHooks: true, onRowClick: (row) => choose(shown[row]), description: `the learned vector of one position, ${positionsM.width} values` },
    ),
    divergingLegend(colour, limit, rows > shown.length ? `positions ${start + 1}–${start + shown.length} of ${rows}:` : 'position vectors:'),
    sumExcerpt(tokensM, positionsM, sumM, selected),
  );
  return column;
}

/** One pair of layer 0's query at the selected position: before and after the model's rotation. */
export interface RopePairReading {
  pair: number;
  before: [number, number];
  after: [number, number];
  measured: number;
  formula: number;
  /** The pair is (almost) zero, so it has no direction to measure. */
  tooSmall: boolean;
}

type RopeReadings = { ok: true; head: number; headWidth: number; pairs: RopePairReading[]; mismatched: number; allPairs: number } | { ok: false; missing: string[]; problem: string };

/**
 * Layer 0, head 0's query at `position`, before and after RoPE. Hugging Face's Llama turns dimension i
 * together with i + d/2 (rotate_half), by pos · θ_i with θ_i = base^(-2i/d).
 */
export function ropeReadings(trace: Trace, position: number): RopeReadings {
  const head = 0;
  const before = layerOutput(0, 'attn.q_unrotated');
  const after = layerOutput(0, 'attn.q');
  const n = trace.tokens.length;
  const lookup = lookupTensors(
    trace,
    [
      { name: before, shape: [null, n, null] },
      { name: after, shape: [null, n, null] },
    ],
    'the rotation of the queries',
  );
  if (!lookup.ok) return lookup;
  const q = tensorRow(lookup.tensors[before], head, position);
  const turned = tensorRow(lookup.tensors[after], head, position);
  const headWidth = q.length;
  const half = Math.floor(headWidth / 2);
  const base = trace.model.architecture.ropeTheta ?? 10000;
  const reading = (pair: number): RopePairReading => {
    const pairBefore: [number, number] = [q[pair], q[pair + half]];
    const pairAfter: [number, number] = [turned[pair], turned[pair + half]];
    return {
      pair,
      before: pairBefore,
      after: pairAfter,
      measured: measuredRotation(pairBefore, pairAfter),
      formula: wrapAngle(ropeAngle(position, pair, headWidth, base)),
      tooSmall: Math.hypot(...pairBefore) < 1e-6,
    };
  };
  const all = Array.from({ length: half }, (_, pair) => reading(pair));
  const mismatched = all.filter((entry) => !entry.tooSmall && Math.abs(wrapAngle(entry.measured - entry.formula)) > ROPE_ANGLE_TOLERANCE).length;
  return { ok: true, head, headWidth, pairs: ropePairs(headWidth).map((pair) => all[pair]), mismatched, allPairs: half };
}

function ropeColumn(trace: Trace, root: HTMLElement, context: SlideContext<PositionsView>, selected: number): HTMLElement {
  const base = trace.model.architecture.ropeTheta ?? 10000;
  const column = html('div', { className: 'positions-learned positions-rope' }, [
    html('h3', { className: 'positions-heading', text: 'This model: rotary (RoPE), in every layer' }),
    formula(String.raw`\begin{pmatrix} q'_i \\ q'_{i+d/2} \end{pmatrix} = \begin{pmatrix} \cos pos\,\theta_i & -\sin pos\,\theta_i \\ \sin pos\,\theta_i & \cos pos\,\theta_i \end{pmatrix} \begin{pmatrix} q_i \\ q_{i+d/2} \end{pmatrix},\quad \theta_i = ${base}^{-2i/d}`),
    tokenStepper(trace, selected, (index) => {
      context.setView({ token: index, tokenPrompt: trace.prompt });
    }),
  ]);
  const readings = ropeReadings(trace, selected);
  if (!readings.ok) {
    column.append(missingMessage(`${readings.problem} The rotation cannot be measured.`, readings.missing));
    return column;
  }
  root.dataset.ropeMismatched = String(readings.mismatched);
  column.append(html('p', { className: 'positions-scheme positions-note', text: `Layer 0, head ${readings.head}'s query at token ${selected + 1} (pos = ${selected}, counted from 0 in the formula), d = ${readings.headWidth}: each pair before and after the model turned it.` }));
  const table = html('table', { className: 'position-sum rope-model-table' }, [
    html('tr', {}, ['pair i', 'before', 'after', 'turned by', 'pos · θ_i', ''].map((text) => html('th', { text }))),
  ]);
  const pairText = ([x, y]: [number, number]) => `(${formatSigned(x)}, ${formatSigned(y)})`;
  for (const entry of readings.pairs) {
    table.append(
      html('tr', { className: 'rope-model-pair', attrs: { 'data-pair': String(entry.pair), 'data-measured-angle': String(entry.measured), 'data-formula-angle': String(entry.formula) } }, [
        html('td', { text: String(entry.pair) }),
        html('td', { text: pairText(entry.before) }),
        html('td', { text: pairText(entry.after) }),
        html('td', { text: entry.tooSmall ? 'n/a (zero)' : `${entry.measured.toFixed(3)} rad` }),
        html('td', { text: `${entry.formula.toFixed(3)} rad` }),
        html('td', {}, [dial(entry.measured)]),
      ]),
    );
  }
  column.append(
    table,
    html('p', {
      className: 'live-caption',
      text:
        readings.mismatched === 0
          ? `All ${readings.allPairs} pairs turned by exactly pos · θ_i (angles as in (−π, π]): nothing is added to the token's vector, and attention sees the distance between two tokens through these turns.`
          : `${readings.mismatched} of ${readings.allPairs} pairs turned by other angles than ${base}^(−2i/d) gives: this model rescales some frequencies (rope_scaling in its config.json).`,
    }),
  );
  return column;
}

function dial(angle: number): SVGSVGElement {
  const r = DIAL_RADIUS;
  // y grows downwards in SVG, so a positive angle is drawn with -sin to turn anticlockwise.
  return svg('svg', { className: 'rope-dial', attrs: { viewBox: `${-r - 2} ${-r - 2} ${2 * r + 4} ${2 * r + 4}`, role: 'img', 'aria-label': `turned by ${angle.toFixed(2)} radians` } }, [
    svg('circle', { className: 'rope-dial-circle', attrs: { r } }),
    svg('line', { className: 'rope-dial-start', attrs: { x1: 0, y1: 0, x2: r, y2: 0 } }),
    svg('line', { className: 'rope-dial-hand', attrs: { x1: 0, y1: 0, x2: r * Math.cos(angle), y2: -r * Math.sin(angle) } }),
  ]);
}

function otherModelsColumn(trace: Trace, width: number, shown: number[], selected: number): HTMLElement {
  const colour = divergingColourScale(1); // sin and cos live in [-1, 1]
  const headWidth = trace.model.headDim > 0 ? trace.model.headDim : Math.max(2, width);
  const column = html('div', { className: 'positions-other fragment', attrs: { 'data-fragment-index': '1' } }, [
    html('h3', { className: 'positions-heading', text: 'Other models’ schemes (not this model’s)' }),
    html('p', { className: 'positions-scheme live-caption', text: `Sinusoidal, fixed (Vaswani et al. 2017), d = ${width}:` }),
    formula(String.raw`PE_{(pos,\,2i)} = \sin\frac{pos}{10000^{2i/d}},\quad PE_{(pos,\,2i+1)} = \cos\frac{pos}{10000^{2i/d}}`),
  ]);
  const strips = vectorStrips(
    shown.map((position) => ({ label: html('span', { className: 'position-number', text: String(position + 1) }), values: sinusoidalEncoding(position, width), selected: position === selected, attrs: { 'data-position': String(position) } })),
    { colour, cellHooks: true, description: `the sinusoidal encoding of one position, ${width} values` },
  );
  strips.classList.add('positions-sinusoidal');
  column.append(strips);

  if (trace.model.architecture.positions === 'rope') {
    column.append(html('p', { className: 'positions-scheme live-caption', text: 'Learned (GPT-2): one trained vector per position, added to the token’s vector; it cannot read past the last position it learned.' }));
    return column;
  }
  column.append(
    html('p', { className: 'positions-scheme live-caption', text: `RoPE (Su et al. 2021; Llama, most recent models) turns each pair of query and key dimensions, d = ${headWidth}, token ${selected + 1} (pos = ${selected}):` }),
    formula(
      String.raw`\begin{pmatrix} q'_{2i} \\ q'_{2i+1} \end{pmatrix} = \begin{pmatrix} \cos pos\,\theta_i & -\sin pos\,\theta_i \\ \sin pos\,\theta_i & \cos pos\,\theta_i \end{pmatrix} \begin{pmatrix} q_{2i} \\ q_{2i+1} \end{pmatrix},\quad \theta_i = 10000^{-2i/d}`,
    ),
  );
  // One dial per pair, side by side: the hand is the pair's angle at this position (0 points right).
  // The dials and their numbers are a figure (labels >= 16 px).
  const dials = html('div', { className: 'rope-pairs rope-pair-grid' });
  for (const pair of ropePairs(headWidth)) {
    const theta = ropeFrequency(pair, headWidth);
    const angle = ropeAngle(selected, pair, headWidth);
    dials.append(
      html('div', { className: 'rope-pair', attrs: { 'data-pair': String(pair), 'data-theta': String(theta), 'data-angle': String(angle) } }, [
        dial(angle),
        html('span', { className: 'rope-pair-text' }, [
          html('span', { text: `i = ${pair}, θ = ${theta >= 0.01 ? theta.toFixed(3) : theta.toExponential(1)}` }),
          html('span', { text: `angle ${angle.toFixed(2)} rad` }),
        ]),
      ]),
    );
  }
  column.append(dials);
  return column;
}

function render(root: HTMLElement, context: SlideContext<PositionsView>): void {
  for (const key of ROOT_HOOKS) delete root.dataset[key];
  const trace = startLiveSlide(root, positions.title, context);
  if (!trace) return;
  const count = trace.tokens.length;
  if (count === 0) {
    root.append(missingMessage('This Trace holds no tokens, so there are no positions to show.', ['tokens']));
    return;
  }
  const lookups = [traceMatrix(trace, embedOutputs.tokens), traceMatrix(trace, embedOutputs.positions), traceMatrix(trace, embedOutputs.sum)];
  const okRows = lookups.map((lookup) => (lookup.ok ? lookup.rows : count));
  const rows = Math.min(count, ...okRows);
  const selected = selectedPosition(trace, rows, context.view);
  const firstOk = lookups.find((lookup) => lookup.ok);
  const width = firstOk && firstOk.ok ? firstOk.width : trace.model.nEmbd;
  root.dataset.selectedToken = String(selected);
  root.dataset.width = String(width);
  root.dataset.rows = String(rows);
  root.dataset.headWidth = String(trace.model.headDim > 0 ? trace.model.headDim : Math.max(2, width));

  const start = rowWindowStart(rows, selected, STRIP_ROWS);
  const shown = Array.from({ length: Math.min(STRIP_ROWS, rows) }, (_, i) => start + i);
  const rope = trace.model.architecture.positions === 'rope';
  root.append(
    html('p', {
      className: 'live-lead',
      text: rope
        ? 'Attention sees all tokens at once, with no order. This model adds nothing to the token vectors: in every layer it turns each query and key by angles that grow with the position, so "I bake cookies" and "cookies bake I" differ.'
        : `Attention sees all tokens at once, with no order. So this model adds a learned vector for each position (it has ${formatCount(trace.model.contextLength)}): "I bake cookies" and "cookies bake I" differ.`,
    }),
    html('div', { className: 'positions-layout' }, [
      rope ? ropeColumn(trace, root, context, selected) : learnedColumn(trace, root, context, lookups, selected),
      otherModelsColumn(trace, width, shown, selected),
    ]),
  );
}

function notes(context: SlideContext<PositionsView>): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  if (trace.tokens.length === 0) return 'This Trace holds no tokens.';
  if (trace.model.architecture.positions === 'rope') return ropeNotes(trace, context.view);
  const lookups = [traceMatrix(trace, embedOutputs.tokens), traceMatrix(trace, embedOutputs.positions), traceMatrix(trace, embedOutputs.sum)];
  const lines: string[] = [];
  if (lookups.every((lookup) => lookup.ok)) {
    const [tokensM, positionsM, sumM] = lookups as Matrix[];
    const rows = Math.min(tokensM.rows, positionsM.rows, sumM.rows);
    const selected = selectedPosition(trace, rows, context.view);
    const token = trace.tokens[selected];
    const [t, p, s] = [tokensM.row(selected)[0], positionsM.row(selected)[0], sumM.row(selected)[0]];
    lines.push(
      `This model learned ${formatCount(trace.model.contextLength)} position vectors of ${formatCount(positionsM.width)} numbers; the prompt uses ${rows === 1 ? 'position 1' : `positions 1 to ${rows}`} (tokens counted from 1, as on every slide).`,
      `Position ${selected + 1} holds ${noteToken(token)}: dimension 0: token ${formatSigned(t)}, plus position ${formatSigned(p)}, gives ${formatSigned(s)}. Position vector length ${l2Norm(positionsM.row(selected)).toFixed(3)}, token vector length ${l2Norm(tokensM.row(selected)).toFixed(3)}.`,
    );
  } else {
    lines.push(`This model does not expose ${lookups.filter((lookup) => !lookup.ok).map((lookup) => lookup.name).join(', ')}: say the learned positions cannot be shown.`);
  }
  const headWidth = trace.model.headDim > 0 ? trace.model.headDim : 64;
  lines.push(
    'Next fragment: OTHER models. The 2017 Transformer added fixed sine waves instead; RoPE (Llama and most recent models) rotates queries and keys, so attention depends on the distance between tokens.',
    `For RoPE with head width ${headWidth}: pair 0 turns 1 radian per position, pair ${Math.floor(headWidth / 2) - 1} only ${ropeFrequency(Math.floor(headWidth / 2) - 1, headWidth).toExponential(1)} radians.`,
    `${trace.model.name} uses neither: it learned its ${plural(trace.model.contextLength, 'position')}, so it cannot read past position ${formatCount(trace.model.contextLength)}.`,
  );
  return lines.join('\n');
}

function ropeNotes(trace: Trace, view: PositionsView): string {
  const selected = selectedPosition(trace, trace.tokens.length, view);
  const base = trace.model.architecture.ropeTheta ?? 10000;
  const lines = [`${trace.model.name} uses RoPE (θ base ${base}): no position vector is added; every layer turns each query and key by pos · θ_i, pair by pair.`];
  const readings = ropeReadings(trace, selected);
  if (!readings.ok) {
    lines.push(readings.problem);
  } else {
    const shown = readings.pairs.map((entry) => `pair ${entry.pair}: ${entry.measured.toFixed(3)} rad (formula ${entry.formula.toFixed(3)})`).join('; ');
    lines.push(
      `Position ${selected + 1} (pos = ${selected} in the formula) holds ${noteToken(trace.tokens[selected])}. Layer 0, head 0's query turned by ${shown}.`,
      readings.mismatched === 0
        ? `All ${readings.allPairs} pairs match the formula to ${ROPE_ANGLE_TOLERANCE} rad.`
        : `${readings.mismatched} of ${readings.allPairs} pairs differ from the formula: the config rescales those frequencies (rope_scaling).`,
    );
  }
  lines.push('Because q and k are both turned, their dot product depends on the distance between the two positions, not on where they sit.');
  lines.push('Next fragment: OTHER models. The 2017 Transformer added fixed sine waves; GPT-2 learned one vector per position.');
  return lines.join('\n');
}

const positions = {
  id: 'positions',
  title: 'Positions: where each token sits',
  defaultView: DEFAULT_VIEW,
  render,
  notes,
} satisfies SlideModule<PositionsView>;

export default positions;
