// @vitest-environment happy-dom
// The deck's side of the conversation controls: the URL's settings, and each slide request carried out
// on the engine (a fake that records its calls); the title slide's model menu filled from models.json.
import { afterEach, describe, expect, it } from 'vitest';
import titleSlide from '../../slides/01-title';
import { connectConversation, runOptionsFromUrl, type ConversationEngine } from '../../src/deck/conversation';
import { sendConversationRequest } from '../../src/viz/conversation-requests';
import { connectModelMenu, fillModelMenus } from '../../src/deck/model-menu';
import type { RunOptions } from '../../src/engine/client';
import type { ChatMessage } from '../../src/trace';
import { renderInto } from '../slides/render-slide';

afterEach(() => document.body.replaceChildren());

function fakeEngine(prompt: string, history: ChatMessage[] = []) {
  const calls: unknown[] = [];
  const engine: ConversationEngine = {
    state: { prompt, runOptions: { system: '', history, chat: true, maxNewTokens: null, sampling: null } },
    setRunOptions: (change: Partial<RunOptions>) => calls.push(['setRunOptions', change]),
    reply: (message: string, nextHistory: ChatMessage[]) => calls.push(['reply', message, nextHistory]),
  };
  return { engine, calls };
}

describe('conversation requests', () => {
  it('takes ?system= and ?max-new-tokens= from the URL', () => {
    expect(runOptionsFromUrl('?system=Be+brief&max-new-tokens=40')).toEqual({ system: 'Be brief', maxNewTokens: 40 });
    expect(runOptionsFromUrl('')).toEqual({ system: '', maxNewTokens: null });
  });

  it('runs each request on the engine: system (kept in the URL), reply, sampling, start over', () => {
    const history: ChatMessage[] = [{ role: 'user', content: 'First question' }, { role: 'assistant', content: 'An answer' }];
    const { engine, calls } = fakeEngine('Follow-up', history);
    const written: string[] = [];
    const target = new EventTarget();
    connectConversation(target, engine, (system) => written.push(system));
    sendConversationRequest(target, { type: 'system', system: 'Be brief.' });
    sendConversationRequest(target, { type: 'reply', message: 'More?', history });
    sendConversationRequest(target, { type: 'reply', message: '   ', history });
    sendConversationRequest(target, { type: 'sampling', sampling: { temperature: 0.8, topK: 40, topP: 0.95, seed: 7 } });
    sendConversationRequest(target, { type: 'restart' });
    expect(calls).toEqual([
      ['setRunOptions', { system: 'Be brief.' }],
      ['reply', 'More?', history],
      ['setRunOptions', { sampling: { temperature: 0.8, topK: 40, topP: 0.95, seed: 7 } }],
      ['reply', 'First question', []],
    ]);
    expect(written).toEqual(['Be brief.']);
  });
});

describe('the title slide’s model menu', () => {
  const listing = {
    models: [
      { name: 'sotu-gpt', family: 'gpt2' as const, modelType: 'gpt2', parameterCount: 5_322_240, precisions: ['fp32'], chatTemplate: false, description: 'a small GPT-2 trained on State of the Union addresses' },
      { name: 'tiny-chat', family: 'llama' as const, modelType: 'llama', parameterCount: 600_000, precisions: ['fp32'], chatTemplate: true, description: null },
    ],
  };

  it('lists every model with the current one chosen, and says what it read', () => {
    const root = document.createElement('section');
    document.body.append(root);
    renderInto(titleSlide, root, { trace: null, waitingMessage: 'Loading' });
    const row = root.querySelector<HTMLElement>('[data-model-menu-row]')!;
    expect(row.hidden).toBe(true);
    fillModelMenus(document, listing, 'sotu-gpt');
    const select = root.querySelector<HTMLSelectElement>('select[data-model-menu]')!;
    expect(row.hidden).toBe(false);
    expect(Array.from(select.options, (o) => o.value)).toEqual(['sotu-gpt', 'tiny-chat']);
    expect(select.value).toBe('sotu-gpt');
    expect(select.options[1].textContent).toBe('tiny-chat · Llama · 0.6 M parameters · fp32 · chat model');
    expect(root.querySelector('[data-model-about]')?.textContent).toContain('a small GPT-2 trained on State of the Union addresses');
    renderInto(titleSlide, root, { trace: null, waitingMessage: 'Loading again' }); // a re-render keeps the filled menu
    expect(root.querySelector('select[data-model-menu]')).toBe(select);
    expect(select.options).toHaveLength(2);
  });

  it('choosing another model loads the deck on it (?model=), and the menu keeps arrow keys from Reveal', () => {
    const root = document.createElement('section');
    document.body.append(root);
    renderInto(titleSlide, root, { trace: null, waitingMessage: '' });
    const visited: string[] = [];
    connectModelMenu(document, listing, 'sotu-gpt', (url) => visited.push(url));
    const select = root.querySelector<HTMLSelectElement>('select[data-model-menu]')!;
    const keys: string[] = [];
    document.addEventListener('keydown', (event) => keys.push(event.key));
    select.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    expect(keys).toEqual([]);
    select.value = 'tiny-chat';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    expect(visited).toHaveLength(1);
    expect(new URL(visited[0], 'http://deck.test').searchParams.get('model')).toBe('tiny-chat');
  });

  it('keeps a model models.json does not list choosable', () => {
    const root = document.createElement('section');
    document.body.append(root);
    renderInto(titleSlide, root, { trace: null, waitingMessage: '' });
    fillModelMenus(document, listing, 'my-model');
    const select = root.querySelector<HTMLSelectElement>('select[data-model-menu]')!;
    expect(select.value).toBe('my-model');
    expect(select.options[0].textContent).toBe('my-model (not in models.json)');
    expect(root.querySelector('[data-model-about]')?.textContent).toBe('');
  });
});
