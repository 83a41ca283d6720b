// Published chat templates rendered by transformers.js through the deck's renderConversation: a
// system + user + assistant + user conversation gives exactly the text each model is known to read.
import { readFileSync } from 'node:fs';
import { PreTrainedTokenizer } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { renderConversation, type Conversation } from '../../src/engine/chat-input';
import { chatInput } from '../../src/engine/run-trace';
import type { ChatMessage } from '../../src/trace';
import { LLAMA32_CHAT_TEMPLATE, QWEN25_CHAT_TEMPLATE, SMOLLM2_CHAT_TEMPLATE } from '../fixtures/chat-templates';

const deckTokenizerJson = () => JSON.parse(readFileSync('assets/models/sotu-gpt/tokenizer.json', 'utf8')) as Record<string, unknown> & { added_tokens: unknown[] };
const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });

/** A tokenizer with the given special tokens and template; the vocabulary is the deck's (only the template's text matters here). */
function tokenizerWith(specials: string[], config: Record<string, unknown>): PreTrainedTokenizer {
  const json = deckTokenizerJson();
  json.added_tokens = [...json.added_tokens, ...specials.map((content, i) => special(8192 + i, content))];
  return new PreTrainedTokenizer(json, { tokenizer_class: 'PreTrainedTokenizerFast', clean_up_tokenization_spaces: false, ...config });
}

const SYSTEM = 'You are a concise baker.';
const HISTORY: ChatMessage[] = [
  { role: 'user', content: 'How do I bake chocolate chip cookies?' },
  { role: 'assistant', content: 'Cream the butter and sugar, then fold in the chips.' },
];
const FOLLOW_UP = 'How long do they bake?';
const conversation: Conversation = { prompt: FOLLOW_UP, system: SYSTEM, history: HISTORY };

const chatml = (system: string) =>
  `<|im_start|>system\n${system}<|im_end|>\n` +
  '<|im_start|>user\nHow do I bake chocolate chip cookies?<|im_end|>\n' +
  '<|im_start|>assistant\nCream the butter and sugar, then fold in the chips.<|im_end|>\n' +
  '<|im_start|>user\nHow long do they bake?<|im_end|>\n' +
  '<|im_start|>assistant\n';

function expectSpansOnContents(templated: string, spans: ({ start: number; end: number } | null)[], contents: string[]): void {
  expect(spans.map((span) => (span ? templated.slice(span.start, span.end) : null))).toEqual(contents);
  const starts = spans.map((span) => span!.start);
  expect([...starts].sort((a, b) => a - b)).toEqual(starts); // in order
}

describe('chat templates rendered by transformers.js', () => {
  const chatmlTokenizer = (template: string) => tokenizerWith(['<|im_start|>', '<|im_end|>'], { bos_token: '<|im_start|>', eos_token: '<|im_end|>', chat_template: template });

  it('SmolLM2-Instruct (ChatML): system, user, assistant, user, then the generation prompt', () => {
    const chat = renderConversation(chatmlTokenizer(SMOLLM2_CHAT_TEMPLATE), SMOLLM2_CHAT_TEMPLATE, conversation);
    expect(chat.template).toBe('model');
    expect(chat.templated).toBe(chatml(SYSTEM));
    expect(chat.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expectSpansOnContents(chat.templated, chat.spans, [SYSTEM, ...HISTORY.map((m) => m.content), FOLLOW_UP]);
  });

  it('SmolLM2-Instruct adds its default system message when none is given', () => {
    const chat = renderConversation(chatmlTokenizer(SMOLLM2_CHAT_TEMPLATE), SMOLLM2_CHAT_TEMPLATE, { ...conversation, system: '' });
    expect(chat.templated).toBe(chatml('You are a helpful AI assistant named SmolLM, trained by Hugging Face'));
    expect(chat.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('Qwen2.5-Instruct (ChatML): the same text with a system message, its own default without one', () => {
    const tokenizer = chatmlTokenizer(QWEN25_CHAT_TEMPLATE);
    expect(renderConversation(tokenizer, QWEN25_CHAT_TEMPLATE, conversation).templated).toBe(chatml(SYSTEM));
    expect(renderConversation(tokenizer, QWEN25_CHAT_TEMPLATE, { ...conversation, system: undefined }).templated).toBe(
      chatml('You are Qwen, created by Alibaba Cloud. You are a helpful assistant.'),
    );
  });

  const llamaSpecials = ['<|begin_of_text|>', '<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>'];
  const llamaTokenizer = (extra: Record<string, unknown> = {}) =>
    tokenizerWith(llamaSpecials, { bos_token: '<|begin_of_text|>', eos_token: '<|eot_id|>', chat_template: LLAMA32_CHAT_TEMPLATE, ...extra });

  it('Llama 3.2 Instruct: BOS, header tokens, the knowledge cut-off and a fixed date, <|eot_id|> after each message', () => {
    const chat = renderConversation(llamaTokenizer(), LLAMA32_CHAT_TEMPLATE, { ...conversation, dateString: '26 Jul 2024' });
    expect(chat.templated).toBe(
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n' +
        'Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n' +
        'You are a concise baker.<|eot_id|>' +
        '<|start_header_id|>user<|end_header_id|>\n\nHow do I bake chocolate chip cookies?<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\nCream the butter and sugar, then fold in the chips.<|eot_id|>' +
        '<|start_header_id|>user<|end_header_id|>\n\nHow long do they bake?<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\n',
    );
    expectSpansOnContents(chat.templated, chat.spans, [SYSTEM, ...HISTORY.map((m) => m.content), FOLLOW_UP]);
  });

  it("Llama 3.2 Instruct without a date: today's, through the template's strftime_now", () => {
    const chat = renderConversation(llamaTokenizer(), LLAMA32_CHAT_TEMPLATE, { prompt: 'Hi' });
    const today = new Date();
    const month = today.toLocaleString('en-US', { month: 'short' });
    const dates = [today, new Date(today.getTime() - 60_000)].map((d) => `${String(d.getDate()).padStart(2, '0')} ${month} ${d.getFullYear()}`);
    expect(dates.some((date) => chat.templated.includes(`Today Date: ${date}\n\n<|eot_id|>`))).toBe(true);
  });

  it('Llama 3 writes its own BOS: the templated text is tokenized without adding another', () => {
    const postProcessor = {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<|begin_of_text|>': { id: '<|begin_of_text|>', ids: [8192], tokens: ['<|begin_of_text|>'] } },
    };
    const json = deckTokenizerJson();
    json.added_tokens = [...json.added_tokens, ...llamaSpecials.map((content, i) => special(8192 + i, content))];
    json.post_processor = postProcessor;
    const tokenizer = new PreTrainedTokenizer(json, { tokenizer_class: 'PreTrainedTokenizerFast', bos_token: '<|begin_of_text|>', eos_token: '<|eot_id|>', chat_template: LLAMA32_CHAT_TEMPLATE });
    const { chat, ids } = chatInput({ tokenizer, chatTemplate: LLAMA32_CHAT_TEMPLATE }, { prompt: 'Hi', dateString: '26 Jul 2024' });
    expect(chat.templated.startsWith('<|begin_of_text|>')).toBe(true);
    expect(ids.filter((id) => id === 8192)).toHaveLength(1);
    expect(ids.slice(0, 3)).toEqual([8192, 8193, tokenizer.encode('system', { add_special_tokens: false })[0]]);
    // This tokenizer does add a BOS of its own by default: the engine must not let it.
    expect(tokenizer.encode(chat.templated).filter((id) => id === 8192)).toHaveLength(2);
  });
});
