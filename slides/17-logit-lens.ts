// Slide: stacking the layers, seen through the "logit lens". For each stage (the embeddings, then after
// each block) the residual stream at the last position is put through the final layer norm and the LM
// head early, giving the top-5 next tokens the model would predict if it stopped there. The final
// answer's probability is followed down the rows; the last row is the model's real output (trace.topk).
// Data: trace.extras.logitLens and logitLensMissing (the engine computes the rows from the residual tensors and the
// weights, and records each stage it could not compute and why), read through src/trace's logitLensReading.
// Rows after the first are Reveal fragments, so the presenter can stack the layers one by one.
// No view state: the slide is a function of the Trace alone.
//
// Test hooks:
//   root   data-stage-count, data-answer-id (the model's top token, trace.topk[0]),
//          data-last-row-matches ("true" when the last row's top 5 are trace.topk's first 5),
//          data-lens-source ("trace": computed with the Trace; "answer": by the answer, see answer-stream.ts),
//          data-lens-pending ("true" while the answer has not brought it yet)
//   .lens-row[data-stage][data-stage-index]                       one per stage, in order
//   .lens-cell[data-rank][data-token-id][data-prob]               the top 5 of each row
//   .lens-answer[data-answer-prob] or .lens-answer[data-answer-bound]   the answer's probability in that row,
//          or, when it is not in the row's top 5, the bound it stays under (the row's 5th probability)
import { finalNormName } from '../src/viz/architecture-names';
import { html } from '../src/viz/dom';
import { formatPercent, plural, quoteToken } from '../src/viz/format';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { tokenChip } from '../src/viz/token-chip';
import { noteToken } from '../src/viz/token-note';
import { logitLensLayers, logitLensReading, type LogitLensRow, type NextTokenCandidate, type Trace } from '../src/trace';
import type { SlideContext, SlideModule } from './slide';
import './17-logit-lens.css';

const ROOT_HOOKS = ['stageCount', 'answerId', 'lastRowMatches', 'lensPending', 'lensSource'] as const;
/** float32 graph vs float64 lens: probabilities agree to about 1e-5; this leaves room and still catches a different Trace. */
const SAME_PROB_TOLERANCE = 1e-3;

/** The answer's probability in a row, or the row's smallest shown probability as an upper bound. */
export function answerInRow(row: LogitLensRow, answerId: number): { prob: number; inTop: boolean } {
  const hit = row.top.find((c) => c.id === answerId);
  if (hit) return { prob: hit.prob, inTop: true };
  return { prob: row.top.at(-1)?.prob ?? 1, inTop: false };
}

/** "≤ 1.11%", or "< 0.001%" when the bound itself is below what the slide prints. */
export function boundText(prob: number): string {
  const text = formatPercent(prob);
  return text.startsWith('<') ? `< ${text.slice(1)}` : `≤ ${text}`;
}

/** The last lens row shows the same tokens, with the same probabilities, as the model's own output. */
export function lastRowMatchesOutput(rows: readonly LogitLensRow[], topk: readonly NextTokenCandidate[]): boolean {
  const last = rows.at(-1);
  if (!last || last.top.length === 0 || topk.length < last.top.length) return false;
  return last.top.every((c, i) => c.id === topk[i].id && Math.abs(c.prob - topk[i].prob) <= SAME_PROB_TOLERANCE);
}

/**
 * The embeddings row's top guess is the last prompt token itself. Said only when the last row matches the
 * model's output: then the lens's head (the embedding table) is the model's real LM head.
 */
export function pointsBackAtItself(trace: Trace, rows: readonly LogitLensRow[]): boolean {
  const first = rows[0];
  const lastToken = trace.tokens.at(-1);
  return first?.label === 'embeddings' && lastToken !== undefined && first.top[0]?.id === lastToken.id && lastRowMatchesOutput(rows, trace.topk);
}

function answerOf(trace: Trace, rows: readonly LogitLensRow[]): NextTokenCandidate | null {
  return trace.topk[0] ?? rows.at(-1)?.top[0] ?? null;
}

function stageName(label: string): string {
  return label === 'embeddings' ? 'embeddings only' : `after ${label}`;
}

