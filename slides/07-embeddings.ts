// Slide: token embeddings. Each id picks one row of the learned table wte [vocabSize x width]; the
// prompt becomes the matrix trace.embed.tokens [tokens x width]. Each row is drawn as a strip of
// `width` coloured cells (purple negative, white 0, orange positive); the selected token's first
// values and its length (norm) are written out.
// Left out on purpose: the PCA map of words and king - man + woman need the whole table, not only
// the prompt's rows (see the slide that reads trace.extras).
//
// View (kept by the deck): the selected token, default the first token.
//
// Test hooks:
//   root   data-rows, data-width (the matrix shape), data-selected-token, data-norm (L2 norm of the
//          selected row, float64), data-max-abs (the colour scale's limit: max |value| over all rows)
//   .vector-strip-row[data-token-index]   one per shown row (at most STRIP_ROWS)
//   selected strip's rects  data-dim, data-value (every dimension)
//   .embedding-value[data-dim][data-value]  the values written out for the selected token
import { embedOutputs } from '../src/trace/output-names';
import { l2Norm } from '../src/maths/vector-stats';
import { html } from '../src/viz/dom';
import { formatCount, plural } from '../src/viz/format';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { noteToken } from '../src/viz/token-note';
import { tokenChip } from '../src/viz/token-chip';
import { matrixMaxAbs, traceMatrix } from '../src/viz/trace-matrix';
import { divergingColourScale, divergingLegend, formatSigned, rowWindowStart, vectorStrips } from '../src/viz/vector-strip';
import type { Trace } from '../src/trace';
import type { SlideContext, SlideModule } from './slide';
import './07-embeddings.css';

export interface EmbeddingsView {
  /** The selected token, or null for the first token of whatever prompt comes next. */
  token: number | null;
  /** The prompt the token was chosen for: a new prompt goes back to the first token. */
  tokenPrompt: string | null;
}

export const STRIP_ROWS = 8;
export const SHOWN_VALUES = 8;
const DEFAULT_VIEW: EmbeddingsView = { token: null, tokenPrompt: null };
const ROOT_HOOKS = ['rows', 'width', 'selectedToken', 'norm', 'maxAbs'] as const;

/** The stored selection, clamped to this Trace's rows. */
function selectedToken(trace: Trace, rows: number, view: EmbeddingsView): number {
  if (view.token === null || view.tokenPrompt !== trace.prompt || !Number.isFinite(view.token)) return 0;
  return Math.min(rows - 1, Math.max(0, Math.trunc(view.token)));
}

/** Index of the largest |value|. */
function strongestDim(values: Float32Array): number {
  let best = 0;
  for (let dim = 1; dim < values.length; dim++) if (Math.abs(values[dim]) > Math.abs(values[best])) best = dim;
  return best;
}

function valueList(values: Float32Array): HTMLElement {
  // A figure of numbers: each value with its dimension as a small label (>= 16 px).
  const list = html('div', { className: 'embedding-values embedding-value-grid' });
  for (let dim = 0; dim < Math.min(SHOWN_VALUES, values.length); dim++) {
    list.append(
      html('span', { className: 'embedding-value', attrs: { 'data-dim': String(dim), 'data-value': String(values[dim]) } }, [
        html('span', { className: 'embedding-dim', text: String(dim) }),
        document.createTextNode(formatSigned(values[dim])),
      ]),
    );
  }
  if (values.length > SHOWN_VALUES) list.append(html('span', { className: 'embedding-more', text: `… ${formatCount(values.length - SHOWN_VALUES)} more` }));
  return list;
}

