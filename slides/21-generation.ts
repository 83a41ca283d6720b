// Slide: autoregressive generation. The prompt's tokens, then each generated token appended one by one,
// and for every step the chosen token, its probability and the four runners-up of that step's top 5.
// Reads context.generation (the cached run), which streams: render() runs again for every new step.
//
// Motion (issue 12 item 8): once the run is done, the presenter replays it with Reveal fragments: → shows
// step 1 alone (its chip in the sequence, its top 5 as bars), then step 2, … up to step REPLAYED_STEPS;
// the next → lets the remaining chips appear one after another (a CSS replay, src/viz/replay.ts) and
// brings back the table. Before the first → and after the last, the final state; reduced motion and print
// show only the final state (print: every step's row in full).
//
// Test hooks (full precision):
//   .generation-body       data-prompt-tokens (tokens the model read), data-generated (steps so far),
//                          data-max-new-tokens, data-done ("true"/"false"), data-stop-reason
//                          (generating | end-of-text | step-limit | context-limit | stopped),
//                          data-replayed-steps (steps with a fragment of their own; absent while streaming)
//   .generated-chip        data-step (0-based), data-token-id; in the sequence also data-fragment-index
//   .generation-step       data-step, data-token-id, data-prob (the chosen token's probability)
//   .generation-runner-up  data-token-id, data-prob
//   .generation-step-panel data-step, data-fragment-index: one replayed step's top 5
//   .generation-top5-row   data-token-id, data-prob, data-chosen ("true" on the chosen token's row)
// No view state: the slide is a function of the Trace and the Generation.
import { isEndOfText, stopReason } from '../src/maths/generation-summary';
import type { Generation, GenerationStep, Trace } from '../src/trace';
import { html } from '../src/viz/dom';
import { formatCount, formatPercent, plural, quoteToken } from '../src/viz/format';
import { currentGeneration, generatingMark, notStartedMessage, samplingDescription, stopSentence } from '../src/viz/generation-parts';
import { rerenderKeepingFragments } from '../src/viz/fragment-state';
import { prefersReducedMotion, replayItem } from '../src/viz/replay';
import { startLiveSlide } from '../src/viz/slide-frame';
import { tokenChip } from '../src/viz/token-chip';
import { knockOutAnswerNote, knockOutAnswerSentence } from '../src/viz/knock-out-controls';
import type { SlideContext, SlideModule } from './slide';
import './21-generation.css';

/** A long prompt shows only its last tokens: the generated ones are the point of the slide. */
const PROMPT_CHIPS_SHOWN = 16;
/** Replayed one fragment per step; the steps after these appear together, one after another, on the next fragment. */
export const REPLAYED_STEPS = 5;

/** The fragment that shows step `index` in a replay of `count` steps (the last REPLAYED_STEPS + 1 share one when there are more). */
export function replayFragmentOf(index: number, count: number): number {
  return count <= REPLAYED_STEPS + 1 ? index : Math.min(index, REPLAYED_STEPS);
}

/** The steps of a `count`-step run that have a fragment (and a top-5 panel) of their own. */
export function replayedStepCount(count: number): number {
  return count <= REPLAYED_STEPS + 1 ? count : REPLAYED_STEPS;
}

function promptChips(trace: Trace): Node[] {
  const hidden = Math.max(0, trace.tokens.length - PROMPT_CHIPS_SHOWN);
  const nodes: Node[] = [];
  if (hidden > 0) nodes.push(html('span', { className: 'generation-hidden-prompt', text: `… ${plural(hidden, 'earlier prompt token')}` }));
  trace.tokens.slice(hidden).forEach((token) => {
    const chip = tokenChip(token, { coloured: false });
    chip.classList.add('prompt-chip');
    nodes.push(chip);
  });
  return nodes;
}

function generatedChip(step: GenerationStep, index: number): HTMLSpanElement {
  const chip = tokenChip({ text: step.text, id: step.id, bytes: step.bytes }, { coloured: false, hint: `step ${index + 1}, p = ${formatPercent(step.prob)}` });
  chip.classList.add('generated-chip');
  if (isEndOfText(step.text)) chip.classList.add('generated-end-of-text');
  chip.dataset.step = String(index);
  chip.dataset.tokenId = String(step.id);
  return chip;
}

/** A finished run's chip as a replay fragment ("custom": Reveal never hides it; the slide's CSS hides the steps not yet replayed). */
function replayedChip(chip: HTMLSpanElement, index: number, count: number): HTMLSpanElement {
  const fragment = replayFragmentOf(index, count);
  chip.classList.add('fragment', 'custom', 'generation-replay-step');
  chip.dataset.fragmentIndex = String(fragment);
  // The steps sharing the last fragment appear one after another (a CSS replay), in order.
  if (fragment === REPLAYED_STEPS && count > REPLAYED_STEPS + 1) replayItem(chip, index - REPLAYED_STEPS);
  return chip;
}

