// Slide: who voted for the next token. The top token's logit at the last position (or its gap over the
// runner-up, a view toggle) split exactly into what each part of the model wrote into the residual stream:
// the token and position embeddings, every head of every layer, every MLP, the biases. The final norm's
// scale at that position is held fixed (the usual linearisation), so the parts add up to the model's logit.
// Data: trace.attribution (the engine computes it: it needs the output projections' weights).
//
// Test hooks:
//   root  data-measure ('logit' | 'gap'), data-target-id, data-sum, data-model-value
//   .dla-row[data-kind][data-layer][data-head][data-value]   one per bar, largest |value| first
//   .dla-others[data-value][data-count]                        the smaller components, summed
//   .dla-sum                                                    the sum next to the model's own value
//   button.dla-toggle[data-part="2.3" | "mlp1"][aria-pressed]   a head's or an MLP's name: a click switches it off or on
//   .dla-knock-out[data-state="off" | "pending" | "done" | "refused"]   what is switched off, before and after
//   button.dla-restore                                           switches everything back on
// The knock-out is the deck's (`ablate`, "2.3,mlp1", a deck field every view declaring it shares: the multi-head
// slide and the tower set it too; the URL keeps it as ?ablate=2.3,mlp1); the deck runs the model again with those
// parts' outputs zeroed (the embedded model is converted with the knock-out inputs).
import { interpolatePuOr } from 'd3-scale-chromatic';
import { scaleLinear } from 'd3-scale';
import { html } from '../src/viz/dom';
import { formatPercent, quoteToken } from '../src/viz/format';
import { softmax } from '../src/maths/softmax';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { tokenChip } from '../src/viz/token-chip';
import {
  attributionVariant,
  componentLabel,
  formatKnockOut,
  isKnockOutEmpty,
  parseKnockOut,
  rankContributions,
  toggleKnockOut,
  type AttributionComponent,
  type KnockOut,
  type LogitAttribution,
  type Trace,
} from '../src/trace';
import type { SlideContext, SlideModule } from './slide';
import './19b-who-voted.css';

export interface WhoVotedView {
  /** 'logit': the top token's logit; 'gap': how far it leads the runner-up. */
  measure: string;
  /** The parts switched off, "2.3,mlp1" ('' for none): the deck runs the model again without them. */
  ablate: string;
}

const DEFAULT_VIEW: WhoVotedView = { measure: 'logit', ablate: '' };
/** Bars on the slide; the rest are summed in one line. */
export const SHOWN_COMPONENTS = 12;
const ROOT_HOOKS = ['measure', 'targetId', 'sum', 'modelValue'] as const;
/** PuOr (ColorBrewer, colour-blind safe): orange for a push up, purple for a push down; each bar also sits on its own side. */
const POSITIVE = interpolatePuOr(0.8); // d3's PuOr runs from purple (0) to orange (1)
const NEGATIVE = interpolatePuOr(0.2);

function measureOf(view: WhoVotedView): 'logit' | 'gap' {
  return view.measure === 'gap' ? 'gap' : 'logit';
}

/** "+3.02" / "−0.41": the sign spelled out, so the side is not the only cue. */
export function signed(value: number, digits = 2): string {
  const text = Math.abs(value).toFixed(digits);
  return value < 0 ? `−${text}` : `+${text}`;
}

/** What the sum's difference from the model's value reads as: "1.3e-6". */
function differenceText(difference: number): string {
  return Math.abs(difference) < 1e-12 ? '0' : Math.abs(difference).toExponential(1);
}

function what(variant: LogitAttribution): string {
  const target = quoteToken(variant.target.token);
  return variant.against ? `how far ${target} leads ${quoteToken(variant.against.token)}` : `the logit of ${target}`;
}

function measureToggle(trace: Trace, measure: 'logit' | 'gap', setView: (patch: Partial<WhoVotedView>) => void): HTMLElement {
  const group = html('div', { className: 'live-choices', attrs: { role: 'group', 'aria-label': 'What is split' } }, [html('span', { className: 'live-choices-label', text: 'Split' })]);
  const button = (value: 'logit' | 'gap', text: string, enabled: boolean) => {
    const element = html('button', { className: 'live-choice dla-measure', text, attrs: { type: 'button', 'aria-pressed': value === measure, 'data-measure': value } });
    if (!enabled) element.disabled = true;
    else element.addEventListener('click', () => setView({ measure: value }));
    return element;
  };
  const second = trace.attribution?.gap?.against;
  group.append(button('logit', 'its logit', true), button('gap', second ? `its lead over ${second.token.trim() || quoteToken(second.token)}` : 'lead over #2', Boolean(second)));
  return group;
}

/** The view's knock-out, or null when its text is not one (the slide says so). */
function chosenKnockOut(view: WhoVotedView): KnockOut | null {
  try {
    return parseKnockOut(typeof view.ablate === 'string' ? view.ablate : '');
  } catch {
    return null;
  }
}

