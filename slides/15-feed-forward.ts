// Slide: the feed-forward network of one layer for one token: its real widths (d -> f -> d), every
// neuron's input (mlp.pre_act) against its output (mlp.act) over the activation's curve drawn from its
// formula (GPT-2: GELU, outputs on the curve; Llama: SwiGLU, SiLU(gate) x up, off it), the most
// active neurons, and how many it leaves (nearly) silent.
//
// View (kept by the deck): layer and token (defaults: layer 0, the last token).
//
// Test hooks:
//   root: data-layer, data-query (the chosen token)
//   circle.tb-neuron: data-neuron, data-pre-act, data-act (the Trace's values, one per neuron)
//   .tb-top-neurons .bar-row: data-neuron, data-act, data-pre-act, data-rank (top 10 by act)
//   .tb-ffn-stats: data-count, data-negative (act < 0), data-quiet (act < QUIET_BELOW), data-quiet-below,
//     data-gelu-mismatch (largest |act - gelu(pre_act)| over this token's neurons)
import { scaleLinear } from 'd3-scale';
import { layerOutput } from '../src/trace/output-names';
import { geluMismatch, geluTanh, silu, summariseActivations } from '../src/maths/gelu';
import { topKIndices } from '../src/maths/softmax';
import { chosenToken, clampIndex, numberChoices, tokenStepper, type TokenChoice } from '../src/viz/block-controls';
import { formatTiny, formatValue } from '../src/viz/block-number-format';
import { lookupTensors } from '../src/viz/block-tensors';
import { html, svg } from '../src/viz/dom';
import { formatCount, formatPercent, quoteToken } from '../src/viz/format';
import { formula } from '../src/viz/formula';
import { horizontalBars, type BarRow } from '../src/viz/horizontal-bars';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { tensorRow, type Trace } from '../src/trace';
import type { SlideContext, SlideModule } from './slide';
import '../src/viz/block-chart.css';
import './15-feed-forward.css';

export interface FeedForwardView extends TokenChoice {
  layer: number;
}

const DEFAULT_VIEW: FeedForwardView = { layer: 0, token: null, tokenPrompt: null };

export const TOP_NEURONS = 10;
/** Outputs below this count as "(almost) silent": a tenth of a typical active neuron's output. */
export const QUIET_BELOW = 0.05;

const PLOT = { width: 620, height: 420, left: 64, right: 16, top: 16, bottom: 52 };

/** What differs between GPT-2's GELU network and Llama's SwiGLU one, as the slide shows it. */
interface Activation {
  name: string;
  /** The line drawn under the dots. */
  curve: (x: number) => number;
  curveTex: string;
  /** The three projections' arrows in the widths diagram. */
  arrows: [string, string, string];
  /** GELU: each output is the curve at its input, so the slide checks it; SwiGLU's output also has the up factor. */
  outputOnCurve: boolean;
}

function activationOf(trace: Trace): Activation {
  if (trace.model.architecture.feedForward === 'swiglu') {
    return {
      name: 'SwiGLU',
      curve: silu,
      curveTex: String.raw`\mathrm{SiLU}(g) = g\,\sigma(g)`,
      arrows: ['gate_proj, up_proj →', 'SiLU(gate) × up →', 'down_proj →'],
      outputOnCurve: false,
    };
  }
  return {
    name: 'GELU',
    curve: geluTanh,
    curveTex: String.raw`\mathrm{GELU}(x) = \tfrac{1}{2}x\left(1 + \tanh\!\left(\sqrt{2/\pi}\,(x + 0.044715\,x^3)\right)\right)`,
    arrows: ['c_fc →', 'GELU →', 'c_proj →'],
    outputOnCurve: true,
  };
}

interface Selection {
  layer: number;
  token: number;
}

function select(trace: Trace, view: FeedForwardView): Selection {
  return { layer: clampIndex(view.layer, 0, Math.max(0, trace.model.nLayer - 1)), token: chosenToken(view, trace, trace.tokens.length - 1) };
}

