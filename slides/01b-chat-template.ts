// Slide: the chat template. A chat model never reads the typed message alone: its template wraps the
// conversation (system message, earlier turns, the message, "assistant" header) in special tokens, and
// the model reads that one document. Drawn from trace.chat and the Trace's tokens (the templated ids).
// A base model (template 'none') reads the prompt as typed; the slide then shows how another, named
// chat model's published template (SmolLM2's ChatML) would wrap it, labelled as that model's.
//
// Test hooks (full precision):
//   .chat-template-body  data-template ('model' | 'none'), data-token-count, data-special-count,
//                        data-special-ids (the special tokens' ids in order, comma-separated),
//                        data-user-tokens (tokens of the last user message), data-aligned ("true"/"false")
//   .template-token      data-part (special | system | user | assistant | template), data-token-id, data-token-index
//   .chatml-example      data-model (the other model's name), data-text (the string its template renders)
//   input.chat-system-field  the system message (chat models; Enter applies it)
// No view state of its own: the system message lives in the deck (?system=) and comes back in trace.chat.
import { conversationField, sendConversationRequest } from '../src/viz/conversation-requests';
import type { Trace } from '../src/trace';
import { CHATML_EXAMPLE_MODEL, CHATML_EXAMPLE_SOURCE, exampleText, smolLm2ChatMl, type ExamplePart } from '../src/viz/chatml-example';
import { html } from '../src/viz/dom';
import { formatCount, plural, quoteToken } from '../src/viz/format';
import { startSlide, waitingMessage } from '../src/viz/slide-frame';
import { headAndTail, monoTextWidth, type RowItem } from '../src/viz/row-fit';
import { lastUserMessage, templateTokens, type TemplatePart, type TemplateToken } from '../src/viz/template-tokens';
import { tokenChip, tokenDisplayText } from '../src/viz/token-chip';
import { lineBreakPosition } from '../src/viz/visible-whitespace';
import type { SlideContext, SlideModule } from './slide';
import './01b-chat-template.css';

/**
 * The chips' rows on the slide (28 px chips, 01b-chat-template.css): past them the start and the end are
 * shown, with the count between. A base model's row is the prompt again (the tokenization slide has it
 * in full): three rows, leaving room for the other model's template.
 */
const ROWS = { chat: 5, base: 3 };
const ROW_WIDTH = 1180;
const CHIP_FONT = 28;
const CHIP_PADDING = 18;
const GAP = 6;
const MARKER_WIDTH = 330; // "… 999 more tokens …"
/** The other model's example shows this much of a long message. */
const EXAMPLE_MESSAGE_CHARACTERS = 60;

const PART_NAMES: Record<TemplatePart, string> = {
  special: 'special token',
  system: 'system message',
  user: 'your message',
  assistant: 'an earlier answer',
  template: 'the template’s own text',
};

function rowItems(items: readonly TemplateToken[], lineBreaks: boolean): RowItem[] {
  return items.map((item) => ({
    width: monoTextWidth(tokenDisplayText(item.token), CHIP_FONT) + CHIP_PADDING + (item.part === 'special' ? 8 : 0),
    breakAfter: lineBreaks && item.part !== 'special' && lineBreakPosition(item.token.text) !== null,
  }));
}

function templateChip(item: TemplateToken, index: number): HTMLElement {
  const chip = tokenChip(item.token, { coloured: false, hint: PART_NAMES[item.part] });
  chip.classList.add('template-chip', `template-chip-${item.part}`);
  const wrapper = html('span', { className: `template-token template-token-${item.part}`, attrs: { 'data-part': item.part, 'data-token-id': item.token.id, 'data-token-index': index } }, [chip]);
  if (item.part === 'special') wrapper.append(html('span', { className: 'template-token-id', text: String(item.token.id) }));
  return wrapper;
}

