// Slide: this model's own BPE merges turning one word of the prompt from bytes into its tokens, step by
// step: the pair merged, its rank in the merge list (rank 0 = learned first = the most frequent pair in
// the training text), and the pieces after it. Data: trace.extras.merges (the engine replays the
// tokenizer's merges on each pre-tokenized word). Every step stays visible (no fragments), so the
// printed handout shows them all and clicking another word needs no fragment bookkeeping.
//
// View (kept by the deck): the chosen word, for the prompt it was chosen
// in. Default: the word with the most merges (ties: the most bytes, then the first).
//
// Test hooks:
//   root   data-word (the chosen word as typed), data-word-index (index in extras.merges),
//          data-start-count (bytes), data-step-count (merges), data-piece-count (tokens at the end)
//   .merge-word-choice[data-word-index][data-word]           one button per distinct word
//   .merge-start[data-pieces]                                the bytes (byte-level alphabet, JSON array)
//   .merge-step[data-step][data-rank][data-left][data-right][data-pieces]   one per merge, in order
//   .merge-piece-new                                         the pieces each step created
import { html } from '../src/viz/dom';
import { formatCount, plural, quoteToken } from '../src/viz/format';
import { pieceChip, pieceDisplayText } from '../src/viz/byte-level-piece';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { visibleWhitespace } from '../src/viz/visible-whitespace';
import type { Trace, WordMerges } from '../src/trace';
import type { SlideContext, SlideModule } from './slide';
import './05-bpe-merges.css';

export interface BpeMergesView {
  /** The chosen word's text, or null to follow the default of whatever prompt comes next. */
  word: string | null;
  /** The prompt the word was chosen in: a new prompt goes back to the default. */
  wordPrompt: string | null;
}

const DEFAULT_VIEW: BpeMergesView = { word: null, wordPrompt: null };
const ROOT_HOOKS = ['word', 'wordIndex', 'startCount', 'stepCount', 'pieceCount'] as const;
/** Rows the slide has room for; a longer word shows its first merges, a gap, and the last one. */
export const STEP_ROW_LIMIT = 8;
const WORD_LABEL_CHARS = 14;

/** The word with the most merges; ties go to the longer word (in bytes), then the earlier one. */
export function defaultWordIndex(words: readonly WordMerges[]): number {
  let best = 0;
  words.forEach((word, index) => {
    const chosen = words[best];
    if (word.steps.length > chosen.steps.length || (word.steps.length === chosen.steps.length && word.start.length > chosen.start.length)) best = index;
  });
  return best;
}

function selectedIndex(trace: Trace, words: readonly WordMerges[], view: BpeMergesView): number {
  if (view.word !== null && view.wordPrompt === trace.prompt) {
    const index = words.findIndex((word) => word.word === view.word);
    if (index >= 0) return index;
  }
  return defaultWordIndex(words);
}

function finalPieces(word: WordMerges): string[] {
  return word.steps.at(-1)?.pieces ?? word.start;
}

/** Indices in `after` of the pieces this merge created (every occurrence of left+right in `before`). */
export function newPieceIndices(before: readonly string[], after: readonly string[], left: string, right: string): Set<number> {
  const created = new Set<number>();
  let i = 0;
  let j = 0;
  while (j < before.length && i < after.length) {
    if (before[j] === left && before[j + 1] === right && after[i] === left + right) {
      created.add(i);
      j += 2;
    } else j += 1;
    i += 1;
  }
  return created;
}

function shortLabel(text: string): string {
  const chars = Array.from(visibleWhitespace(text));
  return chars.length > WORD_LABEL_CHARS ? `${chars.slice(0, WORD_LABEL_CHARS - 1).join('')}…` : chars.join('');
}

/** Word buttons shown at once: a long prompt shows those around the chosen word, with buttons to step past them (nothing scrolls). */
const SHOWN_WORDS = 10;

