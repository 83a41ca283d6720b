// The pure parts of the chat input (messages, spans, a base model's document) and of a folder's chat
// configuration (stop ids, which template), and a template read from chat_template.jinja.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelInNode } from '../../src/cli/model-folder';
import { chatTemplateOf, stopIdsOf } from '../../src/engine/chat-config';
import { conversationMessages, locateSpans, plainInput } from '../../src/engine/chat-input';
import { baseModelInput } from '../../src/trace';
import { SMOLLM2_CHAT_TEMPLATE } from '../fixtures/chat-templates';
import { writeTinyChatFolder } from '../fixtures/tiny-chat';

describe('conversationMessages', () => {
  it('puts the system message first, then the history, then the typed prompt as the last user message', () => {
    const history = [
      { role: 'user' as const, content: 'a' },
      { role: 'assistant' as const, content: 'b' },
      { role: 'system' as const, content: 'a system message inside the history is dropped' },
    ];
    expect(conversationMessages({ prompt: 'c', system: 'S', history })).toEqual([
      { role: 'system', content: 'S' },
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'b' },
      { role: 'user', content: 'c' },
    ]);
    expect(conversationMessages({ prompt: 'c', system: '' })).toEqual([{ role: 'user', content: 'c' }]);
  });
});

describe('locateSpans', () => {
  it('finds each content in order, after the previous one, trimmed when the template trims', () => {
    const text = '<s>hi</s><u>hi</u><a>  spaced  </a>';
    const spans = locateSpans(text, [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hi' },
      { role: 'user', content: '  spaced out  ' },
      { role: 'user', content: '' },
    ]);
    expect(spans[0]).toEqual({ start: 3, end: 5 });
    expect(spans[1]).toEqual({ start: 12, end: 14 }); // the second "hi", not the first again
    expect(spans[2]).toBeNull(); // not in the text at all
    expect(spans[3]).toBeNull(); // nothing to find
    const trimmed = locateSpans('[x] ok [y]', [{ role: 'user', content: ' ok\n' }]);
    expect(trimmed).toEqual([{ start: 4, end: 6 }]);
  });
});

describe('plainInput (a base model)', () => {
  it('is the prompt as typed for a first turn', () => {
    expect(plainInput({ prompt: 'The Congress', system: 'ignored' })).toEqual(baseModelInput('The Congress'));
  });
  it('continues one document over the turns, without a system message', () => {
    const input = plainInput({ prompt: ' And then', system: 'ignored', history: [{ role: 'user', content: 'The Congress' }, { role: 'assistant', content: ' shall act.' }] });
    expect(input.template).toBe('none');
    expect(input.templated).toBe('The Congress shall act. And then');
    expect(input.spans).toEqual([{ start: 0, end: 12 }, { start: 12, end: 23 }, { start: 23, end: 32 }]);
  });
});

describe('stopIdsOf', () => {
  it("reads generation_config.json's eos_token_id, a number or a list, before config.json's and the tokenizer's", () => {
    expect(stopIdsOf({ eos_token_id: [128001, 128008, 128009] }, { eos_token_id: 128001 }, 128009)).toEqual([128001, 128008, 128009]);
    expect(stopIdsOf({ eos_token_id: 2 }, { eos_token_id: 0 }, 0)).toEqual([2]);
    expect(stopIdsOf({}, { eos_token_id: [151645, 151643, 151645] }, 1)).toEqual([151645, 151643]);
    expect(stopIdsOf(null, {}, 8191)).toEqual([8191]);
    expect(stopIdsOf(null, null, null)).toEqual([]);
  });
});

describe('chatTemplateOf', () => {
  it("prefers tokenizer_config.json's template, takes a named list's default, else chat_template.jinja", () => {
    expect(chatTemplateOf('{{ a }}', '{{ b }}')).toBe('{{ a }}');
    expect(chatTemplateOf({ default: '{{ d }}', tool_use: '{{ t }}' }, null)).toBe('{{ d }}');
    expect(chatTemplateOf(null, '{{ b }}')).toBe('{{ b }}');
    expect(chatTemplateOf(undefined, null)).toBeNull();
    expect(chatTemplateOf('', '  ')).toBeNull();
  });
});

describe('a chat template in chat_template.jinja', () => {
  const modelsRoot = mkdtempSync(join(tmpdir(), 'chat-jinja-'));
  afterAll(() => rmSync(modelsRoot, { recursive: true, force: true }));

  it('is read by the engine when tokenizer_config.json has none (transformers.js 4.3 does not read it)', async () => {
    const folder = writeTinyChatFolder(modelsRoot);
    const configFile = join(folder, 'tokenizer_config.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    delete config.chat_template;
    writeFileSync(configFile, JSON.stringify(config));
    writeFileSync(join(folder, 'chat_template.jinja'), SMOLLM2_CHAT_TEMPLATE);
    const loaded = await loadModelInNode(folder);
    try {
      expect(loaded.tokenizer.chat_template).toBeNull();
      expect(loaded.chatTemplate).toBe(SMOLLM2_CHAT_TEMPLATE);
    } finally {
      await loaded.model.dispose();
    }
  });
});