function render(root: HTMLElement, context: SlideContext<EmbeddingsView>): void {
  for (const key of ROOT_HOOKS) delete root.dataset[key];
  const trace = startLiveSlide(root, embeddings.title, context);
  if (!trace) return;
  if (trace.tokens.length === 0) {
    root.append(missingMessage('This Trace holds no tokens, so there are no embeddings to show.', ['tokens']));
    return;
  }
  const lookup = traceMatrix(trace, embedOutputs.tokens);
  if (!lookup.ok) {
    root.append(missingMessage(`${lookup.problem} The token vectors cannot be shown.`, [lookup.name]));
    return;
  }
  const selected = selectedToken(trace, lookup.rows, context.view);
  const values = lookup.row(selected);
  const norm = l2Norm(values);
  const limit = matrixMaxAbs(lookup);
  root.dataset.rows = String(lookup.rows);
  root.dataset.width = String(lookup.width);
  root.dataset.selectedToken = String(selected);
  root.dataset.norm = String(norm);
  root.dataset.maxAbs = String(limit);

  const choose = (index: number) => {
    context.setView({ token: index, tokenPrompt: trace.prompt });
  };
  const colour = divergingColourScale(limit);
  const start = rowWindowStart(lookup.rows, selected, STRIP_ROWS);
  const shownRows = Array.from({ length: Math.min(STRIP_ROWS, lookup.rows) }, (_, i) => start + i);

  root.append(
    html('p', { className: 'live-lead' }, [
      document.createTextNode(`Each id picks a row of a learned ${formatCount(trace.model.vocabSize)} × ${formatCount(lookup.width)} table. The prompt becomes `),
      html('strong', { className: 'matrix-shape', text: `[${formatCount(lookup.rows)} × ${formatCount(lookup.width)}]` }),
      document.createTextNode(':'),
    ]),
    vectorStrips(
      shownRows.map((index) => ({
        label: tokenChip(trace.tokens[index], { index }),
        values: lookup.row(index),
        selected: index === selected,
        attrs: { 'data-token-index': String(index) },
      })),
      { colour, cellHooks: true, onRowClick: (row) => choose(shownRows[row]), description: `${lookup.width} embedding values of one token` },
    ),
  );
  if (lookup.rows > shownRows.length) {
    root.append(html('p', { className: 'live-caption', text: `Rows ${formatCount(start + 1)}–${formatCount(start + shownRows.length)} of ${formatCount(lookup.rows)}. Click a row to pick a token.` }));
  }
  root.append(divergingLegend(colour, limit, 'one cell per dimension:'));

  const strongest = strongestDim(values);
  root.append(
    html('div', { className: 'embedding-detail' }, [
      html('p', { className: 'embedding-detail-head' }, [
        tokenChip(trace.tokens[selected], { index: selected }),
        document.createTextNode(` id ${trace.tokens[selected].id}: ${formatCount(values.length)} numbers, length ‖x‖ = ${norm.toFixed(3)}; largest: dimension ${strongest} = ${formatSigned(values[strongest])}`),
      ]),
      valueList(values),
    ]),
    html('p', { className: 'live-caption', text: 'Nobody wrote these numbers: training adjusted them until they helped predict the next token.' }),
  );
}

function notes(context: SlideContext<EmbeddingsView>): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  if (trace.tokens.length === 0) return 'This Trace holds no tokens.';
  const lookup = traceMatrix(trace, embedOutputs.tokens);
  if (!lookup.ok) return `${lookup.problem} Say that this model does not expose its token embeddings.`;
  const selected = selectedToken(trace, lookup.rows, context.view);
  const values = lookup.row(selected);
  const token = trace.tokens[selected];
  const strongest = strongestDim(values);
  const lines = [
    `The prompt's ${plural(lookup.rows, 'token')} became a [${lookup.rows} × ${lookup.width}] matrix: one row of the ${formatCount(trace.model.vocabSize)}-row table per token.`,
    `Selected: ${noteToken(token)} (id ${token.id}, token ${selected + 1}). First values: ${Array.from(values.slice(0, 4), formatSigned).join(', ')}. Length ${l2Norm(values).toFixed(3)}. Strongest: dimension ${strongest} at ${formatSigned(values[strongest])}.`,
    `Colours run from ${formatSigned(-matrixMaxAbs(lookup))} (purple) through 0 (white) to ${formatSigned(matrixMaxAbs(lookup))} (orange): the largest |value| in this matrix.`,
  ];
  const repeated = trace.tokens.findIndex((other, index) => index !== selected && other.id === token.id);
  if (repeated >= 0) lines.push(`Point at token ${repeated + 1}: the same id, so exactly the same row.`);
  lines.push('Large models use the same idea with thousands of dimensions per token (other models, for scale).');
  return lines.join('\n');
}

const embeddings = {
  id: 'embeddings',
  title: 'Embeddings: each id becomes a vector',
  defaultView: DEFAULT_VIEW,
  render,
  notes,
} satisfies SlideModule<EmbeddingsView>;

export default embeddings;
