// Slide: sampling. Temperature, top-k and top-p reshape the model's real next-token distribution
// (trace.lastLogits, through samplingDistribution in src/maths/sampling.ts); the top candidates show
// their probability before and after, and a seeded draw picks one token: u walks the cumulative sum of
// the bars in the order they are shown (likeliest first, drawOrder), and the strip under the bars shows
// that sum with the segment u lands in highlighted.
//
// Test hooks (full precision):
//   .sampling-body   data-temperature, data-top-k, data-top-p, data-seed (the clamped settings),
//                    data-eligible (tokens with probability > 0 after the settings), data-uniform
//                    (the seeded number in [0, 1)), data-drawn-id, data-drawn-prob (after the
//                    settings), data-drawn-rank (1-based, by the model's own probability)
//   .sampling-row    data-rank, data-token-id, data-prob-before (softmax at T = 1), data-prob-after,
//                    data-cumulative-after (the sum of data-prob-after down to this row, in shown order)
//   .sampling-segment  data-token-id, data-from, data-to (its span of the cumulative sum); .sampling-segment-landed: u's
// View (kept by the deck, shared with the last slide's Sample button): temperature, topK, topP, seed.
// The draw uses seededRandom (mulberry32) from src/maths/sampling.ts, never an unseeded source, so the
// speaker view, the audience screen and the handout show the same draw for the same seed.
import { drawFrom, samplingDistribution, seededRandom, type SamplingSettings } from '../src/maths/sampling';
import { eligibleCount, rankOf } from '../src/maths/sampling-summary';
import { softmax, topKIndices } from '../src/maths/softmax';
import type { Trace } from '../src/trace';
import { candidateLabel, candidateName } from '../src/viz/candidate-label';
import { html } from '../src/viz/dom';
import { formatCount, formatPercent } from '../src/viz/format';
import { formula } from '../src/viz/formula';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { keptDrawing } from '../src/viz/kept-drawing';
import { clampSamplingView, DEFAULT_SAMPLING_VIEW, SAMPLING_VIEW_ID, type SamplingView } from '../src/viz/sampling-settings';
import type { SlideContext, SlideModule } from './slide';
import './20-sampling.css';

export const SAMPLING_PRESETS: readonly { name: string; settings: SamplingSettings }[] = [
  { name: 'Greedy', settings: { temperature: 0, topK: 0, topP: 1 } },
  { name: 'Balanced', settings: { temperature: 0.8, topK: 40, topP: 0.95 } },
  { name: 'Creative', settings: { temperature: 1.2, topK: 0, topP: 1 } },
];

const CANDIDATE_ROWS = 12;

interface SamplingResult {
  settings: SamplingView;
  before: Float64Array;
  after: Float64Array;
  candidates: number[];
  eligible: number;
  uniform: number;
  drawn: number;
}

/** Everything the slide and the notes show, from the Trace and the settings. */
function sample(trace: Trace, view: SamplingView): SamplingResult {
  const settings = clampSamplingView(view);
  const before = softmax(trace.lastLogits);
  const after = samplingDistribution(trace.lastLogits, settings);
  const uniform = seededRandom(settings.seed)();
  return {
    settings,
    before,
    after,
    candidates: topKIndices(before, CANDIDATE_ROWS),
    eligible: eligibleCount(after),
    uniform,
    drawn: drawFrom(after, uniform),
  };
}

function settingsText(settings: SamplingSettings): string {
  if (settings.temperature === 0) return 'temperature 0 (greedy)';
  return `temperature ${settings.temperature.toFixed(2)}, top-k ${settings.topK === 0 ? 'off' : settings.topK}, top-p ${settings.topP >= 1 ? 'off' : settings.topP.toFixed(2)}`;
}

interface SliderSpec {
  key: 'temperature' | 'topK' | 'topP';
  label: string;
  min: number;
  max: number;
  step: number;
  show: (value: number) => string;
}

