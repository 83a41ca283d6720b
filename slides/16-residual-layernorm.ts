// Slide: the residual stream and LayerNorm. The length (L2 norm) of one token's residual-stream vector
// after every sub-layer adds its output (embeddings -> after attention -> after feed-forward -> ... ->
// final LayerNorm), as a line chart; and what LayerNorm does to that vector at one layer's ln_1:
// mean and standard deviation before, after standardising (computed here), and after the learned
// gain and bias (the model's ln_1 output).
//
// GPT-2 order (pre-LayerNorm): x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)); the stream itself is never
// normalised until ln_f, which is why its length can grow from layer to layer.
//
// View (kept by the deck): token (default the last) and the layer whose ln_1 is dissected (default 0).
//
// Test hooks:
//   root: data-layer (ln_1 layer), data-query (token)
//   circle.tb-norm-point: data-stage (output name), data-norm (L2 norm at the token), data-final-norm ("true" for ln_f)
//   tr.tb-ln-row[data-stat="input"|"standardised"|"output"]: data-mean, data-std
import { scaleLinear, scalePoint } from 'd3-scale';
import { layerOutput } from '../src/trace/output-names';
import { euclideanNorm, meanStd, rmsScale, rootMeanSquare, standardise } from '../src/maths/layer-norm-stats';
import { architectureSummary, finalNormName, normName } from '../src/viz/architecture-names';
import { chosenToken, clampIndex, numberChoices, tokenStepper, type TokenChoice } from '../src/viz/block-controls';
import { formatValue } from '../src/viz/block-number-format';
import { lookupTensors, residualInputName, residualStages, type ResidualStage } from '../src/viz/block-tensors';
import { html, svg } from '../src/viz/dom';
import { quoteToken } from '../src/viz/format';
import { formula } from '../src/viz/formula';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { tensorRow, type Trace } from '../src/trace';
import type { SlideContext, SlideModule } from './slide';
import '../src/viz/block-chart.css';
import './16-residual-layernorm.css';

export interface ResidualLayerNormView extends TokenChoice {
  layer: number;
}

const DEFAULT_VIEW: ResidualLayerNormView = { layer: 0, token: null, tokenPrompt: null };

const CHART = { width: 700, height: 400, left: 70, right: 20, top: 20, bottom: 70 };

interface Selection {
  layer: number;
  token: number;
}

function select(trace: Trace, view: ResidualLayerNormView): Selection {
  return { layer: clampIndex(view.layer, 0, Math.max(0, trace.model.nLayer - 1)), token: chosenToken(view, trace, trace.tokens.length - 1) };
}

export interface StageNorm {
  stage: ResidualStage;
  norm: number;
}

function stageNorms(trace: Trace, token: number): { ok: true; norms: StageNorm[] } | { ok: false; missing: string[]; problem: string } {
  const stages = residualStages(trace.model);
  const shape = [trace.tokens.length, trace.model.nEmbd];
  const lookup = lookupTensors(trace, stages.map((stage) => ({ name: stage.name, shape })), 'the residual stream');
  if (!lookup.ok) return lookup;
  return { ok: true, norms: stages.map((stage) => ({ stage, norm: euclideanNorm(tensorRow(lookup.tensors[stage.name], token)) })) };
}

export interface VectorStats {
  mean: number;
  std: number;
  /** Root mean square: what RMSNorm scales to just under 1. */
  rms: number;
}

export interface LayerNormStats {
  input: VectorStats;
  /** The norm's first half: standardised (LayerNorm) or divided by its RMS (RMSNorm). */
  standardised: VectorStats;
  output: VectorStats;
}

function vectorStats(values: ArrayLike<number>): VectorStats {
  return { ...meanStd(values), rms: rootMeanSquare(values) };
}