function sequenceRow(trace: Trace, steps: readonly GenerationStep[], streaming: boolean, replay: boolean): HTMLDivElement {
  const row = html('div', { className: 'token-row generation-sequence' }, promptChips(trace));
  steps.forEach((step, index) => {
    const chip = generatedChip(step, index);
    row.append(replay ? replayedChip(chip, index, steps.length) : chip);
  });
  if (streaming) row.append(generatingMark());
  return row;
}

/** One replayed step: what the model chose among its top 5, as bars on a 0-100 % scale. */
function stepPanel(trace: Trace, step: GenerationStep, index: number): HTMLDivElement {
  const panel = html('div', {
    className: 'fragment custom generation-step-panel',
    attrs: { 'data-step': index, 'data-fragment-index': index },
  });
  panel.append(
    html('p', {
      className: 'generation-panel-title',
      text: `Step ${index + 1}: it reads ${plural(trace.tokens.length + index, 'token')}, scores all ${formatCount(trace.model.vocabSize)} next tokens. Top 5 (bar: p ÷ top p):`,
    }),
  );
  const list = html('ol', { className: 'generation-top5' });
  const candidates = step.top5.some((candidate) => candidate.id === step.id) ? step.top5 : [...step.top5, { id: step.id, text: step.text, prob: step.prob }];
  const likeliest = Math.max(...candidates.map((candidate) => candidate.prob));
  for (const candidate of candidates) {
    const chosen = candidate.id === step.id;
    const chip = tokenChip({ text: candidate.text, id: candidate.id }, { coloured: false });
    if (chosen) chip.classList.add('generated-chip');
    const bar = html('span', { className: 'generation-top5-bar' });
    bar.style.width = `${likeliest > 0 ? Math.max(0, Math.min(1, candidate.prob / likeliest)) * 100 : 0}%`; // the likeliest fills the track
    list.append(
      html('li', { className: `generation-top5-row${chosen ? ' generation-top5-chosen' : ''}`, attrs: { 'data-token-id': candidate.id, 'data-prob': candidate.prob, 'data-chosen': chosen } }, [
        html('span', { className: 'generation-top5-token' }, [chip]),
        html('span', { className: 'generation-top5-track' }, [bar]),
        html('span', { className: 'generation-top5-prob', text: formatPercent(candidate.prob) }),
        html('span', { className: 'generation-top5-mark', text: chosen ? (step.top5.includes(candidate) ? '← chosen' : '← chosen (sampled, outside the top 5)') : '' }),
      ]),
    );
  }
  panel.append(list);
  return panel;
}

/** The four likeliest tokens other than the chosen one (the chosen one is usually the first of top5). */
function runnersUp(step: GenerationStep): GenerationStep['top5'] {
  return step.top5.filter((candidate) => candidate.id !== step.id).slice(0, 4);
}

function stepRow(step: GenerationStep, index: number): HTMLTableRowElement {
  const row = html('tr', { className: 'generation-step', attrs: { 'data-step': index, 'data-token-id': step.id, 'data-prob': step.prob } });
  const chosen = tokenChip({ text: step.text, id: step.id, bytes: step.bytes }, { coloured: false });
  chosen.classList.add('generated-chip');
  row.append(
    html('td', { className: 'generation-step-number', text: String(index + 1) }),
    html('td', { className: 'generation-chosen' }, [chosen]),
    html('td', { className: 'generation-prob', text: formatPercent(step.prob) }),
  );
  const others = html('td', { className: 'generation-runners-up' });
  for (const candidate of runnersUp(step)) {
    const item = html('span', { className: 'generation-runner-up', attrs: { 'data-token-id': candidate.id, 'data-prob': candidate.prob } });
    item.append(tokenChip({ text: candidate.text, id: candidate.id }, { coloured: false }), html('span', { className: 'generation-runner-up-prob', text: formatPercent(candidate.prob) }));
    others.append(item);
  }
  row.append(others);
  return row;
}

/** Steps shown in full; a longer answer shows its first and last steps with a count between (nothing scrolls; print shows every row). */
const MAX_STEP_ROWS = 7;
const FIRST_STEP_ROWS = 3;

/** Every step, one table row each (a table: its text is read as a figure's, at label size and up). */
function stepTable(steps: readonly GenerationStep[]): HTMLTableElement {
  const table = html('table', { className: 'generation-steps' });
  // Print lays the rows out in two columns of this many.
  table.style.setProperty('--generation-print-rows', String(Math.ceil(steps.length / 2)));
  table.append(
    html('thead', {}, [
      html('tr', { className: 'generation-step generation-step-header' }, [
        html('th', { text: 'step' }),
        html('th', { text: 'chosen' }),
        html('th', { text: 'p' }),
        html('th', { text: 'the next four of the top 5' }),
      ]),
    ]),
  );
  const rows = html('tbody');
  const elided = steps.length > MAX_STEP_ROWS ? { from: FIRST_STEP_ROWS, to: steps.length - (MAX_STEP_ROWS - FIRST_STEP_ROWS - 1) } : null;
  steps.forEach((step, index) => {
    const row = stepRow(step, index);
    // Kept in the page (print mode and the notes read every step), not shown on the slide.
    if (elided && index >= elided.from && index < elided.to) row.classList.add('generation-step-elided');
    if (elided && index === elided.from) {
      const count = elided.to - elided.from;
      rows.append(html('tr', { className: 'generation-step generation-step-gap', attrs: { 'data-elided': count } }, [html('td', { text: `… ${count} more steps (${elided.from + 1}–${elided.to}) …`, attrs: { colspan: 4 } })]));
    }
    rows.append(row);
  });
  table.append(rows);
  return table;
}