const SLIDERS: readonly SliderSpec[] = [
  { key: 'temperature', label: 'Temperature', min: 0, max: 2, step: 0.05, show: (v) => (v === 0 ? '0 (greedy)' : v.toFixed(2)) },
  { key: 'topK', label: 'Top-k', min: 0, max: 50, step: 1, show: (v) => (v === 0 ? 'off' : String(v)) },
  { key: 'topP', label: 'Top-p', min: 0, max: 1, step: 0.01, show: (v) => (v >= 1 ? 'off' : v.toFixed(2)) },
];

function pairedBars(trace: Trace, result: SamplingResult): HTMLElement {
  const shown = result.candidates;
  const largest = Math.max(1e-12, ...shown.map((id) => Math.max(result.before[id], result.after[id])));
  const chart = html('div', { className: 'sampling-bars' }, [
    html('span', { className: 'sampling-bars-head', text: 'token' }),
    html('span', { className: 'sampling-bars-head' }, [
      html('span', { className: 'sampling-key sampling-key-before', text: '■' }),
      document.createTextNode(' the model  '),
      html('span', { className: 'sampling-key sampling-key-after', text: '■' }),
      document.createTextNode(' after your settings'),
    ]),
    html('span', { className: 'sampling-bars-head', text: 'model → after' }),
  ]);
  let cumulative = 0;
  shown.forEach((id, rank) => {
    cumulative += result.after[id];
    const beforeBar = html('div', { className: 'sampling-bar sampling-bar-before' });
    beforeBar.style.width = `${(100 * result.before[id]) / largest}%`;
    const afterBar = html('div', { className: 'sampling-bar sampling-bar-after' });
    afterBar.style.width = `${(100 * result.after[id]) / largest}%`;
    const excluded = result.after[id] === 0;
    chart.append(
      html(
        'div',
        {
          className: `sampling-row${excluded ? ' sampling-row-excluded' : ''}${id === result.drawn ? ' sampling-row-drawn' : ''}`,
          attrs: { 'data-rank': String(rank + 1), 'data-token-id': String(id), 'data-prob-before': String(result.before[id]), 'data-prob-after': String(result.after[id]), 'data-cumulative-after': String(cumulative) },
        },
        [
          html('div', { className: 'sampling-label' }, [candidateLabel(trace, id, `rank ${rank + 1}`)]),
          html('div', { className: 'sampling-track' }, [beforeBar, afterBar]),
          html('div', { className: 'sampling-values', text: `${formatPercent(result.before[id])} → ${excluded ? 'out' : formatPercent(result.after[id])}` }),
        ],
      ),
    );
  });
  return chart;
}

/**
 * The cumulative sum of the bars, in the order shown: one segment per shown token that can be drawn, the
 * rest of the drawable mass as one grey segment, and a marker at u; the segment u lands in is highlighted.
 */
function cumulativeStrip(result: SamplingResult): HTMLElement {
  const strip = html('div', { className: 'sampling-cumulative', attrs: { 'aria-label': 'The cumulative sum of the bars, in the order shown, and where u lands' } });
  let from = 0;
  result.candidates.forEach((id, rank) => {
    const p = result.after[id];
    if (p <= 0) return;
    const to = from + p;
    const landed = id === result.drawn;
    const segment = html('div', {
      className: `sampling-segment${landed ? ' sampling-segment-landed' : ''}`,
      attrs: { 'data-token-id': String(id), 'data-from': String(from), 'data-to': String(to), title: `rank ${rank + 1}: ${formatPercent(from)} to ${formatPercent(to)}` },
      text: p >= 0.05 ? String(rank + 1) : '',
    });
    segment.style.left = `${100 * from}%`;
    segment.style.width = `${100 * p}%`;
    strip.append(segment);
    from = to;
  });
  if (from < 1 - 1e-9) {
    const rest = html('div', { className: `sampling-segment sampling-segment-rest${from <= result.uniform ? ' sampling-segment-landed' : ''}`, attrs: { 'data-from': String(from), 'data-to': '1' } });
    rest.style.left = `${100 * from}%`;
    rest.style.width = `${100 * (1 - from)}%`;
    strip.append(rest);
  }
  const marker = html('div', { className: 'sampling-u-marker', text: 'u' });
  marker.style.left = `${100 * result.uniform}%`;
  strip.append(marker);
  return strip;
}