function chipRow(items: readonly TemplateToken[], rows: number): HTMLElement {
  const row = html('div', { className: 'token-row template-row' });
  // A new line per newline while that fits; otherwise the chips flow on (↵ still marks each newline).
  const lineBreaks = headAndTail(rowItems(items, true), ROW_WIDTH, rows, GAP, MARKER_WIDTH) === null;
  const shown = lineBreaks ? null : headAndTail(rowItems(items, false), ROW_WIDTH, rows, GAP, MARKER_WIDTH);
  const headChips = shown?.head ?? items.length;
  const hidden = shown ? items.length - shown.head - shown.tail : 0;
  if (hidden > 0) row.dataset.summarised = String(hidden);
  items.forEach((item, index) => {
    // The summarised middle stays in the row, hidden, so the row still holds every templated id.
    if (hidden > 0 && index >= headChips && index < headChips + hidden) {
      if (index === headChips) row.append(html('span', { className: 'template-hidden', text: `… ${plural(hidden, 'more token')} …` }));
      const chip = templateChip(item, index);
      chip.classList.add('template-token-summarised');
      row.append(chip);
      return;
    }
    const breakAt = item.part === 'special' || !lineBreaks ? null : lineBreakPosition(item.token.text);
    if (breakAt === 'before') row.append(html('span', { className: 'token-line-break' }));
    row.append(templateChip(item, index));
    if (breakAt === 'after') row.append(html('span', { className: 'token-line-break' }));
  });
  return row;
}

function legend(parts: ReadonlySet<TemplatePart>): HTMLElement {
  const order: TemplatePart[] = ['special', 'system', 'user', 'assistant', 'template'];
  return html(
    'p',
    { className: 'live-legend template-legend' },
    order
      .filter((part) => parts.has(part))
      .map((part) => html('span', { className: `template-key template-key-${part}` }, [html('span', { className: `template-swatch template-chip-${part}`, text: part === 'special' ? 'id' : ' ' }), document.createTextNode(` ${PART_NAMES[part]}`)])),
  );
}

function specialSummary(items: readonly TemplateToken[]): string {
  const counts = new Map<string, { id: number; count: number }>();
  for (const item of items.filter((i) => i.part === 'special')) {
    const entry = counts.get(item.token.text) ?? { id: item.token.id, count: 0 };
    entry.count++;
    counts.set(item.token.text, entry);
  }
  return [...counts].map(([text, { id, count }]) => `${text} = id ${id}${count > 1 ? ` (×${count})` : ''}`).join(' · ');
}

function systemField(trace: Trace, existing: HTMLInputElement | null): HTMLElement {
  const current = trace.chat.messages[0]?.role === 'system' ? trace.chat.messages[0].content : '';
  const field =
    existing ??
    conversationField(
      html('input', { className: 'chat-system-field', attrs: { type: 'text', id: 'chat-system-field', spellcheck: 'false', placeholder: 'none: the template decides (Enter applies)' } }),
      (value) => sendConversationRequest(field, { type: 'system', system: value }),
    );
  if (document.activeElement !== field) field.value = current;
  return html('div', { className: 'chat-system' }, [html('label', { className: 'chat-system-label', text: 'System message', attrs: { for: 'chat-system-field' } }), field]);
}

function chatModelView(trace: Trace, body: HTMLElement, systemInput: HTMLInputElement | null): void {
  const { tokens: items, aligned } = templateTokens(trace.chat, trace.tokens);
  const user = lastUserMessage(trace.chat);
  const special = items.filter((item) => item.part === 'special');
  const userTokens = items.filter((item) => item.messageIndex === user).length;
  Object.assign(body.dataset, {
    template: 'model',
    tokenCount: String(items.length),
    specialCount: String(special.length),
    specialIds: special.map((item) => item.token.id).join(','),
    userTokens: String(userTokens),
    aligned: String(aligned),
  });
  body.append(
    html('p', { className: 'live-lead' }, [
      html('strong', { className: 'live-big-number', text: formatCount(items.length) }),
      document.createTextNode(` tokens: ${trace.model.name}’s chat template wraps your message (${plural(userTokens, 'token')}) in ${plural(special.length, 'special token')}. The model reads this one document.`),
    ]),
    systemField(trace, systemInput),
  );
  if (trace.droppedTokens > 0) {
    body.append(html('p', { className: 'live-notice', text: `The conversation is longer than the ${formatCount(trace.model.contextLength)}-token window: its first ${plural(trace.droppedTokens, 'token')} were cut.` }));
  }
  body.append(chipRow(items, ROWS.chat), legend(new Set(items.map((item) => item.part))));
  if (special.length > 0) body.append(html('p', { className: 'live-caption template-special-ids', text: `Special tokens: ${specialSummary(items)}. They are single tokens the user cannot type.` }));
  if (!aligned) body.append(html('p', { className: 'live-caption', text: 'The tokens could not be matched to the template’s text byte for byte, so only the special tokens are marked.' }));
}