/** "2.3" for a head, "mlp1" for an MLP: how the URL and the CLI name a part. */
function partId(component: Pick<AttributionComponent, 'kind' | 'layer' | 'head'>): string | null {
  if (component.kind === 'head') return `${component.layer}.${component.head}`;
  if (component.kind === 'mlp') return `mlp${component.layer}`;
  return null;
}

function labelOf(component: AttributionComponent, knockOut: KnockOut | null, setView: ((patch: Partial<WhoVotedView>) => void) | null): HTMLElement {
  const part = partId(component);
  if (!part || !setView) return html('div', { className: 'dla-label', text: componentLabel(component) });
  const off = formatKnockOut(knockOut ?? { heads: [], mlps: [] }).split(',').includes(part);
  const button = html('button', { className: 'dla-label dla-toggle', text: componentLabel(component), attrs: { type: 'button', 'data-part': part, 'aria-pressed': off, title: off ? 'switch it back on' : 'switch it off and run the model again' } });
  button.addEventListener('click', () => setView({ ablate: formatKnockOut(toggleKnockOut(knockOut ?? { heads: [], mlps: [] }, { layer: component.layer!, head: component.kind === 'head' ? component.head : null })) }));
  return button;
}

/** The knocked-out parts' names: "layer 2 · head 3, MLP 1". */
function knockOutNames(knockOut: KnockOut): string {
  return [
    ...knockOut.heads.map(({ layer, head }) => componentLabel({ kind: 'head', layer, head })),
    ...knockOut.mlps.map((layer) => componentLabel({ kind: 'mlp', layer, head: null })),
  ].join(', ');
}

/** Before and after for the plain run's top token: "' cookies' falls from 31.2% to 4.0%". */
export function beforeAfter(trace: Trace): { token: string; before: number; after: number } | null {
  const before = trace.knockOutBaseline?.[0];
  if (!before) return null;
  return { token: before.token, before: before.prob, after: softmax(trace.lastLogits)[before.id] };
}

type KnockOutState = 'off' | 'pending' | 'done' | 'refused' | 'invalid';

function knockOutState(trace: Trace, view: WhoVotedView): KnockOutState {
  const chosen = chosenKnockOut(view);
  if (!chosen) return 'invalid';
  if (trace.knockOutRefused && !isKnockOutEmpty(chosen)) return 'refused';
  const shown = formatKnockOut(trace.knockOut ?? { heads: [], mlps: [] });
  if (shown !== formatKnockOut(chosen)) return 'pending';
  return isKnockOutEmpty(chosen) ? 'off' : 'done';
}

function knockOutPanel(trace: Trace, view: WhoVotedView, setView: (patch: Partial<WhoVotedView>) => void): HTMLElement {
  const state = knockOutState(trace, view);
  const panel = html('div', { className: 'dla-knock-out', attrs: { 'data-state': state } });
  if (state === 'off') {
    panel.append(html('span', { text: 'Click a head or an MLP to switch it off and run the model again.' }));
    return panel;
  }
  const chosen = chosenKnockOut(view);
  if (state === 'invalid') panel.append(html('span', { text: `“${view.ablate}” names no head or MLP (write 2.3 or mlp1).` }));
  else if (state === 'refused') panel.append(html('span', { text: trace.knockOutRefused ?? '' }));
  else if (state === 'pending') panel.append(html('span', { text: `Running the model without ${knockOutNames(chosen!)}…` }));
  else {
    const change = beforeAfter(trace);
    panel.append(
      html('span', {
        className: 'dla-before-after',
        text: change
          ? `Without ${knockOutNames(chosen!)}, ${quoteToken(change.token)} ${change.after < change.before ? 'falls' : 'rises'} from ${formatPercent(change.before)} to ${formatPercent(change.after)}.`
          : `Without ${knockOutNames(chosen!)}.`,
      }),
    );
  }
  const restore = html('button', { className: 'live-choice dla-restore', text: 'switch all back on', attrs: { type: 'button' } });
  restore.addEventListener('click', () => setView({ ablate: '' }));
  panel.append(restore);
  return panel;
}

function barRow(component: AttributionComponent, length: (value: number) => number, label?: HTMLElement): HTMLElement {
  const bar = html('div', { className: 'dla-bar' });
  bar.style.width = `${length(Math.abs(component.value))}%`;
  bar.style.background = component.value < 0 ? NEGATIVE : POSITIVE;
  const negative = html('div', { className: 'dla-track dla-track-negative' }, component.value < 0 ? [bar] : []);
  const positive = html('div', { className: 'dla-track dla-track-positive' }, component.value < 0 ? [] : [bar]);
  return html(
    'div',
    {
      className: `dla-row dla-${component.kind}`,
      attrs: { 'data-kind': component.kind, 'data-layer': component.layer ?? '', 'data-head': component.head ?? '', 'data-value': String(component.value) },
    },
    [label ?? html('div', { className: 'dla-label', text: componentLabel(component) }), negative, positive, html('div', { className: 'dla-value', text: signed(component.value) })],
  );
}