function layerNormStats(trace: Trace, { layer, token }: Selection): { ok: true; stats: LayerNormStats } | { ok: false; missing: string[]; problem: string } {
  const inputName = residualInputName(layer);
  const outputName = layerOutput(layer, 'ln_1');
  const shape = [trace.tokens.length, trace.model.nEmbd];
  const lookup = lookupTensors(
    trace,
    [
      { name: inputName, shape },
      { name: outputName, shape },
    ],
    `${normName(trace.model)} in layer ${layer}`,
  );
  if (!lookup.ok) return lookup;
  const input = tensorRow(lookup.tensors[inputName], token);
  const epsilon = trace.model.layerNormEpsilon;
  const firstHalf = trace.model.architecture.norm === 'rmsnorm' ? rmsScale(input, epsilon) : standardise(input, epsilon);
  return {
    ok: true,
    stats: { input: vectorStats(input), standardised: vectorStats(firstHalf), output: vectorStats(tensorRow(lookup.tensors[outputName], token)) },
  };
}

function normChart(norms: StageNorm[]): SVGSVGElement {
  const x = scalePoint<string>()
    .domain(norms.map((entry) => entry.stage.name))
    .range([CHART.left, CHART.width - CHART.right])
    .padding(0.4);
  const largest = Math.max(0, ...norms.map((entry) => (Number.isFinite(entry.norm) ? entry.norm : 0)));
  const y = scaleLinear()
    .domain([0, largest > 0 ? largest : 1])
    .nice()
    .range([CHART.height - CHART.bottom, CHART.top]);
  const root = svg('svg', { className: 'tb-norm-chart', attrs: { viewBox: `0 0 ${CHART.width} ${CHART.height}`, role: 'img' } });
  root.append(svg('title', { text: "Length of the token's vector after each step" }));
  const axes = svg('g', { className: 'tb-axes' });
  const yFormat = y.tickFormat(5);
  for (const tick of y.ticks(5)) {
    axes.append(
      svg('line', { className: 'tb-grid', attrs: { x1: CHART.left, x2: CHART.width - CHART.right, y1: y(tick), y2: y(tick) } }),
      svg('text', { className: 'tb-tick', text: yFormat(tick), attrs: { x: CHART.left - 8, y: y(tick), 'text-anchor': 'end', 'dominant-baseline': 'middle' } }),
    );
  }
  const labelEvery = Math.ceil(norms.length / 14); // keep labels from overlapping in deep models
  norms.forEach((entry, index) => {
    if (index % labelEvery !== 0 && index !== norms.length - 1) return;
    const px = x(entry.stage.name) ?? 0;
    axes.append(
      svg('text', {
        className: 'tb-tick',
        text: entry.stage.label,
        attrs: { x: 0, y: 0, transform: `translate(${px},${CHART.height - CHART.bottom + 14}) rotate(-35)`, 'text-anchor': 'end', 'dominant-baseline': 'middle' },
      }),
    );
  });
  axes.append(
    svg('text', {
      className: 'tb-axis-title',
      text: 'length (L2 norm)',
      attrs: { x: 0, y: 0, transform: `translate(16,${(CHART.top + CHART.height - CHART.bottom) / 2}) rotate(-90)`, 'text-anchor': 'middle' },
    }),
  );
  root.append(axes);

  // The residual stream's line stops before ln_f: that point is a normalised copy, not the stream.
  const stream = norms.filter((entry) => !entry.stage.isFinalNorm && Number.isFinite(entry.norm));
  const d = stream.map((entry, index) => `${index === 0 ? 'M' : 'L'}${(x(entry.stage.name) ?? 0).toFixed(2)},${y(entry.norm).toFixed(2)}`).join('');
  if (d) root.append(svg('path', { className: 'tb-norm-line', attrs: { d } }));
  for (const entry of norms) {
    if (!Number.isFinite(entry.norm)) continue;
    const px = x(entry.stage.name) ?? 0;
    const point = svg('circle', {
      className: `tb-norm-point${entry.stage.isFinalNorm ? ' tb-norm-final' : ''}`,
      attrs: { cx: px.toFixed(2), cy: y(entry.norm).toFixed(2), r: 8, 'data-stage': entry.stage.name, 'data-norm': String(entry.norm), 'data-final-norm': String(entry.stage.isFinalNorm) },
    });
    point.append(svg('title', { text: `${entry.stage.description}: ${formatValue(entry.norm)}` }));
    root.append(point);
  }
  const last = norms[norms.length - 1];
  if (last && Number.isFinite(last.norm)) {
    root.append(
      svg('text', {
        className: 'tb-norm-final-label',
        text: formatValue(last.norm),
        attrs: { x: (x(last.stage.name) ?? 0) - 14, y: y(last.norm) - 14, 'text-anchor': 'end' },
      }),
    );
  }
  const first = norms[0];
  if (first && Number.isFinite(first.norm)) {
    root.append(svg('text', { className: 'tb-norm-final-label', text: formatValue(first.norm), attrs: { x: (x(first.stage.name) ?? 0) + 14, y: y(first.norm) - 14 } }));
  }
  return root;
}

