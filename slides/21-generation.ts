// Slide: autoregressive generation. The prompt's tokens, then each generated token appended one by one,
// and for every step the chosen token, its probability and the four runners-up of that step's top 5.
// Reads context.generation (the cached run), which streams: render() runs again for every new step.
//
// Test hooks (full precision):
//   .generation-body       data-prompt-tokens (tokens the model read), data-generated (steps so far),
//                          data-max-new-tokens, data-done ("true"/"false"), data-stop-reason
//                          (generating | end-of-text | step-limit | context-limit | stopped)
//   .generated-chip        data-step (0-based), data-token-id
//   .generation-step       data-step, data-token-id, data-prob (the chosen token's probability)
//   .generation-runner-up  data-token-id, data-prob
// No view state: the slide is a function of the Trace and the Generation.
import { isEndOfText, stopReason } from '../src/maths/generation-summary';
import type { Generation, GenerationStep, Trace } from '../src/trace';
import { html } from '../src/viz/dom';
import { formatPercent, plural, quoteToken } from '../src/viz/format';
import { currentGeneration, generatingMark, notStartedMessage, samplingDescription, stopSentence } from '../src/viz/generation-parts';
import { startLiveSlide } from '../src/viz/slide-frame';
import { tokenChip } from '../src/viz/token-chip';
import type { SlideContext, SlideModule } from './slide';
import './21-generation.css';

/** A long prompt shows only its last tokens: the generated ones are the point of the slide. */
const PROMPT_CHIPS_SHOWN = 16;

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
  const chip = tokenChip({ text: step.text, id: step.id }, { coloured: false, hint: `step ${index + 1}, p = ${formatPercent(step.prob)}` });
  chip.classList.add('generated-chip');
  if (isEndOfText(step.text)) chip.classList.add('generated-end-of-text');
  chip.dataset.step = String(index);
  chip.dataset.tokenId = String(step.id);
  return chip;
}

function sequenceRow(trace: Trace, steps: readonly GenerationStep[], streaming: boolean): HTMLDivElement {
  const row = html('div', { className: 'token-row generation-sequence' }, promptChips(trace));
  steps.forEach((step, index) => row.append(generatedChip(step, index)));
  if (streaming) row.append(generatingMark());
  return row;
}

/** The four likeliest tokens other than the chosen one (the chosen one is usually the first of top5). */
function runnersUp(step: GenerationStep): GenerationStep['top5'] {
  return step.top5.filter((candidate) => candidate.id !== step.id).slice(0, 4);
}

function stepRow(step: GenerationStep, index: number): HTMLDivElement {
  const row = html('div', { className: 'generation-step', attrs: { 'data-step': index, 'data-token-id': step.id, 'data-prob': step.prob } });
  const chosen = tokenChip({ text: step.text, id: step.id }, { coloured: false });
  chosen.classList.add('generated-chip');
  row.append(
    html('span', { className: 'generation-step-number', text: String(index + 1) }),
    html('span', { className: 'generation-chosen' }, [chosen]),
    html('span', { className: 'generation-prob', text: formatPercent(step.prob) }),
  );
  const others = html('span', { className: 'generation-runners-up' });
  for (const candidate of runnersUp(step)) {
    const item = html('span', { className: 'generation-runner-up', attrs: { 'data-token-id': candidate.id, 'data-prob': candidate.prob } });
    item.append(tokenChip({ text: candidate.text, id: candidate.id }, { coloured: false }), html('span', { className: 'generation-runner-up-prob', text: formatPercent(candidate.prob) }));
    others.append(item);
  }
  row.append(others);
  return row;
}

/** Steps shown in full; a longer answer shows its first and last steps with a count between (nothing scrolls). */
const MAX_STEP_ROWS = 7;
const FIRST_STEP_ROWS = 2;

function stepTable(steps: readonly GenerationStep[]): HTMLDivElement {
  const table = html('div', { className: 'generation-steps' });
  table.append(
    html('div', { className: 'generation-step generation-step-header' }, [
      html('span', { text: 'step' }),
      html('span', { text: 'chosen' }),
      html('span', { text: 'p' }),
      html('span', { text: 'the next four candidates of the top 5' }),
    ]),
  );
  const elided = steps.length > MAX_STEP_ROWS ? { from: FIRST_STEP_ROWS, to: steps.length - (MAX_STEP_ROWS - FIRST_STEP_ROWS - 1) } : null;
  steps.forEach((step, index) => {
    const row = stepRow(step, index);
    // Kept in the page (print mode and the notes read every step), not shown on the slide.
    if (elided && index >= elided.from && index < elided.to) row.classList.add('generation-step-elided');
    if (elided && index === elided.from) {
      const count = elided.to - elided.from;
      table.append(html('div', { className: 'generation-step generation-step-gap', attrs: { 'data-elided': count } }, [html('span', { text: `… ${count} more steps (${elided.from + 1}–${elided.to}) …` })]));
    }
    table.append(row);
  });
  return table;
}

function render(root: HTMLElement, context: SlideContext): void {
  const trace = startLiveSlide(root, generationSlide.title, context);
  if (!trace) return;
  const body = html('div', { className: 'generation-body', attrs: { 'data-prompt-tokens': trace.tokens.length } });
  root.append(body);
  body.append(html('p', { className: 'live-lead', text: 'Generation is a loop: append the chosen token to the sequence, run the whole model again, repeat.' }));

  const generation = currentGeneration(trace, context.generation);
  if (!generation || (generation.cached.steps.length === 0 && !generation.cached.done)) {
    body.dataset.generated = '0';
    body.append(sequenceRow(trace, [], false), notStartedMessage());
    return;
  }
  const run = generation.cached;
  const reason = stopReason(generation, run, trace.model.contextLength);
  Object.assign(body.dataset, { generated: String(run.steps.length), maxNewTokens: String(generation.maxNewTokens), done: String(run.done), stopReason: reason });

  body.append(
    sequenceRow(trace, run.steps, !run.done),
    html('p', { className: 'live-caption generation-legend', text: `Grey outline: the prompt. Orange: generated (${samplingDescription(generation)}).` }),
  );
  if (run.steps.length > 0) {
    const table = stepTable(run.steps);
    body.append(table);
  }
  body.append(html('p', { className: `live-caption generation-stop generation-stop-${reason}`, text: stopSentence(reason, generation, run.steps.length, trace.model.contextLength) }));
}

function notesFor(trace: Trace, generation: Generation): string {
  const run = generation.cached;
  const reason = stopReason(generation, run, trace.model.contextLength);
  const text = run.steps.map((step) => step.text).join('');
  const lines = [
    `The prompt is ${plural(trace.tokens.length, 'token')}; ${samplingDescription(generation)}.`,
    run.steps.length > 0 ? `Generated so far (${plural(run.steps.length, 'token')}): ${quoteToken(text)}.` : 'No token generated yet.',
  ];
  run.steps.slice(0, 3).forEach((step, index) => {
    const others = runnersUp(step)
      .map((c) => `${quoteToken(c.text)} ${formatPercent(c.prob)}`)
      .join(', ');
    lines.push(`Step ${index + 1}: ${quoteToken(step.text)} at ${formatPercent(step.prob)}${others ? `; then ${others}` : ''}.`);
  });
  lines.push(stopSentence(reason, generation, run.steps.length, trace.model.contextLength));
  lines.push('Point at the orange chips: each one was fed back in to get the next.');
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