interface Neurons {
  preAct: Float32Array;
  act: Float32Array;
}

function readNeurons(trace: Trace, { layer, token }: Selection): { ok: true; neurons: Neurons } | { ok: false; missing: string[]; problem: string } {
  const n = trace.tokens.length;
  const width = trace.model.mlpWidth;
  const preName = layerOutput(layer, 'mlp.pre_act');
  const actName = layerOutput(layer, 'mlp.act');
  const lookup = lookupTensors(
    trace,
    [
      { name: preName, shape: [n, width] },
      { name: actName, shape: [n, width] },
    ],
    `the feed-forward network of layer ${layer}`,
  );
  if (!lookup.ok) return lookup;
  return { ok: true, neurons: { preAct: tensorRow(lookup.tensors[preName], token), act: tensorRow(lookup.tensors[actName], token) } };
}

function widthsDiagram(trace: Trace): HTMLElement {
  const m = trace.model;
  const [widen, activate, narrow] = activationOf(trace).arrows;
  const box = (text: string, className: string) => html('span', { className: `tb-ffn-box ${className}`, text });
  const arrow = (text: string) => html('span', { className: 'tb-ffn-arrow', text });
  return html('div', { className: 'tb-ffn-widths' }, [
    box(formatCount(m.nEmbd), 'tb-ffn-narrow'),
    arrow(widen),
    box(formatCount(m.mlpWidth), 'tb-ffn-wide'),
    arrow(activate),
    box(formatCount(m.mlpWidth), 'tb-ffn-wide'),
    arrow(narrow),
    box(formatCount(m.nEmbd), 'tb-ffn-narrow'),
  ]);
}

/** Each neuron as a point (input, output), over the activation's curve computed from its formula. */
function activationScatter(neurons: Neurons, activation: Activation): SVGSVGElement {
  const curve = activation.curve;
  let low = -3;
  let high = 3;
  for (const value of neurons.preAct) {
    if (Number.isFinite(value)) {
      low = Math.min(low, value);
      high = Math.max(high, value);
    }
  }
  const x = scaleLinear().domain([low, high]).nice().range([PLOT.left, PLOT.width - PLOT.right]);
  const [xLow, xHigh] = x.domain();
  const y = scaleLinear()
    .domain(activationRange(neurons, curve(xLow), curve(xHigh)))
    .nice()
    .range([PLOT.height - PLOT.bottom, PLOT.top]);
  const root = svg('svg', { className: 'tb-gelu-plot', attrs: { viewBox: `0 0 ${PLOT.width} ${PLOT.height}`, role: 'img' } });
  root.append(svg('title', { text: `Each neuron: its input before ${activation.name} (across) and its output (up)` }));

  const axes = svg('g', { className: 'tb-axes' });
  const xFormat = x.tickFormat(6);
  for (const tick of x.ticks(6)) {
    axes.append(
      svg('line', { className: 'tb-grid', attrs: { x1: x(tick), x2: x(tick), y1: PLOT.top, y2: PLOT.height - PLOT.bottom } }),
      svg('text', { className: 'tb-tick', text: xFormat(tick), attrs: { x: x(tick), y: PLOT.height - PLOT.bottom + 22, 'text-anchor': 'middle' } }),
    );
  }
  const yFormat = y.tickFormat(5);
  for (const tick of y.ticks(5)) {
    axes.append(
      svg('line', { className: tick === 0 ? 'tb-grid tb-zero' : 'tb-grid', attrs: { x1: PLOT.left, x2: PLOT.width - PLOT.right, y1: y(tick), y2: y(tick) } }),
      svg('text', { className: 'tb-tick', text: yFormat(tick), attrs: { x: PLOT.left - 8, y: y(tick), 'text-anchor': 'end', 'dominant-baseline': 'middle' } }),
    );
  }
  axes.append(
    svg('text', { className: 'tb-axis-title', text: `input to ${activation.name === 'GELU' ? 'GELU' : 'SiLU: the gate'} (mlp.pre_act)`, attrs: { x: (PLOT.left + PLOT.width - PLOT.right) / 2, y: PLOT.height - 8, 'text-anchor': 'middle' } }),
    svg('text', {
      className: 'tb-axis-title',
      text: 'output',
      attrs: { x: 0, y: 0, transform: `translate(16,${(PLOT.top + PLOT.height - PLOT.bottom) / 2}) rotate(-90)`, 'text-anchor': 'middle' },
    }),
  );
  root.append(axes);

  // The curve, sampled from the formula across the plot.
  const steps = 120;
  let d = '';
  for (let i = 0; i <= steps; i++) {
    const input = xLow + ((xHigh - xLow) * i) / steps;
    d += `${i === 0 ? 'M' : 'L'}${x(input).toFixed(2)},${y(curve(input)).toFixed(2)}`;
  }
  root.append(svg('path', { className: 'tb-gelu-curve', attrs: { d } }));

  const points = svg('g', { className: 'tb-neurons' });
  for (let neuron = 0; neuron < neurons.preAct.length; neuron++) {
    const pre = neurons.preAct[neuron];
    const act = neurons.act[neuron];
    if (!Number.isFinite(pre) || !Number.isFinite(act)) continue;
    points.append(
      svg('circle', {
        className: 'tb-neuron',
        attrs: { cx: x(pre).toFixed(2), cy: y(act).toFixed(2), r: 4, 'data-neuron': neuron, 'data-pre-act': String(pre), 'data-act': String(act) },
      }),
    );
  }
  root.append(points);
  return root;
}