function wordChoices(words: readonly WordMerges[], chosen: number, onChoose: (index: number) => void): HTMLElement {
  const group = html('div', { className: 'merge-word-choices', attrs: { role: 'group', 'aria-label': 'Word' } }, [html('span', { className: 'live-choices-label', text: 'Word:' })]);
  const first = Math.max(0, Math.min(chosen - Math.floor(SHOWN_WORDS / 2), words.length - SHOWN_WORDS));
  const last = Math.min(words.length, first + SHOWN_WORDS); // exclusive
  const step = (index: number, label: string) => {
    const button = html('button', { className: 'live-choice merge-word-step', text: label, attrs: { type: 'button' } });
    button.addEventListener('click', () => onChoose(index));
    return button;
  };
  if (first > 0) group.append(step(first - 1, `‹ ${first} earlier`));
  words.forEach((word, index) => {
    const button = html('button', {
      className: 'live-choice merge-word-choice',
      text: shortLabel(word.word),
      attrs: { type: 'button', 'aria-pressed': index === chosen, 'data-word-index': String(index), 'data-word': word.word, title: `${plural(word.steps.length, 'merge')}` },
    });
    button.hidden = index < first || index >= last; // kept for the tests' hooks, not shown
    button.addEventListener('click', () => onChoose(index));
    group.append(button);
  });
  if (last < words.length) group.append(step(last, `${words.length - last} later ›`));
  return group;
}

function pieceRow(pieces: readonly string[], created: Set<number>): HTMLElement {
  const row = html('div', { className: 'merge-pieces' });
  pieces.forEach((piece, index) => {
    const chip = pieceChip(piece);
    chip.classList.add('merge-piece');
    if (created.has(index)) chip.classList.add('merge-piece-new');
    row.append(chip);
  });
  return row;
}

function startRow(word: WordMerges): HTMLElement {
  return html('div', { className: 'merge-row merge-start', attrs: { 'data-pieces': JSON.stringify(word.start) } }, [
    html('span', { className: 'merge-label', text: 'bytes' }),
    html('span', { className: 'merge-pair', text: plural(word.start.length, 'byte') }),
    pieceRow(word.start, new Set()),
  ]);
}

function stepRow(word: WordMerges, stepIndex: number): HTMLElement {
  const step = word.steps[stepIndex];
  const before = stepIndex === 0 ? word.start : word.steps[stepIndex - 1].pieces;
  const pair = html('span', { className: 'merge-pair' }, [pieceChip(step.left), document.createTextNode(' + '), pieceChip(step.right)]);
  return html(
    'div',
    {
      className: 'merge-row merge-step',
      attrs: { 'data-step': String(stepIndex + 1), 'data-rank': String(step.rank), 'data-left': step.left, 'data-right': step.right, 'data-pieces': JSON.stringify(step.pieces) },
    },
    [
      html('span', { className: 'merge-label' }, [html('span', { text: `merge ${stepIndex + 1}` }), html('span', { className: 'merge-rank', text: `rank ${formatCount(step.rank)}` })]),
      pair,
      pieceRow(step.pieces, newPieceIndices(before, step.pieces, step.left, step.right)),
    ],
  );
}

/** The steps to draw: all of them, or (for a very long word) the first ones and the last. */
function shownSteps(stepCount: number): { indices: number[]; hidden: number } {
  if (stepCount <= STEP_ROW_LIMIT) return { indices: Array.from({ length: stepCount }, (_, i) => i), hidden: 0 };
  const head = Array.from({ length: STEP_ROW_LIMIT - 1 }, (_, i) => i);
  return { indices: [...head, stepCount - 1], hidden: stepCount - STEP_ROW_LIMIT };
}

function density(word: WordMerges): 'normal' | 'compact' | 'dense' {
  if (word.start.length <= 16) return 'normal';
  if (word.start.length <= 24) return 'compact';
  return 'dense';
}

function resultSentence(word: WordMerges): string {
  const pieces = finalPieces(word);
  if (word.steps.length > 0) return `${plural(word.start.length, 'byte')} → ${plural(pieces.length, 'token')} after ${plural(word.steps.length, 'merge')}.`;
  if (word.start.length === 1) return 'A single byte: already a token, nothing to merge.';
  return `No learned merge applies: it stays ${plural(word.start.length, 'separate byte')}, ${plural(pieces.length, 'token')}.`;
}

