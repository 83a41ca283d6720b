// Slide: how BPE builds a vocabulary. A live training run on a small corpus the presenter can edit
// (default "low lower lowest"), merge by merge: every word's segmentation, the pair counts that
// chose each merge, and the vocabulary growing from 256 bytes. It runs the project's own trainer
// (src/tokenize/bpe-trainer.ts) in the browser; this slide is not about the prompt. The Trace is
// used only for this model's vocabulary size; without one the toy run still works.
//
// View (kept by the deck): the corpus and the step (merges applied, 0 = bytes only).
//
// Test hooks:
//   root   data-step, data-merge-count (merges the run learned, at most MERGE_LIMIT),
//          data-toy-vocab-size (256 + step), data-model-vocab-size (trace.model.vocabSize, with a Trace)
//   .bpe-word[data-word][data-count][data-segmentation]   word in the byte-level alphabet; symbols after `step` merges, space-separated
//   .bpe-pair[data-left][data-right][data-count]          pair counts before the next merge, most frequent first
//   .bpe-merge[data-rank][data-left][data-right][data-merged][data-count][data-applied]
//   .bpe-vocab-token[data-token]                          the merged tokens in the vocabulary at this step
import { byteLevelToBytes, byteLevelToText } from '../src/tokenize/byte-level';
import { trainBpeRun, type BpeRun } from '../src/tokenize/bpe-replay';
import { html } from '../src/viz/dom';
import { formatCount, plural, quoteToken } from '../src/viz/format';
import { keptDrawing } from '../src/viz/kept-drawing';
import { startSlide } from '../src/viz/slide-frame';
import { tokenChip } from '../src/viz/token-chip';
import type { SlideContext, SlideModule } from './slide';
import './04-bpe-training.css';

export interface BpeTrainingView {
  corpus: string;
  /** Merges applied so far; clamped to the run's merges. */
  step: number;
}

export const DEFAULT_CORPUS = 'low lower lowest';
export const MERGE_LIMIT = 20;
export const CORPUS_LIMIT = 400;
const BYTE_TOKENS = 256;
const WORD_LIMIT = 4;
const PAIR_LIMIT = 4;
/** Merges listed around the current step; the others stay in the list, hidden, and are counted (nothing scrolls). */
const MERGES_SHOWN = 6;
const VOCAB_SHOWN = 5;
const DEFAULT_VIEW: BpeTrainingView = { corpus: DEFAULT_CORPUS, step: 0 };
const ROOT_HOOKS = ['step', 'mergeCount', 'toyVocabSize', 'modelVocabSize'] as const;

// The last run, so moving the slider does not train again.
let cached: { corpus: string; run: BpeRun } | null = null;

function corpusText(view: BpeTrainingView): string {
  return String(view.corpus ?? '').slice(0, CORPUS_LIMIT);
}

function currentRun(view: BpeTrainingView): BpeRun {
  const corpus = corpusText(view);
  if (!cached || cached.corpus !== corpus) cached = { corpus, run: trainBpeRun(corpus, MERGE_LIMIT) };
  return cached.run;
}

function currentStep(run: BpeRun, view: BpeTrainingView): number {
  const step = Number.isFinite(view.step) ? Math.trunc(view.step) : 0;
  return Math.min(run.merges.length, Math.max(0, step));
}

/** A byte-level symbol as a chip: its text, or its bytes in hex when it holds part of a character. */
function symbolChip(symbol: string, className: string): HTMLElement {
  const chip = tokenChip({ text: byteLevelToText([symbol]), bytes: byteLevelToBytes(symbol) }, { coloured: false });
  chip.classList.add(...className.split(' ').filter(Boolean));
  return chip;
}

function symbolClass(symbol: string, newest: string | null): string {
  if (symbol === newest) return 'bpe-symbol bpe-new';
  return Array.from(symbol).length > 1 ? 'bpe-symbol bpe-merged' : 'bpe-symbol';
}

function wordsPanel(run: BpeRun, step: number): HTMLElement {
  const newest = step > 0 ? run.merges[step - 1].merged : null;
  const order = run.words.map((_, index) => index).sort((a, b) => run.words[b].count - run.words[a].count || a - b);
  const shown = order.slice(0, WORD_LIMIT);
  const panel = html('div', { className: 'bpe-panel bpe-words' }, [html('h3', { className: 'bpe-heading', text: step === 0 ? 'Words, as single bytes' : `Words after ${plural(step, 'merge')}` })]);
  for (const index of shown) {
    const symbols = run.segmentations[step][index];
    const word = run.words[index];
    panel.append(
      html('div', { className: 'bpe-word', attrs: { 'data-word': word.word, 'data-count': String(word.count), 'data-segmentation': symbols.join(' ') } }, [
        html('span', { className: 'bpe-word-count', text: `${formatCount(word.count)}×` }),
        ...symbols.map((symbol) => symbolChip(symbol, symbolClass(symbol, newest))),
      ]),
    );
  }
  if (order.length > shown.length) panel.append(html('p', { className: 'live-caption', text: `+ ${plural(order.length - shown.length, 'more word')}` }));
  return panel;
}

