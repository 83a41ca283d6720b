// Slide: detokenization. Each generated id goes back through the vocabulary to its piece; the text is
// decoded from the pieces' joined UTF-8 bytes, because a token can hold only part of a character.
// A Generation carries each step's text but not its bytes: a partial piece ("�") has known bytes only
// when the Trace's prompt tokens hold the same id; otherwise the slide says so instead of guessing.
//
// Test hooks:
//   .detok-body        data-generated (pieces shown), data-partial-count, data-all-whole ("true"/"false"),
//                      data-assembled ("true" when the continuation could be decoded from bytes)
//   .detok-pieces      data-density ("full", or "compact" past 16 pieces: ASCII pieces omit their bytes line)
//   .detok-piece       data-step (0-based), data-token-id, data-partial, data-end-of-text,
//                      data-bytes (hex, space-separated; absent when unknown)
//   .detok-prompt-text / .detok-continuation   their textContent is the decoded text
// No view state.
import type { Generation, Trace } from '../src/trace';
import { assembleText, generatedPieces, type GeneratedPiece } from '../src/tokenize/assemble-text';
import { html } from '../src/viz/dom';
import { plural, quoteToken } from '../src/viz/format';
import { currentGeneration, generatingMark, notStartedMessage } from '../src/viz/generation-parts';
import { startLiveSlide } from '../src/viz/slide-frame';
import { tokenChip } from '../src/viz/token-chip';

/** A long prompt shows its last characters with a count of the rest (nothing scrolls); the span keeps all of it. */
const SHOWN_PROMPT_CHARS = 160;

function promptText(prompt: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  const characters = [...prompt];
  if (characters.length <= SHOWN_PROMPT_CHARS) {
    fragment.append(html('span', { className: 'detok-prompt-text', text: prompt }));
    return fragment;
  }
  const head = characters.slice(0, characters.length - SHOWN_PROMPT_CHARS).join('');
  const hiddenHead = html('span', { className: 'detok-prompt-head', text: head });
  hiddenHead.hidden = true;
  fragment.append(
    html('span', { className: 'detok-prompt-gap', text: `[${plural(characters.length - SHOWN_PROMPT_CHARS, 'character')} of the prompt before] …` }),
    html('span', { className: 'detok-prompt-text' }, [hiddenHead, document.createTextNode(characters.slice(-SHOWN_PROMPT_CHARS).join(''))]),
  );
  return fragment;
}
import type { SlideContext, SlideModule } from './slide';
import './23-detokenization.css';

