// Slide: the model's top-10 guesses for the next token, as bars, plus the mass left for every other token.
// No view state: the slide is a function of the Trace alone.
import { html } from '../src/viz/dom';
import { formatCount, formatPercent, plural, quoteToken } from '../src/viz/format';
import { horizontalBars, type BarRow } from '../src/viz/horizontal-bars';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { tokenChip } from '../src/viz/token-chip';
import type { Trace } from '../src/trace';
import { knockOutResultLine, knockOutSentence } from '../src/viz/knock-out-controls';
import type { SlideContext, SlideModule } from './slide';

/** 1 - (sum of the top-k probabilities): what all the other tokens of the vocabulary share. */
export function restProbability(trace: Trace): number {
  let topSum = 0;
  for (const candidate of trace.topk) topSum += candidate.prob;
  return 1 - topSum;
}

function otherTokenCount(trace: Trace): number {
  return Math.max(0, trace.model.vocabSize - trace.topk.length);
}

function render(root: HTMLElement, context: SlideContext): void {
  const trace = startLiveSlide(root, nextToken.title, context);
  if (!trace) return;
  if (trace.topk.length === 0) {
    root.append(missingMessage('This Trace has no next-token candidates, so there are no probabilities to show.', ['topk']));
    return;
  }
  const rest = restProbability(trace);
  root.dataset.restProb = String(rest);

  root.append(
    html('p', {
      className: 'live-lead',
      text: `After reading ${plural(trace.tokens.length, 'token')}, the model gives each of its ${formatCount(trace.model.vocabSize)} tokens a probability. The ${trace.topk.length} likeliest:`,
    }),
  );

  const rows: BarRow[] = trace.topk.map((candidate, rank) => ({
    label: tokenChip({ text: candidate.token, id: candidate.id }, { coloured: false, hint: `rank ${rank + 1}, logit ${candidate.logit.toFixed(2)}` }),
    value: candidate.prob,
    valueText: formatPercent(candidate.prob),
    className: rank === 0 ? 'bar-top bar-first' : 'bar-top',
    attrs: { 'data-token-id': String(candidate.id), 'data-prob': String(candidate.prob), 'data-rank': String(rank + 1) },
  }));
  rows.push({
    label: html('span', { className: 'bar-rest-label', text: `all other ${formatCount(otherTokenCount(trace))} tokens` }),
    value: rest,
    valueText: formatPercent(rest),
    className: 'bar-rest',
    attrs: { 'data-rest': 'true' },
  });
  root.append(horizontalBars(rows));
  // The deck's knock-out (set on the who-voted, multi-head or tower slide): the plain run's top token before and after.
  const knockOutLine = knockOutResultLine(trace, 'next-token-knock-out');
  if (knockOutLine) root.append(knockOutLine);
}

function notes(context: SlideContext): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  if (trace.topk.length === 0) return 'This Trace has no next-token candidates (topk is empty).';
  const [first, ...others] = trace.topk;
  const rest = restProbability(trace);
  return [
    `The prompt is ${plural(trace.tokens.length, 'token')}. The likeliest next token is ${quoteToken(first.token)} (id ${first.id}) at ${formatPercent(first.prob)}.`,
    others.length > 0 ? `Then: ${others.map((c) => `${quoteToken(c.token)} ${formatPercent(c.prob)}`).join(', ')}.` : '',
    `The top ${trace.topk.length} hold ${formatPercent(1 - rest)} together; the other ${formatCount(otherTokenCount(trace))} tokens share ${formatPercent(rest)}.`,
    knockOutSentence(trace) ?? '',
  ]
    .filter(Boolean)
    .join('\n');
}

const nextToken = {
  id: 'next-token',
  title: 'The next token',
  render,
  notes,
} satisfies SlideModule;

export default nextToken;