/** How the panel shows each norm: its formula, the table's spread column, and its rows' labels. */
function normPanelText(trace: Trace): { formulaTex: string; spread: 'std' | 'rms'; spreadHeading: string; firstHalf: string; output: string; caption: string } {
  const epsilon = trace.model.layerNormEpsilon;
  if (trace.model.architecture.norm === 'rmsnorm') {
    return {
      formulaTex: String.raw`\mathrm{RMSNorm}(x) = \gamma \odot \frac{x}{\sqrt{\overline{x^2} + \varepsilon}}`,
      spread: 'rms',
      spreadHeading: 'RMS',
      firstHalf: 'x / √(mean(x²) + ε)',
      output: 'ln_1 output: × γ',
      caption: `Dividing by the root mean square brings the RMS just under 1 (ε = ${epsilon}) without centring: the mean is only scaled, not removed. The learned gain γ then stretches each number.`,
    };
  }
  return {
    formulaTex: String.raw`\mathrm{LN}(x) = \gamma \odot \frac{x - \mu}{\sqrt{\sigma^2 + \varepsilon}} + \beta`,
    spread: 'std',
    spreadHeading: 'std σ',
    firstHalf: '(x − μ) / √(σ² + ε)',
    output: 'ln_1 output: × γ, + β',
    caption: `Standardising gives mean 0 and std just under 1 (ε = ${epsilon}); the learned gain γ and bias β then shift and stretch each number, so the output's mean and std are only near 0 and 1.`,
  };
}

function layerNormPanel(trace: Trace, selection: Selection): HTMLElement {
  const text = normPanelText(trace);
  const panel = html('div', { className: 'tb-ln-panel' }, [
    html('p', { className: 'tb-side-title', text: `${normName(trace.model)} ln_1 of layer ${selection.layer}, on this token` }),
    formula(text.formulaTex),
  ]);
  const result = layerNormStats(trace, selection);
  if (!result.ok) {
    panel.append(missingMessage(result.problem, result.missing));
    return panel;
  }
  // The first half's spread gets five decimals: "just under 1" must not read as "1.000".
  const row = (stat: keyof LayerNormStats, label: string, values: VectorStats, precise = false) => {
    const spread = values[text.spread];
    const tr = html('tr', { className: 'tb-ln-row' }, [
      html('td', { text: label }),
      html('td', { text: formatValue(values.mean) }),
      html('td', { text: precise ? spread.toFixed(5) : formatValue(spread) }),
    ]);
    tr.dataset.stat = stat;
    tr.dataset.mean = String(values.mean);
    tr.dataset.std = String(values.std);
    tr.dataset.rms = String(values.rms);
    return tr;
  };
  const { stats } = result;
  panel.append(
    html('table', { className: 'tb-ln-table' }, [
      html('thead', {}, [html('tr', {}, [html('th', { text: '' }), html('th', { text: 'mean μ' }), html('th', { text: text.spreadHeading })])]),
      html('tbody', {}, [row('input', 'x, the stream', stats.input), row('standardised', text.firstHalf, stats.standardised, true), row('output', text.output, stats.output)]),
    ]),
    html('p', { className: 'live-caption', text: text.caption }),
  );
  return panel;
}