function render(root: HTMLElement, context: SlideContext<BpeMergesView>): void {
  for (const key of ROOT_HOOKS) delete root.dataset[key];
  const trace = startLiveSlide(root, bpeMerges.title, context);
  if (!trace) return;
  if (!trace.extras) {
    root.append(missingMessage("This model's tokenizer merges could not be read, so its merges cannot be replayed here.", ['trace.extras']));
    return;
  }
  const words = trace.extras.merges;
  if (words.length === 0) {
    root.append(missingMessage('This Trace holds no word merges: the tokenizer is not a byte-level BPE whose merges can be replayed, or the prompt is empty.', ['trace.extras.merges']));
    return;
  }
  const index = selectedIndex(trace, words, context.view);
  const word = words[index];
  root.dataset.word = word.word;
  root.dataset.wordIndex = String(index);
  root.dataset.startCount = String(word.start.length);
  root.dataset.stepCount = String(word.steps.length);
  root.dataset.pieceCount = String(finalPieces(word).length);
  const choose = (chosen: number) => context.setView({ word: words[chosen].word, wordPrompt: trace.prompt });

  root.append(
    html('p', { className: 'live-lead', text: 'Each word is rebuilt from its bytes: merge the pair with the lowest rank, repeat.' }),
    wordChoices(words, index, choose),
  );
  // The steps are a table of merges (a figure: its labels may go down to 18 px for a very long word).
  const steps = html('div', { className: 'merge-steps merge-grid', attrs: { 'data-density': density(word) } }, [startRow(word)]);
  const { indices, hidden } = shownSteps(word.steps.length);
  for (const stepIndex of indices) {
    if (hidden > 0 && stepIndex === word.steps.length - 1) steps.append(html('p', { className: 'merge-gap', text: `… ${plural(hidden, 'more merge')} …` }));
    steps.append(stepRow(word, stepIndex));
  }
  root.append(
    steps,
    html('p', { className: 'merge-result', text: resultSentence(word) }),
    html('p', {
      className: 'live-caption',
      text: 'Rank: the merge’s place in the list learned from the speeches; rank 0 was the most frequent pair.',
    }),
  );
}

function notes(context: SlideContext<BpeMergesView>): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  if (!trace.extras) return "The model's merges could not be read (trace.extras is null): the slide says so.";
  const words = trace.extras.merges;
  if (words.length === 0) return 'No word merges in this Trace (trace.extras.merges is empty).';
  const word = words[selectedIndex(trace, words, context.view)];
  const lines = [`Word ${quoteToken(word.word)}: ${resultSentence(word)}`];
  if (word.steps.length > 0) {
    lines.push(`Merges in order (rank): ${word.steps.map((s) => `${pieceDisplayText(s.left)} + ${pieceDisplayText(s.right)} (${s.rank})`).join(', ')}.`);
    const ranks = word.steps.map((s) => s.rank);
    const earliest = word.steps[ranks.indexOf(Math.min(...ranks))];
    const latest = word.steps[ranks.indexOf(Math.max(...ranks))];
    lines.push(
      `Point at rank ${earliest.rank} (${pieceDisplayText(earliest.left)} + ${pieceDisplayText(earliest.right)}): learned early, a very common pair. ` +
        `Rank ${latest.rank} (${pieceDisplayText(latest.left)} + ${pieceDisplayText(latest.right)}) came late: a rarer pair.`,
    );
  }
  lines.push(`Final tokens: ${finalPieces(word).map(pieceDisplayText).join(' | ')}. ${plural(words.length, 'distinct word')} to click through.`);
  return lines.join('\n');
}

const bpeMerges = {
  id: 'bpe-merges',
  title: 'BPE merges: from bytes to this model’s tokens',
  defaultView: DEFAULT_VIEW,
  render,
  notes,
} satisfies SlideModule<BpeMergesView>;

export default bpeMerges;
