// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import chatTemplate from '../../slides/01b-chat-template';
import { CONVERSATION_EVENT, type ConversationRequest } from '../../src/viz/conversation-requests';
import { exampleText, smolLm2ChatMl, SMOLLM2_DEFAULT_SYSTEM } from '../../src/viz/chatml-example';
import { templateTokens } from '../../src/viz/template-tokens';
import { HOSTILE_TOKENS, makeTrace } from '../fixtures/synthetic-trace';
import { IM_END_ID, IM_START_ID, makeChatTrace } from './chat-traces';
import { notesOf, renderSlide, tagNames, WAITING } from './render-slide';

afterEach(() => document.body.replaceChildren());

const body = (root: HTMLElement) => root.querySelector<HTMLElement>('.chat-template-body')!;
const parts = (root: HTMLElement) => Array.from(root.querySelectorAll<HTMLElement>('.template-row .template-token'), (t) => ({ part: t.dataset.part, id: Number(t.dataset.tokenId), text: t.querySelector('.token-chip')!.textContent }));

describe('template tokens', () => {
  it('places each token in the templated text and names its part', () => {
    const trace = makeChatTrace({ system: 'Be brief.', prompt: 'Hi there' });
    const { tokens, aligned } = templateTokens(trace.chat, trace.tokens);
    expect(aligned).toBe(true);
    expect(tokens.map((t) => `${t.part}:${t.token.text}`)).toEqual([
      'special:<|im_start|>', 'template:system', 'template:\n', 'system:Be', 'system: brief.', 'special:<|im_end|>', 'template:\n',
      'special:<|im_start|>', 'template:user', 'template:\n', 'user:Hi', 'user: there', 'special:<|im_end|>', 'template:\n',
      'special:<|im_start|>', 'template:assistant', 'template:\n',
    ]);
  });

  it('aligns from the end when the start was cut, and skips a special token the text does not hold', () => {
    const cut = makeChatTrace({ prompt: 'Hi there', droppedTokens: 2 });
    const placed = templateTokens(cut.chat, cut.tokens);
    expect(placed.aligned).toBe(true);
    expect(placed.tokens.filter((t) => t.part === 'user').map((t) => t.token.text)).toEqual(['Hi', ' there']);

    const withBos = makeChatTrace({ prompt: 'Hi' });
    withBos.tokens.unshift({ id: 1, piece: '<s>', text: '<s>', bytes: [60, 115, 62], special: true });
    const bos = templateTokens(withBos.chat, withBos.tokens);
    expect(bos.aligned).toBe(true);
    expect(bos.tokens[0].part).toBe('special');
  });

  it('says when the bytes do not match, and then marks only the special tokens', () => {
    const trace = makeChatTrace({ prompt: 'Hi there' });
    trace.chat = { ...trace.chat, templated: trace.chat.templated.replace('Hi', 'Ho') };
    const { tokens, aligned } = templateTokens(trace.chat, trace.tokens);
    expect(aligned).toBe(false);
    expect(tokens.filter((t) => t.part === 'user')).toHaveLength(0);
    expect(tokens.filter((t) => t.part === 'special')).toHaveLength(3);
  });
});

