// Slide: text encoding. Each character of the prompt as its Unicode code point (U+0048, 72) and the
// UTF-8 bytes it is stored as (48): the bytes are what this model's byte-level BPE tokenizer reads.
// No view state: the slide is a function of the Trace alone.
//
// Test hooks:
//   root   data-characters, data-code-points, data-utf8-bytes (totals for the whole prompt),
//          data-shown-code-points (cells drawn: at most CODE_POINT_LIMIT)
//   cell   .code-point-cell with data-index, data-code-point (decimal), data-utf8 (hex bytes, "F0 9F 8D AA")
import { codePointLabel, codePoints, hexBytes, textEncodingTotals, type CodePointInfo } from '../src/maths/code-points';
import { html } from '../src/viz/dom';
import { formatCount, plural, quoteToken } from '../src/viz/format';
import { missingMessage, startLiveSlide } from '../src/viz/slide-frame';
import { visibleWhitespace } from '../src/viz/visible-whitespace';
import type { Trace } from '../src/trace';
import type { SlideContext, SlideModule } from './slide';
import './02-text-encoding.css';

/** How many code points get a cell: four rows of ten fit the slide. */
export const CODE_POINT_LIMIT = 40;
const NOTES_CODE_POINT_LIMIT = 12;
const ROOT_HOOKS = ['characters', 'codePoints', 'utf8Bytes', 'shownCodePoints'] as const;
const ZERO_WIDTH_JOINER = 0x200d;
const DOTTED_CIRCLE = '\u25cc'; // the base Unicode charts draw a lone combining mark on

/** What a cell shows for the character: invisible ones as marks, a lone surrogate as what it becomes. */
function glyph(info: CodePointInfo): { text: string; isMark: boolean } {
  if (info.loneSurrogate) return { text: '\ufffd', isMark: true };
  if (info.codePoint === ZERO_WIDTH_JOINER) return { text: 'ZWJ', isMark: true };
  if (/^\p{M}$/u.test(info.char)) return { text: DOTTED_CIRCLE + info.char, isMark: false };
  const visible = visibleWhitespace(info.char);
  return { text: visible, isMark: visible !== info.char };
}

function byteClass(info: CodePointInfo): string {
  return `code-point-cell code-point-bytes-${Math.min(4, info.utf8.length)}${info.loneSurrogate ? ' code-point-lone' : ''}`;
}

function cell(info: CodePointInfo, index: number): HTMLElement {
  const shown = glyph(info);
  const title = info.loneSurrogate ? 'half of an emoji with its other half missing: encoded as U+FFFD' : `${formatCount(info.utf8.length)} UTF-8 byte${info.utf8.length === 1 ? '' : 's'}`;
  return html(
    'div',
    {
      className: byteClass(info),
      attrs: { 'data-index': String(index), 'data-code-point': String(info.codePoint), 'data-utf8': hexBytes(info.utf8), title },
    },
    [
      html('span', { className: shown.isMark ? 'code-point-glyph token-mark' : 'code-point-glyph', text: shown.text }),
      html('span', { className: 'code-point-label', text: codePointLabel(info.codePoint) }),
      html('span', { className: 'code-point-decimal', text: String(info.codePoint) }),
      html('span', { className: 'code-point-utf8', text: hexBytes(info.utf8) }),
    ],
  );
}

function total(value: number, label: string, hook: string): HTMLElement {
  return html('div', { className: 'encoding-total', attrs: { 'data-total': hook } }, [
    html('strong', { className: 'live-big-number', text: formatCount(value) }),
    html('span', { text: label }),
  ]);
}

function byteLegend(): HTMLElement {
  const legend = html('div', { className: 'code-point-legend' }, [html('span', { text: 'UTF-8 bytes per code point:' })]);
  for (const count of [1, 2, 3, 4]) {
    legend.append(html('span', { className: `code-point-legend-item code-point-bytes-${count}`, text: count === 1 ? '1 byte (ASCII)' : `${count} bytes` }));
  }
  return legend;
}

