// Slide: the whole pipeline for this prompt, stage by stage: what each stage produced (sizes from
// the Trace) and how long it took (trace.timings), ending with the likeliest next token: the first
// step of the answer. Generation (sampling, appending, the KV cache) is not in the Trace yet, so
// the slide stops at that first token and says so.
//
// Test hooks (full precision), on .pipeline-body: data-char-count, data-byte-count (UTF-8 bytes of
//   the prompt), data-token-count, data-dropped-tokens, data-n-layer, data-width, data-logit-count,
//   data-tokenize-ms, data-forward-ms, data-collect-ms, data-total-ms, data-backend,
//   data-next-token-id, data-next-token-prob (absent without top-k).
// Each stage row: data-stage (prompt | bytes | tokens | embeddings | blocks | lm-head | softmax | next-token);
// each time cell: data-timing (tokenize | forward | collect | total) and data-ms.
// No view state.
import type { Trace } from '../src/trace';
import { html } from '../src/viz/dom';
import { formatCount, formatPercent, plural, quoteToken } from '../src/viz/format';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { tokenChip } from '../src/viz/token-chip';
import { visibleWhitespace } from '../src/viz/visible-whitespace';
import type { SlideContext, SlideModule } from './slide';
import './26-pipeline.css';

const PROMPT_CHARS = 40;
const SHOWN_IDS = 8;

function promptPreview(prompt: string): string {
  const chars = Array.from(prompt);
  const shown = chars.length > PROMPT_CHARS ? `${chars.slice(0, PROMPT_CHARS - 1).join('')}…` : prompt;
  return `“${visibleWhitespace(shown)}”`;
}

function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

/** `includes`: what the measured time covers, said under it (the read-out can outweigh the forward pass). */
function timeCell(kind: string, ms: number, total: number, label: string, includes = ''): HTMLElement {
  const bar = html('div', { className: 'pipeline-time-fill' });
  bar.style.width = `${total > 0 && Number.isFinite(ms) ? Math.min(100, (100 * Math.max(0, ms)) / total) : 0}%`;
  return html('div', { className: 'pipeline-time', attrs: { 'data-timing': kind, 'data-ms': String(ms) } }, [
    html('span', { className: 'pipeline-time-text', text: `${label} ${formatMs(ms)}` }),
    html('div', { className: 'pipeline-time-track' }, [bar]),
    ...(includes ? [html('span', { className: 'pipeline-time-includes live-caption', text: includes })] : []), // a caption under its bar
  ]);
}

function stageRow(stage: string, step: number, name: string, produced: Node[], fragment: number): HTMLElement {
  return html('div', { className: 'pipeline-row fragment', attrs: { 'data-stage': stage, 'data-fragment-index': String(fragment) } }, [
    html('span', { className: 'pipeline-step', text: String(step) }),
    html('span', { className: 'pipeline-name', text: name }),
    html('span', { className: 'pipeline-produced' }, produced),
  ]);
}

const text = (value: string) => document.createTextNode(value);

