// Slide: the LM head. The last token's final hidden state (trace.ln_f, last row) times the
// embedding matrix, transposed, gives one logit per vocabulary token; softmax turns them into
// probabilities. Shows the shapes with this model's sizes, a histogram of all the logits, the top k
// with their probabilities, what everything else shares, and a live check of weight tying.
//
// Test hooks (full precision):
//   .lm-head-body        data-vocab-size, data-logit-count, data-hidden-width (ln_f row length, or
//                        absent), data-k, data-rest-prob (1 - top-k mass), data-max-logit,
//                        data-min-logit, data-log-sum-exp (ln sum_j e^{z_j})
//   [data-rank]          data-token-id, data-logit, data-prob: the top k, computed here from lastLogits
//   .histogram-bar       data-bin-start, data-bin-end, data-count
//   .lm-head-tie         data-tie-token-id, data-tie-dot (embedding row · h), data-tie-logit,
//                        data-tie-agrees ("true" / "false"); data-tie="config" or "unknown" without tensors
// View (kept by the deck): the k of the top-k list (3, 5 or 10).
import { embedOutputs, finalNormOutput } from '../src/trace/output-names';
import { binIndex, centralRange, histogram, type HistogramBin } from '../src/maths/histogram';
import { dotProduct, logitsAgree } from '../src/maths/lm-head';
import { logSumExp, softmax, topKIndices } from '../src/maths/softmax';
import { tensorRow, type Trace } from '../src/trace';
import { finalNormName } from '../src/viz/architecture-names';
import { candidateLabel, candidateName } from '../src/viz/candidate-label';
import { html } from '../src/viz/dom';
import { formatCount, formatPercent, plural, quoteToken } from '../src/viz/format';
import { formula } from '../src/viz/formula';
import { horizontalBars, type BarRow } from '../src/viz/horizontal-bars';
import { logitHistogram } from '../src/viz/logit-histogram';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { tokenChip } from '../src/viz/token-chip';
import { valueStrip } from '../src/viz/value-strip';
import type { SlideContext, SlideModule } from './slide';
import './18-lm-head.css';

export const K_CHOICES: readonly number[] = [3, 5, 10];
const HISTOGRAM_BINS = 40;

export interface LmHeadView {
  k: number;
}

const DEFAULT_VIEW: LmHeadView = { k: 10 };

/** The view's k, or the nearest offered choice. */
function chosenK(view: LmHeadView): number {
  const k = Number.isFinite(view.k) ? view.k : DEFAULT_VIEW.k;
  return K_CHOICES.reduce((best, choice) => (Math.abs(choice - k) < Math.abs(best - k) ? choice : best), K_CHOICES[0]);
}

/** TeX for a count with thousands separators: 8192 -> 8{,}192. */
function texCount(count: number): string {
  return formatCount(count).replace(/,/g, '{,}');
}

function texNumber(value: number): string {
  return value.toFixed(2);
}

/** The last token's final hidden state, or why it is not there. */
type HiddenLookup = { ok: true; hidden: Float32Array } | { ok: false; problem: string; missing: string[] };

function lastHiddenState(trace: Trace): HiddenLookup {
  const tensor = trace.tensors[finalNormOutput];
  if (!tensor) return { ok: false, problem: 'This model does not expose its final hidden states, so the LM head input cannot be shown.', missing: [finalNormOutput] };
  const n = trace.tokens.length;
  if (tensor.shape.length !== 2 || tensor.shape[0] !== n || tensor.data.length !== tensor.shape[0] * tensor.shape[1]) {
    return { ok: false, problem: `${finalNormOutput} has shape [${tensor.shape.join(' x ')}], not [${n} x width].`, missing: [] };
  }
  return { ok: true, hidden: tensorRow(tensor, n - 1) };
}

type TieCheck =
  | { kind: 'checked'; tokenIndex: number; dot: number; logit: number; agrees: boolean }
  | { kind: 'config' | 'unknown'; missing: string[] };