function render(root: HTMLElement, context: SlideContext): void {
  for (const key of ROOT_HOOKS) delete root.dataset[key];
  const trace = startLiveSlide(root, textEncoding.title, context);
  if (!trace) return;
  if (trace.prompt.length === 0) {
    root.append(missingMessage('This Trace holds an empty prompt, so there are no characters to encode.', ['prompt']));
    return;
  }
  const all = codePoints(trace.prompt);
  const shown = all.slice(0, CODE_POINT_LIMIT);
  const totals = textEncodingTotals(trace.prompt);
  root.dataset.characters = String(totals.characters);
  root.dataset.codePoints = String(totals.codePoints);
  root.dataset.utf8Bytes = String(totals.utf8Bytes);
  root.dataset.shownCodePoints = String(shown.length);

  root.append(
    html('p', {
      className: 'live-lead',
      text: 'Before any AI: every character is a number, its Unicode code point, stored as one to four UTF-8 bytes. Those bytes are what this model\u2019s tokenizer reads.',
    }),
    html('div', { className: 'encoding-totals' }, [
      total(totals.characters, totals.characters === 1 ? 'character' : 'characters', 'characters'),
      total(totals.codePoints, totals.codePoints === 1 ? 'code point' : 'code points', 'code-points'),
      total(totals.utf8Bytes, totals.utf8Bytes === 1 ? 'UTF-8 byte' : 'UTF-8 bytes', 'utf8-bytes'),
    ]),
    html('div', { className: 'code-point-grid' }, shown.map(cell)),
  );
  const more = all.length - shown.length;
  if (more > 0) root.append(html('p', { className: 'live-caption', text: `First ${formatCount(shown.length)} code points shown; ${plural(more, 'more follows', 'more follow')}.` }));
  root.append(byteLegend());
  if (all.some((info) => info.loneSurrogate)) {
    root.append(html('p', { className: 'live-caption', text: 'A lone surrogate (half of an emoji) is not a character: UTF-8 writes it as U+FFFD, bytes EF BF BD.' }));
  }
  if (trace.droppedTokens > 0) root.append(droppedNotice(trace));
}

function droppedNotice(trace: Trace): HTMLElement {
  return html('p', {
    className: 'live-notice',
    text: `This is the whole prompt as typed; it was too long for the model's window of ${formatCount(trace.model.contextLength)} tokens, so the model saw only the last ${plural(trace.tokens.length, 'token')} (${plural(trace.droppedTokens, 'token')} cut).`,
  });
}

function describe(info: CodePointInfo): string {
  const shown = info.loneSurrogate ? 'lone surrogate' : quoteToken(info.char);
  return `${shown} ${codePointLabel(info.codePoint)} = ${info.codePoint} -> ${hexBytes(info.utf8)}`;
}

function notes(context: SlideContext): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  if (trace.prompt.length === 0) return 'The prompt is empty: nothing to encode.';
  const totals = textEncodingTotals(trace.prompt);
  const all = codePoints(trace.prompt);
  const multiByte = all.filter((info) => info.utf8.length > 1);
  const lines = [
    `The prompt is ${plural(totals.characters, 'character')}, ${plural(totals.codePoints, 'code point')} and ${plural(totals.utf8Bytes, 'UTF-8 byte')}.`,
    `First code points: ${all.slice(0, NOTES_CODE_POINT_LIMIT).map(describe).join('; ')}${all.length > NOTES_CODE_POINT_LIMIT ? '; …' : ''}.`,
    multiByte.length > 0
      ? `Point at ${describe(multiByte[0])}: one character, ${plural(multiByte[0].utf8.length, 'byte')}. ${plural(multiByte.length, 'code point')} here need more than one byte.`
      : 'Every character here is ASCII: one byte each, equal to its code point. Type an accent or an emoji to see several bytes.',
    'This is not AI-specific: all digital text works this way. The tokenizer starts from these bytes.',
  ];
  if (trace.droppedTokens > 0) lines.push(`The prompt was too long: ${plural(trace.droppedTokens, 'token')} were cut before the model saw it.`);
  return lines.join('\n');
}

const textEncoding = {
  id: 'text-encoding',
  title: 'Text encoding: characters become numbers',
  render,
  notes,
} satisfies SlideModule;

export default textEncoding;