/** The plot's output range: the curve over the inputs' range, and every dot (SwiGLU's leave the curve). */
function activationRange(neurons: Neurons, curveAtLow: number, curveAtHigh: number): [number, number] {
  let low = Math.min(-0.5, curveAtLow);
  let high = Math.max(1, curveAtHigh);
  for (const value of neurons.act) {
    if (!Number.isFinite(value)) continue;
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  return [low, high];
}

function topNeurons(neurons: Neurons): HTMLElement {
  const rows: BarRow[] = topKIndices(neurons.act, TOP_NEURONS).map((neuron, rank) => ({
    label: html('span', { className: 'tb-neuron-label', text: `#${neuron}` }),
    value: neurons.act[neuron],
    valueText: formatValue(neurons.act[neuron]),
    attrs: { 'data-neuron': String(neuron), 'data-act': String(neurons.act[neuron]), 'data-pre-act': String(neurons.preAct[neuron]), 'data-rank': String(rank + 1) },
  }));
  const bars = horizontalBars(rows);
  bars.classList.add('tb-top-neurons');
  return bars;
}

function render(root: HTMLElement, context: SlideContext<FeedForwardView>): void {
  const trace = startLiveSlide(root, feedForward.title, context);
  if (!trace) return;
  if (trace.tokens.length === 0 || trace.model.nLayer < 1) {
    root.append(missingMessage('This Trace has no tokens or no layers, so there is no feed-forward network to show.', trace.tokens.length === 0 ? ['tokens'] : []));
    return;
  }
  const selection = select(trace, context.view);
  root.dataset.layer = String(selection.layer);
  root.dataset.query = String(selection.token);
  const rerender = (change: Partial<FeedForwardView>) => context.setView(change);
  root.append(
    html('div', { className: 'live-controls' }, [
      numberChoices('Layer', trace.model.nLayer, selection.layer, (value) => rerender({ layer: value })),
      tokenStepper(trace, selection.token, (index) => rerender({ token: index, tokenPrompt: trace.prompt })),
    ]),
  );
  const result = readNeurons(trace, selection);
  if (!result.ok) {
    root.append(missingMessage(result.problem, result.missing));
    return;
  }
  const { neurons } = result;
  const activation = activationOf(trace);
  const summary = summariseActivations(neurons.act, QUIET_BELOW);
  const stats = html('p', {
    className: 'tb-ffn-stats live-caption',
    text:
      `${formatCount(summary.negative)} of ${formatCount(summary.count)} neurons (${formatPercent(summary.negative / Math.max(1, summary.count))}) come out negative; ` +
      `${formatCount(summary.quiet)} (${formatPercent(summary.quiet / Math.max(1, summary.count))}) below ${QUIET_BELOW}: (almost) silent for this token.`,
  });
  stats.dataset.count = String(summary.count);
  stats.dataset.negative = String(summary.negative);
  stats.dataset.quiet = String(summary.quiet);
  stats.dataset.quietBelow = String(QUIET_BELOW);
  const caption: Node[] = [document.createTextNode(`Dots: this token's ${formatCount(neurons.act.length)} neurons. Line: `), formula(activation.curveTex, false)];
  if (activation.outputOnCurve) {
    const mismatch = geluMismatch(neurons.preAct, neurons.act);
    stats.dataset.geluMismatch = String(mismatch);
    caption.push(document.createTextNode(`; the model's outputs sit on it to within ${formatTiny(mismatch)}.`));
  } else {
    caption.push(document.createTextNode('. Each output is SiLU(gate) times that neuron\'s up-projection number, so the dots leave the line.'));
  }
  root.append(
    html('div', { className: 'tb-ffn-head' }, [
      // The token and layer are in the controls above: the lead says only what the network does with them.
      html('p', { className: 'live-lead', text: 'Each token on its own:' }),
      widthsDiagram(trace),
    ]),
    html('div', { className: 'tb-ffn-layout' }, [
      html('figure', { className: 'tb-ffn-figure' }, [activationScatter(neurons, activation), html('figcaption', { className: 'live-caption' }, caption)]),
      html('div', { className: 'tb-ffn-side' }, [html('p', { className: 'tb-side-title', text: `Most active ${TOP_NEURONS} neurons (index: output)` }), topNeurons(neurons), stats]),
    ]),
  );
}

function notes(context: SlideContext<FeedForwardView>): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  if (trace.tokens.length === 0 || trace.model.nLayer < 1) return 'This Trace has no tokens or no layers: no feed-forward network to talk about.';
  const selection = select(trace, context.view);
  const result = readNeurons(trace, selection);
  if (!result.ok) return result.problem;
  const { neurons } = result;
  const m = trace.model;
  const activation = activationOf(trace);
  const top = topKIndices(neurons.act, 3);
  const summary = summariseActivations(neurons.act, QUIET_BELOW);
  const lines = [
    `Layer ${selection.layer}, token ${quoteToken(trace.tokens[selection.token].text)} (${selection.token + 1} of ${trace.tokens.length}): ${m.nEmbd} numbers widen to ${m.mlpWidth} neurons, pass ${activation.name}, and narrow back to ${m.nEmbd}.`,
    `Most active: ${top.map((neuron) => `#${neuron} at ${formatValue(neurons.act[neuron])}`).join(', ')}.`,
  ];
  if (activation.outputOnCurve) {
    lines.push(
      `${summary.negative} of ${summary.count} come out negative (GELU never goes below about −0.17); ${summary.quiet} are below ${QUIET_BELOW}.`,
      `Point at the curve: big inputs pass almost unchanged, negative ones are squashed towards 0. The model's outputs match the formula to ${formatTiny(geluMismatch(neurons.preAct, neurons.act))}.`,
    );
  } else {
    lines.push(
      `${summary.negative} of ${summary.count} come out negative; ${summary.quiet} are below ${QUIET_BELOW}.`,
      'SwiGLU: the gate passes through SiLU (the line), then multiplies a second projection (up), so an output can be large or negative wherever the up number is.',
    );
  }
  lines.push('Large models are wider (e.g. 4,096 → 16,384): other models\' numbers, not this one\'s.');
  return lines.join('\n');
}

const feedForward = {
  id: 'feed-forward',
  title: 'The feed-forward network',
  defaultView: DEFAULT_VIEW,
  render,
  notes,
} satisfies SlideModule<FeedForwardView>;

export default feedForward;