function examplePart(part: ExamplePart): HTMLElement {
  if (part.kind === 'special') {
    const chip = tokenChip({ text: part.text }, { coloured: false });
    chip.classList.add('template-chip', 'template-chip-special');
    return html('span', { className: 'template-token template-token-special', attrs: { 'data-part': 'special', 'data-token-id': part.id } }, [chip, html('span', { className: 'template-token-id', text: String(part.id) })]);
  }
  const text = part.role === 'user' && part.text.length > EXAMPLE_MESSAGE_CHARACTERS ? `${part.text.slice(0, EXAMPLE_MESSAGE_CHARACTERS)}…` : part.text;
  const span = html('span', { className: `chatml-text chatml-${part.role}`, text: text.replace(/\n/g, '↵\n') });
  if (part.isDefault) span.title = 'added by the template when the conversation has no system message';
  return span;
}

function baseModelView(trace: Trace, body: HTMLElement): void {
  const { tokens: items } = templateTokens(trace.chat, trace.tokens);
  Object.assign(body.dataset, { template: 'none', tokenCount: String(items.length), specialCount: '0', specialIds: '', userTokens: String(items.length), aligned: 'true' });
  body.append(
    html('p', { className: 'live-lead' }, [
      document.createTextNode(`${trace.model.name} is a base model: it has no chat template, so it reads your prompt as typed, `),
      html('strong', { text: plural(items.length, 'token') }),
      document.createTextNode(', and continues it.'),
    ]),
    chipRow(items, ROWS.base),
  );
  const parts = smolLm2ChatMl(trace.chat.messages);
  body.append(
    html('div', { className: 'chatml-example', attrs: { 'data-model': CHATML_EXAMPLE_MODEL, 'data-text': exampleText(parts) } }, [
      html('p', { className: 'chatml-heading', text: `A chat model would read it as: ${CHATML_EXAMPLE_MODEL}’s ChatML template` }),
      html('div', { className: 'chatml-document' }, parts.map(examplePart)),
      html('p', { className: 'live-caption chatml-source', text: `Not this model’s: ${CHATML_EXAMPLE_SOURCE}; ids from its tokenizer. With no system message it adds its own (dotted).` }),
    ]),
  );
}

function render(root: HTMLElement, context: SlideContext): void {
  // The system field is kept across re-renders: a new Trace must not take it away mid-typing.
  const systemInput = root.querySelector<HTMLInputElement>('input.chat-system-field');
  startSlide(root, chatTemplate.title);
  const trace = context.trace;
  if (!trace) {
    root.append(waitingMessage(context.waitingMessage));
    return;
  }
  const body = html('div', { className: 'chat-template-body' });
  root.append(body);
  if (trace.chat.template === 'model') chatModelView(trace, body, systemInput);
  else baseModelView(trace, body);
}

function notes(context: SlideContext): string {
  const trace = context.trace;
  if (!trace) return `No Trace yet: ${context.waitingMessage}`;
  const { tokens: items } = templateTokens(trace.chat, trace.tokens);
  if (trace.chat.template === 'none') {
    const example = exampleText(smolLm2ChatMl(trace.chat.messages));
    return [
      `${trace.model.name} is a base model with no chat template: it reads the prompt as typed, ${plural(items.length, 'token')}, none of them special.`,
      `For comparison, ${CHATML_EXAMPLE_MODEL}'s ChatML template would render ${quoteToken(example.length > 240 ? `${example.slice(0, 240)}…` : example)}, with <|im_start|> = id 1 and <|im_end|> = id 2 in its vocabulary.`,
      'That model adds its own system message when none is given. A chat model learned to answer after "<|im_start|>assistant"; a base model just continues text.',
    ].join('\n');
  }
  const user = lastUserMessage(trace.chat);
  const special = items.filter((item) => item.part === 'special');
  const system = trace.chat.messages.find((message) => message.role === 'system');
  const templated = trace.chat.templated;
  return [
    `The model reads ${plural(items.length, 'token')}: your message is ${plural(items.filter((item) => item.messageIndex === user).length, 'token')}, and ${plural(special.length, 'special token')} mark the turns.`,
    special.length > 0 ? `Special tokens: ${specialSummary(items)}.` : 'This template uses no special tokens.',
    system ? `System message: ${quoteToken(system.content)}.` : 'No system message was given (the template may add its own default).',
    `The conversation has ${plural(trace.chat.messages.length, 'message')}; the template rendered ${quoteToken(templated.length > 300 ? `${templated.slice(0, 300)}…` : templated)}.`,
    'The document ends with the assistant header: the model’s next token starts the answer.',
  ].join('\n');
}

const chatTemplate = {
  id: 'chat-template',
  title: 'Your message becomes one document',
  render,
  notes,
} satisfies SlideModule;

export default chatTemplate;