function drawPanel(trace: Trace, result: SamplingResult, onSeed: (seed: number) => void): HTMLElement {
  const { settings, drawn } = result;
  const seedInput = html('input', { className: 'sampling-seed', attrs: { type: 'number', min: 0, step: 1, value: String(settings.seed), 'aria-label': 'Seed' } });
  seedInput.addEventListener('change', () => onSeed(Number(seedInput.value)));
  const again = html('button', { className: 'live-choice', text: 'Draw again', attrs: { type: 'button' } });
  again.addEventListener('click', () => onSeed((settings.seed + 1) >>> 0));
  const greedy = settings.temperature === 0;
  return html('div', { className: 'sampling-draw' }, [
    html('label', { className: 'sampling-seed-label' }, [document.createTextNode('Seed '), seedInput]),
    again,
    html('span', {
      className: 'sampling-uniform',
      text: greedy ? `→ u = ${result.uniform.toFixed(4)} (unused: greedy takes the top token)` : `→ u = ${result.uniform.toFixed(4)}: adding up the bars from the top, it lands on`,
    }),
    html('span', { className: 'sampling-drawn' }, [candidateLabel(trace, drawn), document.createTextNode(` ${formatPercent(result.after[drawn])}, rank ${rankOf(result.before, drawn)}`)]),
  ]);
}

function results(trace: Trace, result: SamplingResult, body: HTMLElement, onSeed: (seed: number) => void): void {
  const { settings } = result;
  const hooks: Record<string, string> = {
    temperature: String(settings.temperature),
    topK: String(settings.topK),
    topP: String(settings.topP),
    seed: String(settings.seed),
    eligible: String(result.eligible),
    uniform: String(result.uniform),
    drawnId: String(result.drawn),
    drawnProb: String(result.after[result.drawn]),
    drawnRank: String(rankOf(result.before, result.drawn)),
  };
  Object.assign(body.dataset, hooks);
  const vocab = trace.lastLogits.length;
  const lead = html('p', { className: 'live-lead sampling-eligible' }, [
    html('strong', { text: formatCount(result.eligible) }),
    document.createTextNode(` of ${formatCount(vocab)} tokens can be drawn.`),
  ]);
  if (settings.temperature === 0) lead.append(document.createTextNode(' Temperature 0 is greedy: always the top token; top-k and top-p change nothing.'));
  const recipe = html('div', { className: 'sampling-formula' }, [
    // exp() and a slash, not a fraction of powers: no script smaller than 70% of the formula's size.
    formula('p_i = \\exp(z_i / T) \\,/\\, \\textstyle\\sum_j \\exp(z_j / T)', false),
    html('span', { className: 'live-caption', text: 'then keep the top k, then the fewest reaching p; renormalise' }),
  ]);
  const strip = settings.temperature === 0 ? [] : [cumulativeStrip(result)];
  body.replaceChildren(html('div', { className: 'sampling-summary' }, [lead, recipe]), pairedBars(trace, result), ...strip, drawPanel(trace, result, onSeed));
}