function render(root: HTMLElement, context: SlideContext): void {
  const trace = startLiveSlide(root, pipeline.title, context);
  if (!trace) return;
  const n = trace.tokens.length;
  if (n === 0) {
    root.append(missingMessage('This Trace holds no tokens, so there is no pipeline to show.', ['tokens']));
    return;
  }
  const { model, timings } = trace;
  const byteCount = new TextEncoder().encode(trace.prompt).length;
  const charCount = Array.from(trace.prompt).length;
  const vocab = trace.lastLogits.length;
  const first = trace.topk[0];
  const total = timings.totalMs;

  const body = html('div', {
    className: 'pipeline-body',
    attrs: {
      'data-char-count': String(charCount),
      'data-byte-count': String(byteCount),
      'data-token-count': String(n),
      'data-dropped-tokens': String(trace.droppedTokens),
      'data-n-layer': String(model.nLayer),
      'data-width': String(model.nEmbd),
      'data-logit-count': String(vocab),
      'data-tokenize-ms': String(timings.tokenizeMs),
      'data-forward-ms': String(timings.forwardMs),
      'data-collect-ms': String(timings.collectMs),
      'data-total-ms': String(total),
      'data-backend': trace.backend,
    },
  });
  if (first) {
    body.dataset.nextTokenId = String(first.id);
    body.dataset.nextTokenProb = String(first.prob);
  }
  root.append(body);

  const ids = trace.tokens.slice(0, SHOWN_IDS).map((t) => t.id).join(' ') + (n > SHOWN_IDS ? ' …' : '');
  const dropped = trace.droppedTokens > 0 ? ` (the first ${formatCount(trace.droppedTokens)} cut: over the ${formatCount(model.contextLength)}-token window)` : '';
  const nextToken: Node[] = first
    ? [tokenChip({ text: first.token, id: first.id }, { coloured: false }), text(` ${formatPercent(first.prob)}`)]
    : [missingMessage('No next-token candidates in this Trace.', ['topk'])];

  const before = html('div', { className: 'pipeline-group' }, [
    html('div', { className: 'pipeline-rows' }, [
      stageRow('prompt', 1, 'Your prompt', [text(`${promptPreview(trace.prompt)} · ${plural(charCount, 'character')}`)], 1),
      stageRow('bytes', 2, 'UTF-8 bytes', [text(plural(byteCount, 'byte'))], 1),
      stageRow('tokens', 3, 'BPE tokens', [text(`${plural(n, 'token')}${dropped}: ${ids}`)], 2),
    ]),
    html('div', { className: 'pipeline-times fragment', attrs: { 'data-fragment-index': '2' } }, [timeCell('tokenize', timings.tokenizeMs, total, 'tokenize', 'BPE in JavaScript')]),
  ]);
  const forward = html('div', { className: 'pipeline-group pipeline-group-forward' }, [
    html('div', { className: 'pipeline-rows' }, [
      stageRow('embeddings', 4, 'Embeddings + positions', [text(`[${formatCount(n)} × ${formatCount(model.nEmbd)}]`)], 3),
      stageRow('blocks', 5, `${plural(model.nLayer, 'transformer block')}`, [text(`attention + MLP, [${formatCount(n)} × ${formatCount(model.nEmbd)}] in and out`)], 3),
      stageRow('lm-head', 6, 'LM head', [text(`${formatCount(vocab)} logits for the last token`)], 3),
    ]),
    html('div', { className: 'pipeline-times fragment', attrs: { 'data-fragment-index': '3' } }, [timeCell('forward', timings.forwardMs, total, 'one forward pass', `the whole graph on ${trace.backend}, every layer's intermediates kept`)]),
  ]);
  const after = html('div', { className: 'pipeline-group' }, [
    html('div', { className: 'pipeline-rows' }, [
      stageRow('softmax', 7, 'Softmax', [text(`${formatCount(vocab)} probabilities, summing to 1`)], 4),
      stageRow('next-token', 8, 'Likeliest next token', nextToken, 4),
    ]),
    html('div', { className: 'pipeline-times fragment', attrs: { 'data-fragment-index': '4' } }, [timeCell('collect', timings.collectMs, total, 'read-out for the slides', 'intermediates copied back, softmax, top-10: not needed to pick a token')]),
  ]);
  const totalRow = html('div', { className: 'pipeline-total fragment', attrs: { 'data-fragment-index': '5' } }, [
    html('span', { className: 'pipeline-name', text: `Total on ${trace.backend}` }),
    timeCell('total', total, total, ''),
  ]);
  const response = html('p', { className: 'live-lead pipeline-response fragment', attrs: { 'data-fragment-index': '5' } }, [
    html('strong', { text: 'Response, first step: ' }),
    ...(first ? [text('the likeliest next token is '), tokenChip({ text: first.token, id: first.id }, { coloured: false }), text(` (${formatPercent(first.prob)}).`)] : [text('this Trace has no next-token candidates.')]),
  ]);
  body.append(
    before,
    forward,
    after,
    totalRow,
    response,
    html('p', { className: 'live-caption', text: 'Each further token runs steps 4–8 again for the new token only (a KV cache keeps the earlier keys and values).' }),
  );
}

function notes(context: SlideContext): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  if (trace.tokens.length === 0) return 'This Trace holds no tokens.';
  const { timings, model } = trace;
  const first = trace.topk[0];
  return [
    `${plural(Array.from(trace.prompt).length, 'character')} → ${plural(new TextEncoder().encode(trace.prompt).length, 'byte')} → ${plural(trace.tokens.length, 'token')} → [${trace.tokens.length} x ${model.nEmbd}] → ${plural(model.nLayer, 'block')} → ${formatCount(trace.lastLogits.length)} logits → softmax.`,
    `Times on ${trace.backend}: tokenize ${formatMs(timings.tokenizeMs)}, forward pass ${formatMs(timings.forwardMs)}, read-out, softmax and top-10 ${formatMs(timings.collectMs)}, total ${formatMs(timings.totalMs)}.`,
    first ? `First step of the answer: ${quoteToken(first.token)} (id ${first.id}) at ${formatPercent(first.prob)}.` : 'No next-token candidates in this Trace.',
    'Generating a whole answer repeats this once per token; the Trace does not include generation yet.',
  ].join('\n');
}

const pipeline = {
  id: 'pipeline',
  title: 'The whole pipeline, for your prompt',
  render,
  notes,
} satisfies SlideModule;

export default pipeline;
