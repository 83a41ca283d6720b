// Slide: the embedding space. Left, a 2-D PCA map of the real embedding rows (wte) of the prompt's word
// tokens and a fixed list of reference words; right, the analogy king − man + woman = ? with this
// model's honest nearest neighbours by cosine, whatever they are. Data: trace.extras.embeddingSpace and
// trace.extras.analogy (computed by the engine from the model's weights). The famous "≈ queen" result
// is another model's (word2vec) and is labelled so on the slide.
// No view state: the slide is a function of the Trace alone.
//
// Test hooks:
//   root   data-point-count, data-explained-1, data-explained-2 (fractions, full precision),
//          data-expected-rank (1-based rank of the classic answer " queen" among the neighbours, 0 when
//          absent; only when the analogy is king/man/woman)
//   .emb-point[data-word][data-id][data-x][data-y][data-from-prompt]   one per map point (SVG <g>)
//   .analogy-neighbour[data-rank][data-token-id][data-cosine]           the nearest tokens, in order
//   .analogy-word[data-word][data-ids]                                   each input word; data-ids space-separated
import { html } from '../src/viz/dom';
import { embeddingScatter } from '../src/viz/embedding-scatter';
import { formatCount, plural, quoteToken } from '../src/viz/format';
import { formula } from '../src/viz/formula';
import { horizontalBars, type BarRow } from '../src/viz/horizontal-bars';
import { knownTokenTexts } from '../src/viz/known-token-text';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { tokenChip, tokenDisplayText } from '../src/viz/token-chip';
import type { AnalogyResult, Trace, TraceExtras } from '../src/trace';
import type { SlideContext, SlideModule } from './slide';
import './08-embedding-space.css';

const ROOT_HOOKS = ['pointCount', 'explained1', 'explained2', 'expectedRank'] as const;
const PROMPT_LABEL_LIMIT = 24;
/** The classic analogy and the answer word2vec gave for it. */
const CLASSIC_WORDS = [' king', ' man', ' woman'];
const CLASSIC_ANSWER = ' queen';

