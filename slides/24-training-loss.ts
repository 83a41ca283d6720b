// Slide: the training loss, on the presenter's own prompt. At each position the model predicted the
// next token; the loss of that guess is -ln p(the token that came next) (trace.nextTokenLogProbs).
// Shows one column per guess, the mean loss and the perplexity, and works the worst guess out.
//
// Test hooks (full precision):
//   .loss-body   data-term-count, data-mean-loss, data-perplexity (absent without terms),
//                data-worst-position (prompt index of the worst-predicted token), data-worst-loss,
//                data-worst-prob
//   .loss-bar    data-position (prompt index of the predicted token), data-token-id, data-log-prob,
//                data-loss, data-prob
// No view state: the slide is a function of the Trace alone.
import { highestLossIndex, meanLoss, perplexity } from '../src/maths/cross-entropy';
import type { Trace } from '../src/trace';
import { html } from '../src/viz/dom';
import { formatCount, formatPercent, plural, quoteToken } from '../src/viz/format';
import { formula } from '../src/viz/formula';
import { lossColumns, type LossColumn } from '../src/viz/loss-columns';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { tokenChip } from '../src/viz/token-chip';
import type { SlideContext, SlideModule } from './slide';
import './24-training-loss.css';

const LOSS_FORMULA = 'L = -\\frac{1}{N} \\sum_{i=1}^{N} \\ln p\\left(x_{i+1} \\mid x_1 \\ldots x_i\\right) \\qquad \\text{perplexity} = e^{L}';

/** A probability as TeX: 0.0123, or 1.23 \times 10^{-7} when it is tiny. */
function texProbability(p: number): string {
  if (p >= 1e-4) return String(Number(p.toPrecision(3)));
  const [mantissa, exponent] = p.toExponential(2).split('e');
  return `${mantissa} \\times 10^{${Number(exponent)}}`;
}

/** Perplexity as read from the back of the hall: 12.3, or 2.81e+14 for an untrained model. */
function formatPerplexity(value: number): string {
  return value < 1e6 ? value.toFixed(1) : value.toExponential(2);
}

/** A probability for captions and notes: "3.21%", or "1.23e-15" when a percentage would read "<0.001%". */
function formatProbability(p: number): string {
  return p > 0 && p < 1e-5 ? p.toExponential(2) : formatPercent(p);
}

/** The per-position terms, or null when the Trace's log-probs do not line up with its tokens. */
function lossTerms(trace: Trace): LossColumn[] | null {
  if (trace.nextTokenLogProbs.length !== Math.max(0, trace.tokens.length - 1)) return null;
  return trace.nextTokenLogProbs.map((logProb, i) => ({ position: i + 1, token: trace.tokens[i + 1], logProb }));
}

function render(root: HTMLElement, context: SlideContext): void {
  const trace = startLiveSlide(root, trainingLoss.title, context);
  if (!trace) return;
  const terms = lossTerms(trace);
  if (terms === null) {
    root.append(
      missingMessage(
        `This Trace has ${plural(trace.nextTokenLogProbs.length, 'next-token log-probability', 'next-token log-probabilities')} for ${plural(trace.tokens.length, 'token')}; it needs one fewer than the tokens.`,
        ['nextTokenLogProbs'],
      ),
    );
    return;
  }
  const body = html('div', { className: 'loss-body', attrs: { 'data-term-count': String(terms.length) } });
  root.append(body);
  body.append(html('p', { className: 'live-lead', text: 'Inside your prompt, each guess costs −ln p of the token that came next: 0 if sure and right.' }));

  const mean = meanLoss(trace.nextTokenLogProbs);
  const ppl = perplexity(trace.nextTokenLogProbs);
  if (mean === null || ppl === null) {
    body.append(html('p', { className: 'live-notice', text: 'A one-token prompt has nothing inside it to predict, so it has no loss terms. Type a longer prompt to see the loss.' }), html('div', { className: 'loss-formula' }, [formula(LOSS_FORMULA)]));
    return;
  }
  body.dataset.meanLoss = String(mean);
  body.dataset.perplexity = String(ppl);
  const worst = highestLossIndex(trace.nextTokenLogProbs);
  const worstTerm = terms[worst];
  const worstProb = Math.exp(worstTerm.logProb);
  body.dataset.worstPosition = String(worstTerm.position);
  body.dataset.worstLoss = String(-worstTerm.logProb);
  body.dataset.worstProb = String(worstProb);

  body.append(
    html('div', { className: 'loss-numbers' }, [
      html('div', { className: 'loss-number' }, [
        html('span', { className: 'live-big-number', text: mean.toFixed(2) }),
        html('span', { className: 'live-caption', text: `mean loss over ${plural(terms.length, 'guess', 'guesses')} (nats)` }),
      ]),
      html('div', { className: 'loss-number' }, [
        html('span', { className: 'live-big-number', text: formatPerplexity(ppl) }),
        html('span', { className: 'live-caption', text: 'perplexity = e^loss: as unsure as choosing among this many equally likely tokens' }),
      ]),
    ]),
    lossColumns(terms, worst),
  );
  if (trace.droppedTokens > 0) {
    body.append(html('p', { className: 'live-caption', text: `The first ${plural(trace.droppedTokens, 'token')} did not fit in the context window: the loss covers the ${formatCount(trace.tokens.length)} the model read.` }));
  }

  const previous = trace.tokens[worstTerm.position - 1];
  const example = html('div', { className: 'loss-example fragment', attrs: { 'data-fragment-index': '1' } }, [
    html('p', { className: 'live-caption' }, [
      document.createTextNode('Worst guess (orange): after '),
      tokenChip(previous, { index: worstTerm.position - 1 }),
      document.createTextNode(' the model gave '),
      tokenChip(worstTerm.token, { index: worstTerm.position }),
      document.createTextNode(` only ${formatProbability(worstProb)}: `),
      formula(`-\\ln ${texProbability(worstProb)} = ${(-worstTerm.logProb).toFixed(2)}`, false), // inline: one line less
    ]),
  ]);
  body.append(
    html('div', { className: 'loss-bottom' }, [example, html('div', { className: 'loss-formula fragment', attrs: { 'data-fragment-index': '2' } }, [formula(LOSS_FORMULA)])]),
    // Side by side: the sentence and the weights it nudges (one under the other ran off the slide).
    html('div', { className: 'loss-training' }, [
      html('p', {
        className: 'live-caption fragment',
        attrs: { 'data-fragment-index': '3' },
        text: 'Training nudges every weight a little to make this number smaller; this model learned on the State of the Union corpus (large models: billions of tokens).',
      }),
      weightExcerptView(trace),
    ]),
  );
}