function headerRow(answer: NextTokenCandidate | null): HTMLElement {
  const cells: Node[] = [html('span', { className: 'lens-head', text: 'stop after' })];
  for (let rank = 1; rank <= 5; rank++) cells.push(html('span', { className: 'lens-head', text: `#${rank}` }));
  if (answer) {
    cells.push(html('span', { className: 'lens-head lens-head-answer' }, [document.createTextNode('final answer '), tokenChip({ text: answer.token, id: answer.id }, { coloured: false })]));
  }
  return html('div', { className: 'lens-row lens-header' }, cells);
}

function candidateCell(candidate: NextTokenCandidate, rank: number, isAnswer: boolean): HTMLElement {
  const bar = html('span', { className: 'lens-prob-bar' });
  bar.style.width = `${Math.max(0, Math.min(1, candidate.prob)) * 100}%`;
  return html(
    'span',
    { className: isAnswer ? 'lens-cell lens-cell-answer' : 'lens-cell', attrs: { 'data-rank': String(rank), 'data-token-id': String(candidate.id), 'data-prob': String(candidate.prob) } },
    [tokenChip({ text: candidate.token, id: candidate.id }, { coloured: false }), html('span', { className: 'lens-prob', text: formatPercent(candidate.prob) }), bar],
  );
}

function answerCell(row: LogitLensRow, answerId: number): HTMLElement {
  const { prob, inTop } = answerInRow(row, answerId);
  if (!inTop) {
    // The bound on a line of its own (display block), so the column wraps it whole.
    return html('span', { className: 'lens-answer lens-answer-absent', attrs: { 'data-answer-bound': String(prob) } }, [
      document.createTextNode('not in top 5 '),
      html('span', { className: 'lens-answer-bound', text: `(${boundText(prob)})` }),
    ]);
  }
  const bar = html('span', { className: 'lens-answer-bar' });
  bar.style.width = `${Math.max(0, Math.min(1, prob)) * 100}%`; // absolute scale, 0 to 100%, so the climb is honest
  return html('span', { className: 'lens-answer', attrs: { 'data-answer-prob': String(prob) } }, [html('span', { className: 'lens-answer-track' }, [bar]), html('span', { className: 'lens-prob', text: formatPercent(prob) })]);
}

function lensRow(row: LogitLensRow, index: number, answerId: number | null): HTMLElement {
  const cells: Node[] = [html('span', { className: 'lens-stage', text: stageName(row.label) })];
  row.top.slice(0, 5).forEach((candidate, rank) => cells.push(candidateCell(candidate, rank + 1, candidate.id === answerId)));
  for (let empty = row.top.length; empty < 5; empty++) cells.push(html('span', { className: 'lens-cell lens-cell-empty' }));
  if (answerId !== null) cells.push(answerCell(row, answerId));
  const element = html('div', { className: 'lens-row lens-stage-row', attrs: { 'data-stage': row.label, 'data-stage-index': String(index) } }, cells);
  if (index > 0) {
    // Stacked one layer at a time: each row after the embeddings is a fragment.
    element.classList.add('fragment');
    element.dataset.fragmentIndex = String(index);
  }
  return element;
}