function render(root: HTMLElement, context: SlideContext<WhoVotedView>): void {
  for (const key of ROOT_HOOKS) delete root.dataset[key];
  const trace = startLiveSlide(root, whoVoted.title, context);
  if (!trace) return;
  const measure = measureOf(context.view);
  const variant = attributionVariant(trace, measure);
  if (!variant) {
    const missing = trace.attributionMissing ?? [];
    root.append(
      missingMessage(
        missing.length > 0 ? `The engine could not split this prediction: ${missing[0].reason}.` : 'This Trace has no attribution: the engine that made it did not compute one.',
        missing.map((part) => part.needs),
      ),
    );
    return;
  }
  const shownMeasure = variant.against ? 'gap' : 'logit';
  Object.assign(root.dataset, { measure: shownMeasure, targetId: String(variant.target.id), sum: String(variant.sum), modelValue: String(variant.modelValue) });

  root.append(
    html('p', { className: 'live-lead' }, [
      document.createTextNode('Each part adds a vector to the last position; through the LM head, a vote for '),
      tokenChip({ text: variant.target.token, id: variant.target.id }, { coloured: false }),
      document.createTextNode(variant.against ? ' over ' : '.'),
      ...(variant.against ? [tokenChip({ text: variant.against.token, id: variant.against.id }, { coloured: false }), document.createTextNode('.')] : []),
    ]),
    measureToggle(trace, shownMeasure, context.setView),
    knockOutPanel(trace, context.view, context.setView),
  );

  const { shown, others } = rankContributions(variant.components, SHOWN_COMPONENTS);
  const largest = Math.max(1e-12, ...shown.map((component) => Math.abs(component.value)), Math.abs(others.value));
  const length = scaleLinear().domain([0, largest]).range([0, 100]).clamp(true);
  const knockOut = chosenKnockOut(context.view);
  const chart = html('div', { className: 'dla-chart' }, shown.map((component) => barRow(component, length, labelOf(component, knockOut, context.setView))));
  if (others.count > 0) {
    const row = barRow({ kind: 'bias', layer: null, head: null, value: others.value }, length);
    row.className = 'dla-others';
    row.setAttribute('data-value', String(others.value));
    row.setAttribute('data-count', String(others.count));
    for (const name of ['data-kind', 'data-layer', 'data-head']) row.removeAttribute(name);
    row.querySelector('.dla-label')!.textContent = `${others.count} others`;
    chart.append(row);
  }
  root.append(chart);

  const unit = variant.against ? 'lead' : 'logit';
  root.append(
    html('p', {
      className: 'dla-sum',
      text: `Sum of the parts ${signed(variant.sum, 3)} · the model's ${unit} ${signed(variant.modelValue, 3)} · they differ by ${differenceText(variant.sum - variant.modelValue)}`,
    }),
    html('p', {
      className: 'live-caption dla-linearised',
      text: `Exact, with one simplification: the final ${trace.attribution!.norm === 'layernorm' ? 'LayerNorm' : 'RMSNorm'}'s divisor at this position (${trace.attribution!.norm === 'layernorm' ? 'σ' : 'RMS'} = ${trace.attribution!.scale.toFixed(3)}) is held fixed, so every part's vote is linear and the votes add up.`,
    }),
  );
}

function knockOutNote(trace: Trace): string {
  const change = beforeAfter(trace);
  const names = knockOutNames(trace.knockOut!);
  return change ? `Switched off: ${names}. ${quoteToken(change.token)} went from ${formatPercent(change.before)} to ${formatPercent(change.after)}.` : `Switched off: ${names}.`;
}

function notes(context: SlideContext<WhoVotedView>): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  const variant = attributionVariant(trace, measureOf(context.view));
  if (!variant) return `No attribution for this Trace: ${(trace.attributionMissing ?? []).map((part) => `${part.needs} (${part.reason})`).join('; ') || 'the engine did not compute one'}.`;
  const { shown } = rankContributions(variant.components, 5);
  const up = shown.filter((component) => component.value > 0);
  const down = rankContributions(variant.components.filter((component) => component.value < 0), 2).shown;
  const list = (components: AttributionComponent[]) => components.map((component) => `${componentLabel(component)} ${signed(component.value)}`).join(', ');
  return [
    `Splitting ${what(variant)} (${variant.modelValue.toFixed(3)}) into ${variant.components.length} parts.`,
    up.length > 0 ? `Largest votes for it: ${list(up)}.` : '',
    down.length > 0 ? `Largest votes against: ${list(down)}.` : '',
    `The parts sum to ${variant.sum.toFixed(3)}; the model says ${variant.modelValue.toFixed(3)} (difference ${differenceText(variant.sum - variant.modelValue)}).`,
    trace.knockOut ? knockOutNote(trace) : '',
    `Linearised: the final norm's ${trace.attribution!.norm === 'layernorm' ? 'σ' : 'RMS'} at the last position (${trace.attribution!.scale.toFixed(3)}) is held fixed.`,
  ]
    .filter(Boolean)
    .join('\n');
}

const whoVoted = {
  id: 'who-voted',
  title: 'Who voted for the next token',
  defaultView: DEFAULT_VIEW,
  render,
  notes,
} satisfies SlideModule<WhoVotedView>;

export default whoVoted;