/**
 * Redrawn on every streamed step, also while the run without the cache streams after this one is done: the
 * replay's fragment state (Reveal's classes) is kept across the redraw, so a replay under way goes on.
 */
function render(root: HTMLElement, context: SlideContext): void {
  rerenderKeepingFragments(root, () => draw(root, context));
}

function draw(root: HTMLElement, context: SlideContext): void {
  const trace = startLiveSlide(root, generationSlide.title, context);
  if (!trace) return;
  const body = html('div', { className: 'generation-body', attrs: { 'data-prompt-tokens': trace.tokens.length } });
  root.append(body);
  body.append(html('p', { className: 'live-lead', text: 'Generation is a loop: append the chosen token to the sequence, run the whole model again, repeat.' }));

  const generation = currentGeneration(trace, context.generation);
  if (!generation || (generation.cached.steps.length === 0 && !generation.cached.done)) {
    body.dataset.generated = '0';
    body.append(sequenceRow(trace, [], false, false), notStartedMessage());
    return;
  }
  const run = generation.cached;
  const reason = stopReason(generation, run, trace.model.contextLength);
  Object.assign(body.dataset, { generated: String(run.steps.length), maxNewTokens: String(generation.maxNewTokens), done: String(run.done), stopReason: reason });

  const replay = run.done && run.steps.length > 0 && !prefersReducedMotion(); // reduced motion: the table of steps, no presses
  if (replay) body.dataset.replayedSteps = String(replayedStepCount(run.steps.length));
  body.append(
    sequenceRow(trace, run.steps, !run.done, replay),
    html('p', { className: 'live-caption generation-legend', text: `Grey outline: the prompt. Orange: generated (${samplingDescription(generation)}).` }, [
      ...(replay ? [html('span', { className: 'generation-replay-hint', text: ' → replays it step by step.' })] : []),
    ]),
  );
  if (run.steps.length > 0) {
    const stage = html('div', { className: 'generation-stage' }, [stepTable(run.steps)]);
    if (replay) run.steps.slice(0, replayedStepCount(run.steps.length)).forEach((step, index) => stage.append(stepPanel(trace, step, index)));
    body.append(stage);
  }
  body.append(html('p', { className: `live-caption generation-stop generation-stop-${reason}`, text: stopSentence(reason, generation, run.steps.length, trace.model.contextLength) }));
  const knockedOut = knockOutAnswerNote(trace); // the deck's knock-out: this answer is the knocked-out model's
  if (knockedOut) body.append(knockedOut);
}

function notesFor(trace: Trace, generation: Generation): string {
  const run = generation.cached;
  const reason = stopReason(generation, run, trace.model.contextLength);
  const text = run.steps.map((step) => step.text).join('');
  const lines = [
    `The prompt is ${plural(trace.tokens.length, 'token')}; ${samplingDescription(generation)}.`,
    run.steps.length > 0 ? `Generated so far (${plural(run.steps.length, 'token')}): ${quoteToken(text)}.` : 'No token generated yet.',
    ...[knockOutAnswerSentence(trace)].filter((line) => line !== null),
  ];
  run.steps.slice(0, 3).forEach((step, index) => {
    const others = runnersUp(step)
      .map((c) => `${quoteToken(c.text)} ${formatPercent(c.prob)}`)
      .join(', ');
    lines.push(`Step ${index + 1}: ${quoteToken(step.text)} at ${formatPercent(step.prob)}${others ? `; then ${others}` : ''}.`);
  });
  lines.push(stopSentence(reason, generation, run.steps.length, trace.model.contextLength));
  lines.push('Point at the orange chips: each one was fed back in to get the next.');
  if (run.done && run.steps.length > 0 && !prefersReducedMotion()) {
    const own = replayedStepCount(run.steps.length);
    lines.push(
      `Press → to replay: ${own === run.steps.length ? `each of the ${run.steps.length} steps` : `steps 1 to ${own}`} one press at a time, each with its top 5` +
        (own < run.steps.length ? `, then the other ${run.steps.length - own} appear one after another.` : '.'),
    );
  }
  return lines.join('\n');
}

function notes(context: SlideContext): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  const generation = currentGeneration(trace, context.generation);
  if (!generation) return `The prompt is ${plural(trace.tokens.length, 'token')}. Generation has not started yet: it begins after the prompt's forward pass.`;
  return notesFor(trace, generation);
}

const generationSlide = {
  id: 'generation',
  title: 'Autoregressive generation: one token at a time',
  usesGeneration: true,
  render,
  notes,
} satisfies SlideModule;

export default generationSlide;