/** Weight tying, checked on this prompt: the last token's embedding row · h should be that token's logit. */
function tieCheck(trace: Trace, hidden: HiddenLookup): TieCheck {
  const embeddings = trace.tensors[embedOutputs.tokens];
  const n = trace.tokens.length;
  const missing = [...(hidden.ok ? [] : [finalNormOutput]), ...(embeddings ? [] : [embedOutputs.tokens])];
  const fallback: TieCheck = { kind: trace.model.architecture.tiedEmbeddings ? 'config' : 'unknown', missing };
  if (!hidden.ok || !embeddings) return fallback;
  if (embeddings.shape.length !== 2 || embeddings.shape[0] !== n || embeddings.shape[1] !== hidden.hidden.length) return fallback;
  const tokenIndex = n - 1;
  const id = trace.tokens[tokenIndex].id;
  if (!(id >= 0 && id < trace.lastLogits.length)) return fallback;
  const dot = dotProduct(tensorRow(embeddings, tokenIndex), hidden.hidden);
  const logit = trace.lastLogits[id];
  return { kind: 'checked', tokenIndex, dot, logit, agrees: logitsAgree(dot, logit) };
}

function isTied(check: TieCheck): boolean {
  return check.kind === 'config' || (check.kind === 'checked' && check.agrees);
}

function shapeRow(trace: Trace, hidden: HiddenLookup, tied: boolean): HTMLElement {
  const width = hidden.ok ? hidden.hidden.length : trace.model.nEmbd;
  const matrix = tied ? 'W_E^{\\top}' : 'W^{\\top}';
  const tex = `\\underbrace{h}_{[1 \\times ${texCount(width)}]} \\cdot \\underbrace{${matrix}}_{[${texCount(width)} \\times ${texCount(trace.lastLogits.length)}]} = \\underbrace{z}_{[1 \\times ${texCount(trace.lastLogits.length)}]}`;
  const strip = hidden.ok
    ? html('figure', { className: 'lm-head-strip' }, [
        valueStrip(hidden.hidden, `final hidden state, ${width} values`),
        html('figcaption', { className: 'live-caption', text: `h: the last token's ${formatCount(width)} numbers (${finalNormName(trace.model)})` }),
      ])
    : missingMessage(hidden.problem, hidden.missing);
  const legend = html('div', { className: 'lm-head-shape-legend live-caption' }, [
    html('span', { text: tied ? 'W_E: the token-embedding matrix, reused' : 'W: the output matrix' }),
    html('span', { text: `z: ${formatCount(trace.lastLogits.length)} logits, one per token` }),
  ]);
  return html('div', { className: 'lm-head-shapes' }, [strip, html('div', { className: 'lm-head-formula' }, [formula(tex), legend])]);
}

function tieSentence(trace: Trace, check: TieCheck): HTMLElement {
  if (check.kind === 'checked') {
    const token = trace.tokens[check.tokenIndex];
    const box = html('p', {
      className: 'live-caption lm-head-tie',
      attrs: { 'data-tie-token-id': String(token.id), 'data-tie-dot': String(check.dot), 'data-tie-logit': String(check.logit), 'data-tie-agrees': String(check.agrees) },
    });
    box.append(
      document.createTextNode(check.agrees ? 'Weight tying, checked: the embedding row of ' : 'Not tied: the embedding row of '),
      tokenChip({ text: token.text, id: token.id, bytes: token.bytes }, { coloured: false }),
      document.createTextNode(
        check.agrees
          ? ` · h = ${check.dot.toFixed(3)}, its logit ${check.logit.toFixed(3)}: the head reuses the embeddings.`
          : ` · h = ${check.dot.toFixed(3)}, but its logit is ${check.logit.toFixed(3)}: this head has its own matrix.`,
      ),
    );
    return box;
  }
  const needs = check.missing.length > 0 ? ` (to check it live the Trace needs ${check.missing.join(' and ')})` : '';
  const text =
    check.kind === 'config'
      ? `Weight tying: ${trace.model.name}'s config.json sets tie_word_embeddings, so the head reuses the token-embedding matrix${needs}.`
      : `This Trace cannot show whether the head reuses the token-embedding matrix${needs}.`;
  return html('p', { className: 'live-caption lm-head-tie', text, attrs: { 'data-tie': check.kind } });
}