function render(root: HTMLElement, context: SlideContext<ResidualLayerNormView>): void {
  const trace = startLiveSlide(root, context.trace ? `Residual stream and ${normName(context.trace.model)}` : residualLayerNorm.title, context);
  if (!trace) return;
  if (trace.tokens.length === 0 || trace.model.nLayer < 1) {
    root.append(missingMessage('This Trace has no tokens or no layers, so there is no residual stream to follow.', trace.tokens.length === 0 ? ['tokens'] : []));
    return;
  }
  const selection = select(trace, context.view);
  root.dataset.layer = String(selection.layer);
  root.dataset.query = String(selection.token);
  const rerender = (change: Partial<ResidualLayerNormView>) => context.setView(change);
  root.append(
    html('div', { className: 'live-controls' }, [
      tokenStepper(trace, selection.token, (index) => rerender({ token: index, tokenPrompt: trace.prompt })),
      numberChoices(`${normName(trace.model)} of layer`, trace.model.nLayer, selection.layer, (value) => rerender({ layer: value })),
    ]),
    html('div', { className: 'tb-resid-lead' }, [
      // The token is in the stepper above; one line leaves the chart its height.
      html('p', { className: 'live-lead', text: "Each sub-layer adds to the stream; nothing replaces it. The token's vector length:" }),
      formula(String.raw`x \leftarrow x + \mathrm{attn}(\mathrm{ln_1}(x)), \qquad x \leftarrow x + \mathrm{mlp}(\mathrm{ln_2}(x))`),
    ]),
  );
  const norms = stageNorms(trace, selection.token);
  const chart = norms.ok
    ? html('figure', { className: 'tb-norm-figure' }, [
        normChart(norms.norms),
        html('figcaption', {
          className: 'live-caption',
          text: `This model normalises a copy before each sub-layer (ln_1, ln_2), never the stream itself, until the final ${normName(trace.model)} (hollow dot).`,
        }),
      ])
    : missingMessage(norms.problem, norms.missing);
  root.append(html('div', { className: 'tb-resid-layout' }, [chart, layerNormPanel(trace, selection)]));
}

function notes(context: SlideContext<ResidualLayerNormView>): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  if (trace.tokens.length === 0 || trace.model.nLayer < 1) return 'This Trace has no tokens or no layers: no residual stream to follow.';
  const selection = select(trace, context.view);
  const lines = [`Token ${quoteToken(trace.tokens[selection.token].text)} (${selection.token + 1} of ${trace.tokens.length}).`];
  const norms = stageNorms(trace, selection.token);
  if (norms.ok) {
    lines.push(`Lengths: ${norms.norms.map((entry) => `${entry.stage.label} ${formatValue(entry.norm)}`).join(' → ')}.`);
    lines.push(`The stream only ever gets things added (residual connections); ${finalNormName(trace.model)} rescales it once at the end for the LM head.`);
  } else {
    lines.push(norms.problem);
  }
  const ln = layerNormStats(trace, selection);
  if (ln.ok) {
    const { input, standardised, output } = ln.stats;
    lines.push(
      trace.model.architecture.norm === 'rmsnorm'
        ? `ln_1 (RMSNorm) of layer ${selection.layer}: the input has mean ${formatValue(input.mean)} and RMS ${formatValue(input.rms)}; divided by its RMS, ${formatValue(standardised.mean)} and ${standardised.rms.toFixed(5)}; ` +
            `after the learned gain, ${formatValue(output.mean)} and ${formatValue(output.rms)}.`
        : `ln_1 of layer ${selection.layer}: the input has mean ${formatValue(input.mean)} and std ${formatValue(input.std)}; standardised, ${formatValue(standardised.mean)} and ${standardised.std.toFixed(5)}; ` +
            `after the learned gain and bias, ${formatValue(output.mean)} and ${formatValue(output.std)}.`,
    );
  } else {
    lines.push(ln.problem);
  }
  lines.push(`The original 2017 Transformer normalised after each addition; this model normalises before each sub-layer. ${architectureSummary(trace.model)}`);
  return lines.join('\n');
}

const residualLayerNorm = {
  id: 'residual-layernorm',
  title: 'Residual stream and LayerNorm',
  defaultView: DEFAULT_VIEW,
  render,
  notes,
} satisfies SlideModule<ResidualLayerNormView>;

export default residualLayerNorm;