function pairsPanel(run: BpeRun, step: number): HTMLElement {
  const pairs = run.pairCounts[step] ?? [];
  const next = run.merges[step];
  const panel = html('div', { className: 'bpe-panel bpe-pairs' }, [html('h3', { className: 'bpe-heading', text: 'Most frequent neighbouring pairs' })]);
  const list = html('ol', { className: 'bpe-pair-list' });
  for (const pair of pairs.slice(0, PAIR_LIMIT)) {
    const chosen = next !== undefined && pair.left === next.left && pair.right === next.right;
    list.append(
      html('li', { className: chosen ? 'bpe-pair bpe-pair-chosen' : 'bpe-pair', attrs: { 'data-left': pair.left, 'data-right': pair.right, 'data-count': String(pair.count) } }, [
        symbolChip(pair.left, 'bpe-symbol'),
        document.createTextNode(' + '),
        symbolChip(pair.right, 'bpe-symbol'),
        html('span', { className: 'bpe-pair-count', text: `${formatCount(pair.count)}×${chosen ? '  ← merged next' : ''}` }),
      ]),
    );
  }
  panel.append(list);
  if (!next) {
    const reason =
      run.merges.length >= MERGE_LIMIT
        ? `The slide stops at ${MERGE_LIMIT} merges.`
        : pairs.length === 0
          ? 'No word has two symbols left: nothing to merge.'
          : `No pair occurs ${run.minPairCount} times or more: training stops.`;
    panel.append(html('p', { className: 'bpe-stop', text: reason }));
  }
  return panel;
}

function mergesPanel(run: BpeRun, step: number): HTMLElement {
  const panel = html('div', { className: 'bpe-panel bpe-merges' }, [html('h3', { className: 'bpe-heading', text: `The run: ${plural(run.merges.length, 'merge')}` })]);
  const list = html('ol', { className: 'bpe-merge-list' });
  const first = Math.max(0, Math.min(step - Math.floor(MERGES_SHOWN / 2), run.merges.length - MERGES_SHOWN));
  const last = first + MERGES_SHOWN; // exclusive
  const more = (count: number, where: string) => html('li', { className: 'bpe-merge-more', text: `… ${plural(count, `${where} merge`)}` });
  if (first > 0) list.append(more(first, 'earlier'));
  for (const merge of run.merges) {
    const applied = merge.rank < step;
    const hidden = merge.rank < first || merge.rank >= last;
    list.append(
      html(
        'li',
        {
          className: `bpe-merge${applied ? '' : ' bpe-merge-future'}${merge.rank === step - 1 ? ' bpe-merge-latest' : ''}${hidden ? ' bpe-merge-hidden' : ''}`,
          attrs: { 'data-rank': String(merge.rank), 'data-left': merge.left, 'data-right': merge.right, 'data-merged': merge.merged, 'data-count': String(merge.count), 'data-applied': String(applied) },
        },
        [
          html('span', { className: 'bpe-merge-rank', text: `${merge.rank + 1}.` }),
          symbolChip(merge.left, 'bpe-symbol'),
          document.createTextNode(' + '),
          symbolChip(merge.right, 'bpe-symbol'),
          document.createTextNode(' → '),
          symbolChip(merge.merged, applied ? 'bpe-symbol bpe-merged' : 'bpe-symbol'),
          html('span', { className: 'bpe-pair-count', text: `${formatCount(merge.count)}×` }),
        ],
      ),
    );
  }
  if (last < run.merges.length) list.append(more(run.merges.length - last, 'later'));
  panel.append(list);
  const vocabulary = html('p', { className: 'bpe-vocab' }, [
    html('span', { className: 'bpe-vocab-size', text: `Vocabulary: 256 bytes + ${plural(step, 'merge')} = ${formatCount(BYTE_TOKENS + step)}` }),
  ]);
  // The newest tokens (the list above names them all): the vocabulary line stays one line or two.
  if (step > VOCAB_SHOWN) vocabulary.append(html('span', { className: 'bpe-vocab-more', text: `… ${formatCount(step - VOCAB_SHOWN)} more,` }));
  for (const merge of run.merges.slice(Math.max(0, step - VOCAB_SHOWN), step)) {
    const chip = symbolChip(merge.merged, merge.rank === step - 1 ? 'bpe-symbol bpe-new bpe-vocab-token' : 'bpe-symbol bpe-merged bpe-vocab-token');
    chip.dataset.token = merge.merged;
    vocabulary.append(chip);
  }
  panel.append(vocabulary);
  return panel;
}

function render(root: HTMLElement, context: SlideContext<BpeTrainingView>): void {
  // Built once per Trace: a view change (typing, the slider) updates the elements, so typing keeps its focus and a drag goes on.
  keptDrawing(root, [context.trace, context.waitingMessage], context.view, () => build(root, context));
}