/** "7.1%": explained variance with one decimal, as on the axes. */
export function varianceText(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)}%` : 'n/a';
}

function isClassic(analogy: AnalogyResult): boolean {
  return analogy.words.every((word, i) => word === CLASSIC_WORDS[i]);
}

/** 1-based rank of " queen" among the neighbours (case and spaces ignored), 0 when absent. */
export function expectedAnswerRank(analogy: AnalogyResult): number {
  return analogy.neighbours.findIndex((n) => n.token.trim().toLowerCase() === CLASSIC_ANSWER.trim()) + 1;
}

function tokenName(texts: Map<number, string>, id: number): string {
  const text = texts.get(id);
  return text === undefined ? `id ${id}` : `“${tokenDisplayText({ text, id })}”`;
}

function wordName(word: string): string {
  return `“${word.trim()}”`;
}

/** "“king” is 2 tokens in this vocabulary (“␣k” + “ing”): ..." with "id 700" for a token the Trace never decoded. */
function splitWordSentence(texts: Map<number, string>, word: string, ids: number[]): string {
  return `${wordName(word)} is ${ids.length} tokens in this vocabulary (${ids.map((id) => tokenName(texts, id)).join(' + ')}): its vector is the mean of their ${ids.length} embeddings.`;
}

function analogyFormula(words: readonly string[]): HTMLElement {
  // TeX only from plain letters (ours to write); anything else is shown as text.
  if (words.every((w) => /^ ?[A-Za-z]+$/.test(w))) {
    const [a, b, c] = words.map((w) => `\\text{${w.trim()}}`);
    return formula(`${a} - ${b} + ${c} \\approx\\ ?`);
  }
  return html('p', { className: 'analogy-formula-text', text: `${words[0].trim()} − ${words[1].trim()} + ${words[2].trim()} ≈ ?` });
}

function mapPanel(trace: Trace, space: TraceExtras['embeddingSpace']): HTMLElement {
  const [pc1, pc2] = space.explainedVariance;
  const promptCount = space.points.filter((p) => p.fromPrompt).length;
  const figure = html('figure', { className: 'emb-map' }, [
    embeddingScatter({ points: space.points, xLabel: `PC 1 (${varianceText(pc1)} of variance)`, yLabel: `PC 2 (${varianceText(pc2)} of variance)`, promptLabelLimit: PROMPT_LABEL_LIMIT }),
  ]);
  const legend = html('p', { className: 'emb-legend' }, [
    html('span', { className: 'emb-legend-prompt', text: '●' }),
    document.createTextNode(` your prompt (${formatCount(promptCount)})   `),
    html('span', { className: 'emb-legend-reference', text: '●' }),
    document.createTextNode(' reference words'),
  ]);
  const captionParts = [`${plural(space.points.length, 'token')} of ${formatCount(trace.model.nEmbd)} numbers, flattened by PCA: the 2 axes keep ${varianceText(pc1 + pc2)} of the variance.`];
  const unlabelled = figure.querySelectorAll('.emb-point[data-labelled="false"]').length;
  if (unlabelled > 0) captionParts.push(`${plural(unlabelled, 'crowded dot')} unlabelled (hover).`);
  if (space.skippedWords.length > 0) captionParts.push(`Several tokens, not on the map: ${space.skippedWords.map(wordName).join(', ')}.`);
  figure.append(legend, html('figcaption', { className: 'live-caption', text: captionParts.join(' ') }));
  return figure;
}

function analogyPanel(trace: Trace, extras: TraceExtras): HTMLElement {
  const { analogy } = extras;
  const texts = knownTokenTexts(trace);
  const panel = html('div', { className: 'analogy-panel' }, [analogyFormula(analogy.words)]);
  // Footnotes to the formula (caption size): how a word of several tokens gets one vector.
  const words = html('ul', { className: 'analogy-words analogy-note' });
  analogy.words.forEach((word, i) => {
    const ids = analogy.ids[i] ?? [];
    const text = ids.length > 1 ? splitWordSentence(texts, word, ids) : ids.length === 1 ? `${wordName(word)} is one token (id ${ids[0]}).` : `${wordName(word)} has no tokens.`;
    words.append(html('li', { className: ids.length > 1 ? 'analogy-word analogy-word-split' : 'analogy-word', text, attrs: { 'data-word': word, 'data-ids': ids.join(' ') } }));
  });
  panel.append(words);

  panel.append(html('p', { className: 'analogy-heading', text: `Nearest of ${formatCount(trace.model.vocabSize)} tokens (cosine similarity):` }));
  const rows: BarRow[] = analogy.neighbours.map((neighbour, rank) => ({
    label: tokenChip({ text: neighbour.token, id: neighbour.id }, { coloured: false }),
    value: neighbour.cosine,
    valueText: neighbour.cosine.toFixed(3),
    className: neighbour.token.trim().toLowerCase() === CLASSIC_ANSWER.trim() ? 'analogy-neighbour analogy-expected' : 'analogy-neighbour',
    attrs: { 'data-rank': String(rank + 1), 'data-token-id': String(neighbour.id), 'data-cosine': String(neighbour.cosine) },
  }));
  const bars = horizontalBars(rows);
  bars.classList.add('analogy-bars');
  panel.append(bars);
  if (isClassic(analogy)) panel.append(verdict(analogy, extras));
  return panel;
}

function verdict(analogy: AnalogyResult, extras: TraceExtras): HTMLElement {
  const rank = expectedAnswerRank(analogy);
  const queenSplit = extras.embeddingSpace.skippedWords.includes(CLASSIC_ANSWER);
  const ours =
    rank > 0
      ? `“queen” is number ${rank} here, cosine ${analogy.neighbours[rank - 1].cosine.toFixed(3)}.`
      : `“queen” is not among them: these embeddings do not show the famous analogy${queenSplit ? ' (“queen” is not one token here)' : ''}.`;
  return html('div', { className: 'analogy-verdict' }, [html('p', { className: 'analogy-ours', text: ours })]);
}

/** The classic result is another model's: said apart from this model's numbers (under the map, where there is room). */
function otherModelNote(): HTMLElement {
  return html('p', {
    className: 'analogy-other-model live-caption',
    text: 'Another model: king − man + woman ≈ queen is word2vec’s classic result (Mikolov et al., 2013), trained on billions of words.',
  });
}

function render(root: HTMLElement, context: SlideContext): void {
  for (const key of ROOT_HOOKS) delete root.dataset[key];
  const trace = startLiveSlide(root, embeddingSpace.title, context);
  if (!trace) return;
  const extras = trace.extras;
  if (!extras) {
    root.append(missingMessage("This model's weights could not be read, so there is no embedding map and no analogy to compute.", ['trace.extras']));
    return;
  }
  const space = extras.embeddingSpace;
  root.dataset.pointCount = String(space.points.length);
  root.dataset.explained1 = String(space.explainedVariance[0]);
  root.dataset.explained2 = String(space.explainedVariance[1]);
  if (isClassic(extras.analogy)) root.dataset.expectedRank = String(expectedAnswerRank(extras.analogy));

  const left = space.points.length > 0 ? mapPanel(trace, space) : missingMessage('No word tokens to place on the map.', ['trace.extras.embeddingSpace.points']);
  const leftColumn = html('div', { className: 'emb-left' }, [left]);
  if (isClassic(extras.analogy)) leftColumn.append(otherModelNote());
  root.append(html('div', { className: 'emb-layout' }, [leftColumn, analogyPanel(trace, extras)]));
}

function notes(context: SlideContext): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  const extras = trace.extras;
  if (!extras) return "The model's weights could not be read (trace.extras is null): no map, no analogy. The slide says so.";
  const { embeddingSpace: space, analogy } = extras;
  const texts = knownTokenTexts(trace);
  const promptWords = space.points.filter((p) => p.fromPrompt).map((p) => quoteToken(p.word));
  const lines = [
    `Map: ${plural(space.points.length, 'token')} (${promptWords.length} from the prompt${promptWords.length > 0 ? `: ${promptWords.slice(0, 12).join(', ')}${promptWords.length > 12 ? ', …' : ''}` : ''}).`,
    `PC 1 keeps ${varianceText(space.explainedVariance[0])} of the variance, PC 2 ${varianceText(space.explainedVariance[1])}: most of the ${formatCount(trace.model.nEmbd)} dimensions' spread is not on this picture.`,
  ];
  if (space.skippedWords.length > 0) lines.push(`Left off the map (several tokens): ${space.skippedWords.map(quoteToken).join(', ')}.`);
  analogy.words.forEach((word, i) => {
    if ((analogy.ids[i] ?? []).length > 1) lines.push(splitWordSentence(texts, word, analogy.ids[i]));
  });
  const [a, b, c] = analogy.words.map((w) => w.trim());
  lines.push(`${a} − ${b} + ${c}: nearest ${analogy.neighbours.slice(0, 3).map((n) => `${quoteToken(n.token)} ${n.cosine.toFixed(3)}`).join(', ')}.`);
  if (isClassic(analogy)) {
    const rank = expectedAnswerRank(analogy);
    lines.push(rank > 0 ? `"queen" is number ${rank}.` : `"queen" is not in the top ${analogy.neighbours.length}: say plainly this small model does not show it; word2vec (another model, billions of words) does.`);
  }
  return lines.join('\n');
}

const embeddingSpace = {
  id: 'embedding-space',
  title: 'The embedding space: where words land',
  render,
  notes,
} satisfies SlideModule;

export default embeddingSpace;