export function hexBytes(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

function bytesLine(piece: GeneratedPiece): string {
  if (piece.endOfText) return 'no bytes: stop';
  if (piece.bytes === null) return 'part of a character';
  return hexBytes(piece.bytes);
}

/** Past this many pieces, plain-ASCII pieces drop their bytes line so the grid still fits the slide. */
const FULL_DETAIL_PIECES = 16;

const isAscii = (piece: GeneratedPiece) => piece.bytes !== null && piece.bytes.every((b) => b < 0x80);

function pieceCard(piece: GeneratedPiece, step: number, compact: boolean): HTMLElement {
  const card = html('div', {
    className: `detok-piece${piece.partial ? ' detok-piece-partial' : ''}`,
    attrs: { 'data-step': step, 'data-token-id': piece.id, 'data-partial': piece.partial, 'data-end-of-text': piece.endOfText },
  });
  if (piece.bytes !== null) card.dataset.bytes = hexBytes(piece.bytes);
  const chip = tokenChip({ text: piece.text, id: piece.id, bytes: piece.bytes ?? undefined }, { coloured: false });
  chip.classList.add('generated-chip');
  card.append(html('span', { className: 'detok-id', text: String(piece.id) }), chip);
  if (!(compact && isAscii(piece) && !piece.endOfText)) card.append(html('span', { className: 'detok-bytes', text: bytesLine(piece) }));
  return card;
}

function assembledBox(trace: Trace, pieces: readonly GeneratedPiece[], finished: boolean, body: HTMLElement): HTMLElement {
  const text = assembleText(trace, pieces, finished);
  body.dataset.assembled = String(text.continuation !== null);
  const box = html('div', { className: 'detok-assembled' });
  if (trace.droppedTokens > 0) box.append(html('span', { className: 'detok-dropped', text: '… ' }));
  box.append(promptText(text.prompt));
  if (text.continuation !== null) box.append(html('span', { className: 'detok-continuation', text: text.continuation }));
  if (!finished) box.append(generatingMark());
  const figure = html('figure', { className: 'detok-figure' }, [box]);
  if (text.continuation === null) {
    figure.append(
      html('p', {
        className: 'live-notice detok-unknown',
        text: 'Some generated tokens hold only part of a character, and their bytes are not in this generation’s data, so the continuation cannot be joined honestly here.',
      }),
    );
  } else if (text.pendingBytes > 0) {
    figure.append(html('p', { className: 'live-caption', text: `${plural(text.pendingBytes, 'byte')} at the end wait for the rest of their character.` }));
  }
  return figure;
}

function partialCaption(pieces: readonly GeneratedPiece[]): string {
  const partial = pieces.filter((p) => p.partial).length;
  const endOfText = pieces.some((p) => p.endOfText) ? ' The end-of-text token adds no text.' : '';
  if (partial === 0) return `Every piece here holds whole characters, so joining the pieces gives the same text as decoding their bytes.${endOfText}`;
  return `${plural(partial, 'piece')} hold part of a character (“�” on its own): the bytes are joined first, then decoded.${endOfText}`;
}

function render(root: HTMLElement, context: SlideContext): void {
  const trace = startLiveSlide(root, detokenization.title, context);
  if (!trace) return;
  const body = html('div', { className: 'detok-body' });
  root.append(body);
  body.append(html('p', { className: 'live-lead', text: 'Each generated id goes back through the same vocabulary to its piece; the pieces’ bytes, joined, are the text.' }));
  const generation = currentGeneration(trace, context.generation);
  if (!generation || (generation.cached.steps.length === 0 && !generation.cached.done)) {
    body.dataset.generated = '0';
    body.append(notStartedMessage());
    return;
  }
  const run = generation.cached;
  const pieces = generatedPieces(trace, run.steps);
  const partialCount = pieces.filter((p) => p.partial).length;
  Object.assign(body.dataset, { generated: String(pieces.length), partialCount: String(partialCount), allWhole: String(partialCount === 0) });

  const compact = pieces.length > FULL_DETAIL_PIECES;
  const grid = html('div', { className: 'detok-pieces', attrs: { 'data-density': compact ? 'compact' : 'full' } });
  pieces.forEach((piece, step) => grid.append(pieceCard(piece, step, compact)));
  if (pieces.length === 0) grid.append(html('p', { className: 'live-caption', text: 'No token was generated.' }));
  body.append(
    grid,
    html('p', { className: 'live-caption', text: `${partialCaption(pieces)}${compact ? ' Bytes shown for pieces beyond plain ASCII.' : ''}` }),
    assembledBox(trace, pieces, run.done, body),
  );
}

function notesFor(trace: Trace, generation: Generation): string {
  const pieces = generatedPieces(trace, generation.cached.steps);
  const text = assembleText(trace, pieces, generation.cached.done);
  const lines = [`Generated ids: ${pieces.map((p) => p.id).join(', ') || 'none'}.`];
  pieces.slice(0, 4).forEach((p) => lines.push(`${p.id} -> ${quoteToken(p.text)}${p.bytes ? ` (bytes ${hexBytes(p.bytes)})` : ' (part of a character)'}`));
  lines.push(partialCaption(pieces));
  lines.push(
    text.continuation === null
      ? 'The continuation has partial characters whose bytes are unknown here, so it is not joined.'
      : `Joined continuation: ${quoteToken(text.continuation)}.`,
  );
  return lines.join('\n');
}

function notes(context: SlideContext): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  const generation = currentGeneration(trace, context.generation);
  if (!generation) return 'Generation has not started yet: the generated ids appear here after the prompt’s forward pass.';
  return notesFor(trace, generation);
}

const detokenization = {
  id: 'detokenization',
  title: 'Detokenization: from ids back to text',
  usesGeneration: true,
  render,
  notes,
} satisfies SlideModule;

export default detokenization;