function render(root: HTMLElement, context: SlideContext): void {
  for (const key of ROOT_HOOKS) delete root.dataset[key];
  const trace = startLiveSlide(root, logitLens.title, context);
  if (!trace) return;
  const lens = logitLensReading(trace, context.generation);
  if (!lens) {
    root.append(missingMessage("This model's weights could not be read, so its early guesses after each layer cannot be computed.", ['trace.extras']));
    return;
  }
  if (lens.pending) {
    // The answer computes the lens before its next token once this slide is on screen, else once it is done (answer-stream.ts).
    root.dataset.lensPending = 'true';
    root.append(html('p', { className: 'live-caption lens-pending', text: 'Reading the stream after each layer… (the engine computes it next: a moment away)' }));
    return;
  }
  const rows = lens.rows;
  if (rows.length === 0) {
    root.append(
      missingMessage('This Trace has no logit lens: it needs the final layer norm weights and the residual stream after each stage.', [
        'trace.extras.logitLens',
        ...lens.missing.map((m) => m.needs),
      ]),
    );
    return;
  }
  const answer = answerOf(trace, rows);
  const matches = lastRowMatchesOutput(rows, trace.topk);
  root.dataset.stageCount = String(rows.length);
  root.dataset.lensSource = trace.extras?.logitLensFromAnswer ? 'answer' : 'trace'; // which pass computed it
  if (answer) root.dataset.answerId = String(answer.id);
  root.dataset.lastRowMatches = String(matches);

  const lastToken = trace.tokens.at(-1);
  root.append(
    html('p', { className: 'live-lead' }, [
      document.createTextNode('Each stage’s stream, through the final norm and the LM head: its guess after '),
      lastToken ? tokenChip(lastToken, { coloured: false }) : document.createTextNode('the prompt'),
      document.createTextNode('.'),
    ]),
  );
  const table = html('div', { className: 'lens-table', attrs: { 'data-density': rows.length > 9 ? 'compact' : 'normal' } }, [headerRow(answer)]);
  rows.forEach((row, index) => table.append(lensRow(row, index, answer?.id ?? null)));
  root.append(table);

  const shownLayers = logitLensLayers(trace.model.nLayer);
  if (shownLayers.length < trace.model.nLayer) {
    root.append(html('p', { className: 'live-caption lens-spread', text: `${shownLayers.length} of this model's ${trace.model.nLayer} layers, evenly spaced (the last included).` }));
  }
  if (pointsBackAtItself(trace, rows)) root.append(html('p', { className: 'live-caption lens-self', text: selfPointingText(trace) }));
  const lost = lens.missing;
  if (lost.length > 0) {
    const reasons = [...new Set(lost.map((m) => m.reason))].join('; ');
    root.append(missingMessage(`${plural(lost.length, 'stage')} could not be shown: ${reasons}.`, lost.map((m) => m.needs)));
  }
  const caption = matches
    ? 'The last row is the model’s real output: the same top 5 as on the next-token slide.'
    : 'The last row should equal the model’s real output, but this Trace’s top-k differs from it.';
  const last = html('p', { className: 'live-caption lens-caption', text: caption });
  last.classList.add('fragment');
  last.dataset.fragmentIndex = String(rows.length - 1);
  root.append(last);
}

function notes(context: SlideContext): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  if (!trace.extras) return "The model's weights could not be read (trace.extras is null): no logit lens. The slide says so.";
  const lens = logitLensReading(trace, context.generation);
  if (lens?.pending) return 'The logit lens is on its way: with this slide on screen the engine computes it before the answer’s next token (otherwise after the answer).';
  const rows = lens?.rows ?? [];
  if (rows.length === 0) return 'This Trace has no logit lens rows (trace.extras.logitLens is empty).';
  const answer = answerOf(trace, rows);
  const lines = [`Each row: the residual stream at the last position, through ${finalNormName(trace.model)} and the LM head, as if the model stopped there.`];
  for (const row of rows) {
    const top = row.top[0];
    let line = `${stageName(row.label)}: ${top ? `${quoteToken(top.token)} ${formatPercent(top.prob)}` : 'no candidates'}`;
    if (answer && top?.id !== answer.id) {
      const { prob, inTop } = answerInRow(row, answer.id);
      line += inTop ? `; ${quoteToken(answer.token)} ${formatPercent(prob)}` : `; ${quoteToken(answer.token)} not in the top 5 (${boundText(prob)})`;
    }
    lines.push(`${line}.`);
  }
  const lastToken = trace.tokens.at(-1);
  if (lastToken && pointsBackAtItself(trace, rows)) lines.push(`${selfPointingText(trace)} (${noteToken(lastToken)})`);
  lines.push(lastRowMatchesOutput(rows, trace.topk) ? 'The last row equals the model’s real output (next-token slide).' : 'Careful: the last row does not match trace.topk here.');
  return lines.join('\n');
}

const logitLens = {
  id: 'logit-lens',
  title: 'The logit lens: the guess after each layer',
  usesGenerationLens: true,
  render,
  notes,
} satisfies SlideModule;

export default logitLens;

/** Why a bare embedding's guess is its own token: said only where the head is the embedding table. */
function selfPointingText(trace: Trace): string {
  return trace.model.architecture.tiedEmbeddings
    ? 'Before any layer, the guess is the last token itself: the LM head reuses the embedding table.'
    : 'Before any layer, the guess is the last token itself.';
}