/** Draws the slide's elements; returns how to show a view in them. */
function build(root: HTMLElement, context: SlideContext<BpeTrainingView>): (view: BpeTrainingView) => void {
  startSlide(root, bpeTraining.title);
  for (const key of ROOT_HOOKS) delete root.dataset[key];
  const trace = context.trace;
  const { setView } = context;

  const input = html('input', { className: 'bpe-corpus', attrs: { type: 'text', maxlength: CORPUS_LIMIT, spellcheck: 'false', 'aria-label': 'training corpus' } });
  const back = html('button', { className: 'live-choice', text: '◀ undo', attrs: { type: 'button' } });
  const forward = html('button', { className: 'live-choice bpe-next', text: 'next merge ▶', attrs: { type: 'button' } });
  const slider = html('input', { className: 'bpe-step', attrs: { type: 'range', min: 0, step: 1, 'aria-label': 'merges applied' } });
  const stepLabel = html('span', { className: 'bpe-step-label' });
  const results = html('div', { className: 'bpe-layout' });

  // Redraws what depends on the corpus and step; the controls stay, so typing keeps its focus.
  let shown: BpeTrainingView = context.view;
  const update = (view: BpeTrainingView) => {
    shown = view;
    const corpus = corpusText(view);
    if (input.value !== corpus) input.value = corpus;
    const run = currentRun(view);
    const step = currentStep(run, view);
    root.dataset.step = String(step);
    root.dataset.mergeCount = String(run.merges.length);
    root.dataset.toyVocabSize = String(BYTE_TOKENS + step);
    slider.max = String(run.merges.length);
    slider.value = String(step);
    stepLabel.textContent = `${formatCount(step)} of ${formatCount(run.merges.length)}`;
    back.disabled = step === 0;
    forward.disabled = step >= run.merges.length;
    results.replaceChildren(html('div', { className: 'bpe-column' }, [wordsPanel(run, step), pairsPanel(run, step)]), mergesPanel(run, step));
  };
  input.addEventListener('input', () => setView({ corpus: input.value, step: 0 }));
  back.addEventListener('click', () => setView({ step: currentStep(currentRun(shown), shown) - 1 }));
  forward.addEventListener('click', () => setView({ step: currentStep(currentRun(shown), shown) + 1 }));
  slider.addEventListener('input', () => setView({ step: Number(slider.value) }));

  root.append(
    html('p', { className: 'live-lead', text: 'Trained live on a toy corpus: count neighbouring pairs, merge the most frequent, repeat.' }),
    html('div', { className: 'live-controls bpe-controls' }, [html('label', { className: 'live-choices-label', text: 'Corpus' }), input, back, forward, slider, stepLabel]),
    results,
  );

  if (trace) {
    root.dataset.modelVocabSize = String(trace.model.vocabSize);
    root.append(
      html('p', {
        className: 'live-caption bpe-model-note',
        text: `This model's own tokenizer was trained the same way on the State of the Union addresses, to ${formatCount(trace.model.vocabSize)} tokens, then frozen.`,
      }),
    );
  } else {
    root.append(html('p', { className: 'live-caption bpe-model-note', text: `This model's own tokenizer was trained the same way, on the State of the Union addresses. ${context.waitingMessage}` }));
  }
  return update;
}

function describeMerge(run: BpeRun, rank: number): string {
  const merge = run.merges[rank];
  return `${quoteToken(byteLevelToText([merge.left]))} + ${quoteToken(byteLevelToText([merge.right]))} (${merge.count}×)`;
}

function notes(context: SlideContext<BpeTrainingView>): string {
  const view = context.view;
  const run = currentRun(view);
  const step = currentStep(run, view);
  const lines = [
    `Toy corpus ${quoteToken(corpusText(view))}, trained live: ${plural(run.words.length, 'distinct word')}, ${plural(run.merges.length, 'merge')} learned. Showing step ${step}.`,
    run.merges.length > 0 ? `Merges in order: ${run.merges.map((_, rank) => describeMerge(run, rank)).join('; ')}.` : 'No pair occurs twice: nothing to merge. Type a longer corpus.',
    'Click "next merge" to apply one merge at a time; type in the box to train on any text (the ␣ mark is the space GPT-2 attaches to the start of a word).',
  ];
  const trace = context.trace;
  lines.push(
    trace
      ? `This model's tokenizer: the same algorithm on the State of the Union corpus, ${formatCount(trace.model.vocabSize)} tokens. Then frozen for every prompt.`
      : `No Trace yet (${context.waitingMessage}): the toy run works without the model.`,
  );
  return lines.join('\n');
}

const bpeTraining = {
  id: 'bpe-training',
  title: 'How BPE builds a vocabulary',
  defaultView: DEFAULT_VIEW,
  render,
  notes,
} satisfies SlideModule<BpeTrainingView>;

export default bpeTraining;