function kButtons(chosen: number, onChoose: (k: number) => void): HTMLElement {
  const group = html('div', { className: 'live-choices', attrs: { role: 'group', 'aria-label': 'How many of the top tokens to list' } }, [
    html('span', { className: 'live-choices-label', text: 'top k' }),
  ]);
  for (const k of K_CHOICES) {
    const button = html('button', { className: 'live-choice', text: String(k), attrs: { type: 'button', 'aria-pressed': k === chosen } });
    button.addEventListener('click', () => onChoose(k));
    group.append(button);
  }
  return group;
}

function bulkText(bins: HistogramBin[]): string {
  const range = centralRange(bins, 0.9);
  return range ? `${range.start} and ${range.end}` : 'n/a';
}

function render(root: HTMLElement, context: SlideContext<LmHeadView>): void {
  const trace = startLiveSlide(root, lmHead.title, context);
  if (!trace) return;
  const logits = trace.lastLogits;
  if (trace.tokens.length === 0 || logits.length === 0) {
    root.append(missingMessage('This Trace holds no logits for the last token, so there is no LM head output to show.', ['lastLogits']));
    return;
  }
  const k = chosenK(context.view);
  const hidden = lastHiddenState(trace);
  const tie = tieCheck(trace, hidden);
  const probs = softmax(logits);
  const top = topKIndices(probs, k);
  let topMass = 0;
  for (const id of top) topMass += probs[id];
  const rest = Math.max(0, 1 - topMass);
  const bins = histogram(logits, HISTOGRAM_BINS);
  let maxLogit = -Infinity;
  let minLogit = Infinity;
  for (let i = 0; i < logits.length; i++) {
    maxLogit = Math.max(maxLogit, logits[i]);
    minLogit = Math.min(minLogit, logits[i]);
  }
  const normaliser = logSumExp(logits);

  const body = html('div', {
    className: 'lm-head-body',
    attrs: {
      'data-vocab-size': String(trace.model.vocabSize),
      'data-logit-count': String(logits.length),
      'data-k': String(k),
      'data-rest-prob': String(rest),
      'data-max-logit': String(maxLogit),
      'data-min-logit': String(minLogit),
      'data-log-sum-exp': String(normaliser),
    },
  });
  if (hidden.ok) body.dataset.hiddenWidth = String(hidden.hidden.length);
  root.append(body);

  const last = trace.tokens[trace.tokens.length - 1];
  body.append(
    html('p', { className: 'live-lead' }, [
      document.createTextNode('One matrix product turns the last token, '),
      tokenChip({ text: last.text, id: last.id, bytes: last.bytes }, { index: trace.tokens.length - 1 }),
      document.createTextNode(`, into a score (logit) for each of the ${formatCount(logits.length)} tokens.`),
    ]),
    shapeRow(trace, hidden, isTied(tie)),
  );

  const highlighted = new Set(top.map((id) => binIndex(bins, logits[id])));
  const figure = html('figure', { className: 'lm-head-histogram' }, [
    logitHistogram({
      bins,
      highlighted,
      marker: top.length > 0 ? { bin: binIndex(bins, logits[top[0]]), text: `${candidateName(trace, top[0])} ${logits[top[0]].toFixed(2)}` } : null,
      xTitle: `logit (all ${formatCount(logits.length)} tokens)`,
      yTitle: 'tokens',
    }),
    html('figcaption', {
      className: 'live-caption',
      text: bins.length > 0 ? `At least 90% of logits lie between ${bulkText(bins)}; the top ${k} (orange) sit far right. Log count axis.` : 'No finite logits to count.',
    }),
  ]);

  const rows: BarRow[] = top.map((id, rank) => ({
    label: html('span', { className: 'lm-head-candidate' }, [candidateLabel(trace, id, `rank ${rank + 1}`), html('span', { className: 'lm-head-logit', text: logits[id].toFixed(2) })]),
    value: probs[id],
    valueText: formatPercent(probs[id]),
    className: rank === 0 ? 'bar-top bar-first' : 'bar-top',
    attrs: { 'data-rank': String(rank + 1), 'data-token-id': String(id), 'data-logit': String(logits[id]), 'data-prob': String(probs[id]) },
  }));
  rows.push({
    label: html('span', { className: 'bar-rest-label', text: `the other ${formatCount(Math.max(0, logits.length - top.length))}` }),
    value: rest,
    valueText: formatPercent(rest),
    className: 'bar-rest',
    attrs: { 'data-rest': 'true' },
  });
  const rerender = (change: Partial<LmHeadView>) => context.setView(change); // the deck redraws, keeping the fragments shown
  const list = html('div', { className: 'lm-head-top fragment', attrs: { 'data-fragment-index': '1' } }, [
    html('div', { className: 'lm-head-top-header' }, [kButtons(k, (value) => rerender({ k: value })), html('span', { className: 'live-caption', text: 'logit → probability' })]),
    horizontalBars(rows),
  ]);
  // The softmax and the tie check (fragments 2, 3) sit under the histogram, beside the top-k list.
  const footer = html('div', { className: 'lm-head-footer' });
  body.append(html('div', { className: 'lm-head-columns' }, [html('div', { className: 'lm-head-left' }, [figure, footer]), list]));

  if (top.length > 0) {
    const first = top[0];
    // exp() rather than e^{z_i}, \dfrac and two rows: no third-level script (half size) and no wider than its column.
    const tex = `\\begin{aligned} p_i &= \\dfrac{\\exp(z_i)}{\\sum_{j=1}^{${texCount(logits.length)}} \\exp(z_j)}, \\qquad \\sum_j \\exp(z_j) = e^{${texNumber(normaliser)}} \\\\ p_{\\text{top}} &= \\dfrac{e^{${texNumber(logits[first])}}}{e^{${texNumber(normaliser)}}} = e^{${texNumber(logits[first] - normaliser)}} = ${formatPercent(probs[first]).replace('%', '\\%')} \\end{aligned}`;
    footer.append(html('div', { className: 'lm-head-softmax fragment', attrs: { 'data-fragment-index': '2' } }, [formula(tex)]));
  }
  const tieLine = tieSentence(trace, tie);
  tieLine.classList.add('fragment');
  tieLine.dataset.fragmentIndex = '3';
  footer.append(tieLine);
}