describe('chat-template slide, chat model', () => {
  it('draws every templated token, special tokens with their ids, and the user’s message marked', () => {
    const trace = makeChatTrace({ system: 'Be brief.', prompt: 'How do I bake cookies?' });
    const root = renderSlide(chatTemplate, trace);
    const data = body(root).dataset;
    expect(data.template).toBe('model');
    expect(Number(data.tokenCount)).toBe(trace.tokens.length);
    expect(data.specialIds).toBe([IM_START_ID, IM_END_ID, IM_START_ID, IM_END_ID, IM_START_ID].join(','));
    expect(data.specialCount).toBe('5');
    expect(data.userTokens).toBe('5'); // How, do, I, bake, cookies?
    const shown = parts(root);
    expect(shown.map((t) => t.id)).toEqual(trace.tokens.map((t) => t.id));
    const specials = Array.from(root.querySelectorAll<HTMLElement>('.template-row .template-token[data-part="special"]'));
    expect(specials.map((s) => s.querySelector('.template-token-id')?.textContent)).toEqual(['8192', '8193', '8192', '8193', '8192']);
    expect(specials[0].querySelector('.token-chip')?.classList.contains('template-chip-special')).toBe(true);
    expect(shown.filter((t) => t.part === 'user').map((t) => t.text)).toEqual(['How', '␣do', '␣I', '␣bake', '␣cookies?']);
    expect(shown.filter((t) => t.part === 'system')).toHaveLength(2);
    expect(root.querySelector('.template-special-ids')?.textContent).toContain('<|im_start|> = id 8192 (×3)');
    expect(root.querySelector<HTMLInputElement>('input.chat-system-field')?.value).toBe('Be brief.');
    const legend = root.querySelector('.template-legend')?.textContent ?? '';
    for (const word of ['special token', 'system message', 'your message', 'the template’s own text']) expect(legend).toContain(word);
  });

  it('shows earlier turns as earlier answers, and the last user message as the one counted', () => {
    const trace = makeChatTrace({ history: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello there' }], prompt: 'More please' });
    const root = renderSlide(chatTemplate, trace);
    expect(body(root).dataset.userTokens).toBe('2');
    expect(parts(root).filter((t) => t.part === 'assistant').map((t) => t.text)).toEqual(['Hello', '␣there']);
    expect(parts(root).filter((t) => t.part === 'user')).toHaveLength(3);
  });

  it('the system field sends its text on Enter, and keeps keys from Reveal', () => {
    const root = renderSlide(chatTemplate, makeChatTrace({ prompt: 'Hi' }));
    const field = root.querySelector<HTMLInputElement>('input.chat-system-field')!;
    const requests: ConversationRequest[] = [];
    const keysSeen: string[] = [];
    document.addEventListener(CONVERSATION_EVENT, (event) => requests.push((event as CustomEvent<ConversationRequest>).detail));
    document.addEventListener('keydown', (event) => keysSeen.push(event.key));
    field.value = 'Answer like a pirate.';
    field.dispatchEvent(new KeyboardEvent('keydown', { key: 'e', bubbles: true }));
    field.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(keysSeen).toEqual([]);
    expect(requests).toEqual([{ type: 'system', system: 'Answer like a pirate.' }]);
  });

  it('says when the start of a long conversation was cut, and shows a very long one without a scroll box', () => {
    const cut = renderSlide(chatTemplate, makeChatTrace({ prompt: 'Hi there', droppedTokens: 3 }));
    expect(cut.querySelector('.live-notice')?.textContent).toContain('first 3 tokens were cut');
    const long = makeChatTrace({ prompt: Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ') });
    const root = renderSlide(chatTemplate, long);
    const row = root.querySelector<HTMLElement>('.template-row')!;
    const hidden = Number(row.dataset.summarised);
    expect(hidden).toBeGreaterThan(long.tokens.length / 2); // six rows of 28 px chips hold far fewer than 400 words
    expect(root.querySelector('.template-hidden')?.textContent).toBe(`… ${hidden} more tokens …`);
    // every id stays in the row; the summarised middle is hidden
    expect(root.querySelectorAll('.template-row .template-token')).toHaveLength(long.tokens.length);
    const shown = Array.from(root.querySelectorAll<HTMLElement>('.template-row .template-token:not(.template-token-summarised)'));
    expect(shown).toHaveLength(long.tokens.length - hidden);
    // the end of the document, where the answer starts, is always shown
    expect(shown.at(-1)?.dataset.tokenIndex).toBe(String(long.tokens.length - 1));
  });

  it('quotes the live numbers in the notes', () => {
    const trace = makeChatTrace({ system: 'Be brief.', prompt: 'Hi there' });
    const notes = notesOf(chatTemplate, { trace, waitingMessage: '' });
    expect(notes).toContain(`The model reads ${trace.tokens.length} tokens`);
    expect(notes).toContain('your message is 2 tokens');
    expect(notes).toContain('<|im_end|> = id 8193 (×2)');
    expect(notes).toContain('System message: "Be brief."');
  });
});

describe('chat-template slide, base model', () => {
  it('says the model has no template and shows SmolLM2’s ChatML, labelled as another model’s', () => {
    const trace = makeTrace({ prompt: 'How do I bake cookies?', tokens: ['How', ' do', ' I', ' bake', ' cookies', '?'] });
    const root = renderSlide(chatTemplate, trace);
    expect(body(root).dataset.template).toBe('none');
    expect(body(root).dataset.specialCount).toBe('0');
    expect(root.querySelector('.live-lead')?.textContent).toContain('is a base model: it has no chat template');
    expect(root.querySelectorAll('.template-row .template-token[data-part="user"]')).toHaveLength(6);
    const example = root.querySelector<HTMLElement>('.chatml-example')!;
    expect(example.dataset.model).toBe('SmolLM2-360M-Instruct');
    const expected = `<|im_start|>system\n${SMOLLM2_DEFAULT_SYSTEM}<|im_end|>\n<|im_start|>user\nHow do I bake cookies?<|im_end|>\n<|im_start|>assistant\n`;
    expect(example.dataset.text).toBe(expected);
    expect(Array.from(example.querySelectorAll<HTMLElement>('.template-token'), (t) => t.dataset.tokenId)).toEqual(['1', '2', '1', '2', '1']);
    expect(example.querySelector('.chatml-user')?.textContent).toBe('How do I bake cookies?');
    expect(example.textContent).toContain('Not this model’s');
    expect(root.querySelector('input.chat-system-field')).toBeNull();
  });

  it('ChatML keeps a given system message instead of its default', () => {
    const text = exampleText(smolLm2ChatMl([{ role: 'system', content: 'S' }, { role: 'user', content: 'U' }]));
    expect(text).toBe('<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n');
  });

  it('shows hostile text as text, and waits without a Trace', () => {
    const root = renderSlide(chatTemplate, makeTrace({ tokens: HOSTILE_TOKENS }));
    expect(tagNames(root).has('script')).toBe(false);
    expect(renderSlide(chatTemplate, null).querySelector('.live-waiting')?.textContent).toBe(WAITING);
    expect(notesOf(chatTemplate, { trace: makeTrace(), waitingMessage: '' })).toContain('For comparison, SmolLM2-360M-Instruct');
  });
});