/** A real corner of one of the matrices training adjusted (from the model's ONNX file, via the engine). */
function weightExcerptView(trace: Trace): HTMLElement {
  const excerpt = trace.extras?.weightExcerpt;
  if (!excerpt) return html('p', { className: 'live-caption fragment', attrs: { 'data-fragment-index': '4' }, text: 'This model’s weights could not be read (trace.extras.weightExcerpt is missing), so no excerpt of a weight matrix is shown.' });
  const shown = excerpt.values.slice(0, 3).map((row) => row.slice(0, 6));
  const table = html(
    'table',
    { className: 'weight-excerpt', attrs: { 'data-weight-name': excerpt.name, 'data-weight-shape': excerpt.shape.join('x') } },
    shown.map((row, r) =>
      html(
        'tr',
        {},
        row.map((value, c) =>
          html('td', { text: value.toFixed(3).replace('-', '−'), attrs: { 'data-row': excerpt.rowStart + r, 'data-col': excerpt.colStart + c, 'data-value': String(value) } }),
        ),
      ),
    ),
  );
  const count = excerpt.shape.reduce((a, b) => a * b, 1);
  return html('div', { className: 'weight-excerpt-box fragment', attrs: { 'data-fragment-index': '4' } }, [
    html('p', { className: 'live-caption', text: `What gets nudged: a corner of ${excerpt.name} [${excerpt.shape.join(' × ')}], ${formatCount(count)} numbers, as training left them.` }),
    table,
  ]);
}

function notes(context: SlideContext): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  const terms = lossTerms(trace);
  if (terms === null) return `The Trace's nextTokenLogProbs (${trace.nextTokenLogProbs.length}) do not line up with its ${trace.tokens.length} tokens.`;
  const mean = meanLoss(trace.nextTokenLogProbs);
  const ppl = perplexity(trace.nextTokenLogProbs);
  if (mean === null || ppl === null) return 'One-token prompt: nothing to predict inside it, so no loss terms. Ask for a longer prompt.';
  const worstTerm = terms[highestLossIndex(trace.nextTokenLogProbs)];
  const best = terms.reduce((a, b) => (b.logProb > a.logProb ? b : a));
  const describe = (term: LossColumn) => `${quoteToken(term.token.text)} (token ${term.position + 1}): p ${formatProbability(Math.exp(term.logProb))}, loss ${(-term.logProb).toFixed(2)}`;
  return [
    `${plural(terms.length, 'guess', 'guesses')} inside the prompt. Mean loss ${mean.toFixed(3)} nats, perplexity ${formatPerplexity(ppl)}.`,
    `Point at the orange column, the worst guess: ${describe(worstTerm)}.`,
    `Best guess: ${describe(best)}.`,
    'Training lowers this average over the whole corpus by nudging the weights.',
    trace.extras?.weightExcerpt
      ? `Last fragment: a corner of ${trace.extras.weightExcerpt.name} [${trace.extras.weightExcerpt.shape.join(' x ')}]; its first value is ${trace.extras.weightExcerpt.values[0][0].toFixed(4)}.`
      : 'The weights could not be read, so the slide shows no weight excerpt.',
  ].join('\n');
}

const trainingLoss = {
  id: 'training-loss',
  title: 'Training loss and perplexity: how surprised was the model?',
  render,
  notes,
} satisfies SlideModule;

export default trainingLoss;