function notes(context: SlideContext<LmHeadView>): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  const logits = trace.lastLogits;
  if (trace.tokens.length === 0 || logits.length === 0) return 'This Trace has no logits for the last token (lastLogits is empty).';
  const hidden = lastHiddenState(trace);
  const tie = tieCheck(trace, hidden);
  const probs = softmax(logits);
  const k = chosenK(context.view);
  const top = topKIndices(probs, k);
  let topMass = 0;
  for (const id of top) topMass += probs[id];
  const width = hidden.ok ? hidden.hidden.length : trace.model.nEmbd;
  const lines = [
    `Shapes: [1 x ${width}] · [${width} x ${formatCount(logits.length)}] = [1 x ${formatCount(logits.length)}]: one logit per vocabulary token.`,
    `Point at the histogram: the orange bars on the right are the top ${k}. The highest logit is ${logits[top[0]].toFixed(2)} for ${candidateName(trace, top[0])} (id ${top[0]}), probability ${formatPercent(probs[top[0]])}.`,
    `Top ${k} together: ${formatPercent(topMass)}; the other ${formatCount(logits.length - top.length)} tokens share ${formatPercent(Math.max(0, 1 - topMass))}.`,
  ];
  if (tie.kind === 'checked') {
    const token = trace.tokens[tie.tokenIndex];
    lines.push(
      tie.agrees
        ? `Weight tying check: embedding row of ${quoteToken(token.text)} · h = ${tie.dot.toFixed(3)} = its logit ${tie.logit.toFixed(3)}.`
        : `The tie check fails: embedding row of ${quoteToken(token.text)} · h = ${tie.dot.toFixed(3)} but its logit is ${tie.logit.toFixed(3)}.`,
    );
  } else if (tie.kind === 'config') lines.push(`Weight tying comes from ${trace.model.name}'s config.json (tie_word_embeddings: true); not checkable on this Trace.`);
  if (!hidden.ok) lines.push(`${hidden.problem}${hidden.missing.length ? ` Missing: ${hidden.missing.join(', ')}.` : ''}`);
  lines.push(`The prompt is ${plural(trace.tokens.length, 'token')}; only the last position's logits are shown.`);
  return lines.join('\n');
}

const lmHead = {
  id: 'lm-head',
  title: 'The LM head: a score for every token',
  defaultView: DEFAULT_VIEW,
  render,
  notes,
} satisfies SlideModule<LmHeadView>;

export default lmHead;