/** The sliders and presets, built once per Trace (a rebuilt slider would end a drag); `show` sets them from the view. */
function controls(setView: (change: Partial<SamplingView>) => void): { element: HTMLElement; show: (settings: SamplingView) => void } {
  const sliders = SLIDERS.map((spec) => {
    const output = html('output', { className: 'sampling-slider-value' });
    const input = html('input', { attrs: { type: 'range', min: spec.min, max: spec.max, step: spec.step, 'aria-label': spec.label, 'data-setting': spec.key } });
    input.addEventListener('input', () => setView({ [spec.key]: Number(input.value) }));
    const show = (settings: SamplingView) => {
      output.textContent = spec.show(settings[spec.key]);
      input.setAttribute('value', String(settings[spec.key]));
      if (Number(input.value) !== settings[spec.key]) input.value = String(settings[spec.key]); // never while it is dragged: the value came from it
    };
    return { element: html('label', { className: 'sampling-slider' }, [html('span', { className: 'sampling-slider-name', text: spec.label }), output, input]), show };
  });
  const presets = html('div', { className: 'live-choices', attrs: { role: 'group', 'aria-label': 'Presets' } }, [html('span', { className: 'live-choices-label', text: 'Presets' })]);
  const presetButtons = SAMPLING_PRESETS.map((preset) => {
    const button = html('button', { className: 'live-choice', text: preset.name, attrs: { type: 'button', 'data-preset': preset.name } });
    button.addEventListener('click', () => setView(preset.settings));
    presets.append(button);
    return { button, preset };
  });
  const show = (settings: SamplingView) => {
    for (const slider of sliders) slider.show(settings);
    for (const { button, preset } of presetButtons) {
      const active = settings.temperature === preset.settings.temperature && settings.topK === preset.settings.topK && settings.topP === preset.settings.topP;
      button.setAttribute('aria-pressed', String(active));
    }
  };
  return { element: html('div', { className: 'sampling-controls' }, [...sliders.map((slider) => slider.element), presets]), show };
}

function render(root: HTMLElement, context: SlideContext<SamplingView>): void {
  // Built once per Trace; a view change (a slider moving) redraws the results and sets the controls.
  keptDrawing(root, [context.trace, context.waitingMessage], context.view, () => build(root, context));
}

/** Draws the slide's elements; returns how to show a view in them. */
function build(root: HTMLElement, context: SlideContext<SamplingView>): (view: SamplingView) => void {
  const trace = startLiveSlide(root, sampling.title, context);
  if (!trace) return () => undefined;
  if (trace.lastLogits.length === 0) {
    root.append(missingMessage('This Trace holds no logits for the last token, so there is nothing to sample from.', ['lastLogits']));
    return () => undefined;
  }
  const body = html('div', { className: 'sampling-body' });
  const { element, show } = controls(context.setView);
  root.append(element, body);
  return (view) => {
    show(clampSamplingView(view));
    results(trace, sample(trace, view), body, (seed) => context.setView({ seed }));
  };
}

function notes(context: SlideContext<SamplingView>): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  if (trace.lastLogits.length === 0) return 'This Trace has no logits for the last token (lastLogits is empty).';
  const result = sample(trace, context.view);
  const [first] = result.candidates;
  return [
    `Settings: ${settingsText(result.settings)}. ${formatCount(result.eligible)} of ${formatCount(trace.lastLogits.length)} tokens can be drawn.`,
    `The top token ${candidateName(trace, first)} goes from ${formatPercent(result.before[first])} (the model's own probability) to ${formatPercent(result.after[first])}.`,
    `Seed ${result.settings.seed} gives u = ${result.uniform.toFixed(4)}; adding up the bars from the top (the order shown), u lands on ${candidateName(trace, result.drawn)} (id ${result.drawn}, ${formatPercent(result.after[result.drawn])} after the settings, rank ${rankOf(result.before, result.drawn)}).`,
    'Try Greedy (always the top token), then Creative, and press Draw again a few times.',
    `On the last slide, Sample answers with these settings and seed ${result.settings.seed}: the same seed gives the same answer.`,
    'Tokens outside the top 10 show as ids: the Trace decodes only the top-10 candidates and the prompt.',
  ].join('\n');
}

const sampling = {
  id: 'sampling',
  title: 'Sampling: from probabilities to one token',
  defaultView: DEFAULT_SAMPLING_VIEW,
  viewId: SAMPLING_VIEW_ID,
  render,
  notes,
} satisfies SlideModule<SamplingView>;

export default sampling;
