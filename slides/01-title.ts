// The title slide: what the deck is, the prompt field the whole deck reads, which model runs where,
// the model menu and what the model read (both filled by the deck from models/models.json).
import { familyDisplayName } from '../src/viz/architecture-names';
import { html } from '../src/viz/dom';
import { monoTextWidth } from '../src/viz/row-fit';
import type { Trace } from '../src/trace';
import type { SlideContext, SlideModule } from './slide';
import './01-title.css';

const TITLE = 'What happens when you talk to an AI?';
const backendNames: Record<Trace['backend'], string> = { webgpu: 'WebGPU', wasm: 'WebAssembly (CPU)', 'node-cpu': 'Node (CPU)' };

function modelLine(trace: Trace): string {
  const m = trace.model;
  const parameters = m.parameterCount === null ? '' : `, ${(m.parameterCount / 1e6).toFixed(1)} million parameters`;
  return `Model ${m.name}: ${familyDisplayName(m.modelType)}, ${m.nLayer} layers × ${m.nHead} heads, width ${m.nEmbd}${parameters}, running on ${backendNames[trace.backend]} · ${precisionOf(trace)}.`;
}

/** fp32 or fp16: the weights that run (a Trace saved before precision existed ran fp32). */
function precisionOf(trace: Trace): string {
  return trace.model.precision ?? 'fp32';
}

/** Built once: re-rendering must not replace the field the presenter is typing in. */
function buildSkeleton(root: HTMLElement): void {
  const field = html('textarea', {
    className: 'title-prompt',
    attrs: { id: 'title-prompt', rows: 2, spellcheck: 'false', placeholder: 'Type a prompt, e.g. How do I bake chocolate chip cookies?' },
  });
  field.dataset.promptInput = 'title';
  // A long prompt would scroll inside the field: away from the keyboard the field shows a summary instead
  // (its first and last words), and printed, the prompt in full (01-title.css).
  const summary = html('div', { className: 'title-prompt-summary', attrs: { 'aria-hidden': 'true' } });
  const printed = html('p', { className: 'title-prompt-print' });
  const box = html('div', { className: 'title-prompt-box' }, [field, summary, printed]);
  const update = () => summarisePrompt(box, field.value);
  for (const event of ['input', 'focus', 'blur']) field.addEventListener(event, update);
  root.replaceChildren(
    html('h1', { className: 'title-heading', text: TITLE }),
    html('p', { className: 'title-lead', text: 'From your keyboard to the answer: every number on these slides is computed live, in this browser, by a small language model.' }),
    html('label', { className: 'title-prompt-label', text: 'Your prompt', attrs: { for: 'title-prompt' } }),
    box,
    html('p', { className: 'title-model', attrs: { 'data-title-model': '' } }),
    // Filled by the deck from models/models.json (src/deck/model-menu.ts); hidden until then.
    html('div', { className: 'title-model-menu', attrs: { 'data-model-menu-row': '', hidden: '' } }, [
      html('label', { text: 'Model', attrs: { for: 'title-model-menu' } }),
      html('select', { attrs: { id: 'title-model-menu', 'data-model-menu': '', 'aria-label': 'Model' } }),
    ]),
    html('p', { className: 'title-model-about', attrs: { 'data-model-about': '' } }),
    html('p', { className: 'title-hint', text: 'Enter runs the prompt. Press E on any slide to change it, S for the speaker view.' }),
  );
}

/** Prompts up to this many character cells (wide CJK and emoji count two) show in the field as they are: its two lines. */
const FIELD_CELLS = 100;
const SUMMARY_HEAD = 70;
const SUMMARY_TAIL = 40;

/** Cuts `text` at a space near `at` (searching towards the cut), so words stay whole. */
function wordCut(text: string, at: number, fromEnd: boolean): string {
  if (fromEnd) {
    const part = text.slice(-at);
    const space = part.indexOf(' ');
    return space > 0 && space < at / 2 ? part.slice(space + 1) : part;
  }
  const part = text.slice(0, at);
  const space = part.lastIndexOf(' ');
  return space > at / 2 ? part.slice(0, space) : part;
}

/** Sets the summary (first and last words, the characters between counted) and the printed full text. */
function summarisePrompt(box: HTMLElement, prompt: string): void {
  const long = monoTextWidth(prompt, 1) / 0.6 > FIELD_CELLS || prompt.split('\n').length > 2;
  box.dataset.long = String(long);
  box.querySelector('.title-prompt-print')!.textContent = prompt;
  const summary = box.querySelector<HTMLElement>('.title-prompt-summary')!;
  if (!long) {
    summary.replaceChildren();
    return;
  }
  const flat = prompt.replace(/\s+/g, ' ');
  const head = wordCut(flat, SUMMARY_HEAD, false);
  const tail = wordCut(flat, SUMMARY_TAIL, true);
  const between = Math.max(0, Array.from(flat).length - Array.from(head).length - Array.from(tail).length);
  summary.replaceChildren(
    document.createTextNode(`${head} `),
    html('span', { className: 'title-prompt-more', text: `… ${between.toLocaleString('en-US')} more characters …` }),
    document.createTextNode(` ${tail}`),
  );
}

export const titleSlide: SlideModule = {
  id: 'title',
  title: TITLE,
  render(root: HTMLElement, context: SlideContext) {
    if (!root.querySelector('[data-prompt-input]')) buildSkeleton(root);
    root.classList.add('title-slide');
    const field = root.querySelector<HTMLTextAreaElement>('textarea.title-prompt')!;
    // The deck sets the field's value before the slides draw; an untouched field shows the Trace's prompt.
    summarisePrompt(root.querySelector<HTMLElement>('.title-prompt-box')!, field.value || context.trace?.prompt || '');
    const model = root.querySelector<HTMLElement>('[data-title-model]')!;
    model.textContent = context.trace ? modelLine(context.trace) : context.waitingMessage;
    model.dataset.backend = context.trace?.backend ?? '';
    model.dataset.precision = context.trace ? precisionOf(context.trace) : '';
  },
  notes(context: SlideContext) {
    const trace = context.trace;
    if (!trace) return `Type a prompt with the audience. ${context.waitingMessage}`;
    const m = trace.model;
    return [
      `The prompt "${trace.prompt}" became ${trace.tokens.length} tokens.`,
      `${m.name} is a ${m.modelType} model: ${m.nLayer} layers, ${m.nHead} heads, width ${m.nEmbd}, a ${m.vocabSize}-token vocabulary and a ${m.contextLength}-token context.`,
      `It runs here on ${backendNames[trace.backend]} in ${precisionOf(trace)}; this forward pass took ${trace.timings.forwardMs.toFixed(1)} ms.`,
    ].join(' ');
  },
};

export default titleSlide;
