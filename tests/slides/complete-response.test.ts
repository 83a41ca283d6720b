// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import completeResponse from '../../slides/27-complete-response';
import sampling from '../../slides/20-sampling';
import { CONVERSATION_EVENT, type ConversationRequest } from '../../src/viz/conversation-requests';
import type { Generation, Trace } from '../../src/trace';
import { makeGeneration } from '../fixtures/synthetic-generation';
import { HOSTILE_TOKENS, makeTrace } from '../fixtures/synthetic-trace';
import { IM_END_ID, makeChatAnswer, makeChatTrace } from './chat-traces';
import { notesOf, renderInto, resetViews, setViewOf, tagNames, viewOf } from './render-slide';

let requests: ConversationRequest[] = [];
const record = (event: Event) => requests.push((event as CustomEvent<ConversationRequest>).detail);
beforeEach(() => {
  requests = [];
  resetViews();
  document.addEventListener(CONVERSATION_EVENT, record);
});
afterEach(() => {
  document.removeEventListener(CONVERSATION_EVENT, record);
  document.body.replaceChildren();
});

function draw(trace: Trace | null, generation: Generation | null, root = document.createElement('section')): HTMLElement {
  if (!root.isConnected) document.body.append(root);
  renderInto(completeResponse, root, { trace, waitingMessage: 'Loading model 43%', generation });
  return root;
}

const chat = (root: HTMLElement) => root.querySelector<HTMLElement>('.complete-response-chat')!;
const bubbles = (root: HTMLElement) => Array.from(root.querySelectorAll<HTMLElement>('.chat-bubble'), (b) => ({ role: b.dataset.role, text: b.querySelector('.chat-bubble-text')!.textContent }));

describe('complete-response slide', () => {
  it('shows the conversation as a chat and why the answer stopped: the end-of-turn token, its text and id', () => {
    const trace = makeChatTrace({ system: 'Be brief.', prompt: 'How do I bake cookies?' });
    const generation = makeChatAnswer(trace, ['Mix', ' butter', ' and', ' sugar', '.'], { ms: 25 });
    const root = draw(trace, generation);
    expect(bubbles(root).map((b) => b.role)).toEqual(['system', 'user', 'assistant']);
    expect(bubbles(root)[0].text).toBe('Be brief.');
    expect(bubbles(root)[1].text).toBe('How do I bake cookies?');
    expect(bubbles(root)[2].text).toBe('Mix butter and sugar. <|im_end|> 8193');
    const data = chat(root).dataset;
    expect(data.stop).toBe('eos');
    expect(data.stopId).toBe(String(IM_END_ID));
    expect(data.answerTokens).toBe('5');
    expect(data.generated).toBe('6');
    expect(Number(data.tokensPerSecond)).toBeCloseTo(6 / (6 * 0.025), 10);
    expect(root.querySelector('.complete-response-stop')?.textContent).toBe('Stopped: the model chose <|im_end|> (id 8193), one of its end-of-turn ids (generation_config.json’s eos_token_id), after 5 answer tokens.');
    // Issue 12: the speed line counts what the stop sentence counts, and says the stop token is in its rate.
    expect(root.querySelector('.complete-response-speed')?.textContent).toContain('5 answer tokens + the stop token in 0.15 s: 40.0 tokens/s.');
    expect(root.querySelector('.complete-response-speed')?.textContent).toContain('Greedy');
  });

  it('says when the limit or the context window stopped it, and streams with a mark', () => {
    const trace = makeChatTrace({ prompt: 'Hi' });
    const limited = draw(trace, makeChatAnswer(trace, ['a', 'b', 'c'], { stop: 'limit', maxNewTokens: 3 }));
    expect(limited.querySelector('.complete-response-stop')?.textContent).toBe('Stopped at the limit of 3 new tokens (?max-new-tokens=), before an end-of-turn token.');
    const full = draw(trace, { ...makeChatAnswer(trace, ['a']), cached: { ...makeChatAnswer(trace, ['a']).cached, stoppedBy: 'context' } });
    expect(full.querySelector('.complete-response-stop')?.textContent).toBe(`Stopped: the ${trace.model.contextLength}-token context window is full.`);
    const streaming = draw(trace, makeChatAnswer(trace, ['a', 'b'], { stop: null }));
    expect(chat(streaming).dataset.stop).toBe('generating');
    expect(streaming.querySelector('.generation-streaming')).not.toBeNull();
    expect(streaming.querySelector('.complete-response-stop')?.textContent).toContain('Generating… 2 tokens so far');
  });

  it('shows earlier turns above, shortened, and counts the turns', () => {
    const long = 'x'.repeat(300);
    const trace = makeChatTrace({ history: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: long }], prompt: 'And then?' });
    const root = draw(trace, makeChatAnswer(trace, ['Then', ' bake']));
    expect(bubbles(root).map((b) => b.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(chat(root).dataset.turns).toBe('2');
    expect(bubbles(root)[1].text).toBe(`${'x'.repeat(90)} … (210 more characters)`);
    expect(root.querySelector('[data-action="restart"]')).not.toBeNull();
  });

  it('a long conversation: the last two earlier messages shown, the others counted', () => {
    const history = Array.from({ length: 6 }, (_, i) => ({ role: i % 2 === 0 ? ('user' as const) : ('assistant' as const), content: `message ${i}` }));
    const trace = makeChatTrace({ system: 'Be brief.', history, prompt: 'Last one' });
    const root = draw(trace, makeChatAnswer(trace, ['ok']));
    expect(bubbles(root).map((b) => b.text)).toEqual(['Be brief.', 'message 4', 'message 5', 'Last one', 'ok <|im_end|> 8193']);
    expect(root.querySelector('.chat-hidden-messages')?.textContent).toBe('… 4 earlier messages');
    expect(chat(root).dataset.turns).toBe('4');
  });

  it('shows the last part of a very long answer with the count of earlier tokens, at body size', () => {
    const trace = makeChatTrace({ prompt: 'Tell me everything' });
    const words = Array.from({ length: 500 }, (_, i) => ` w${String(i).padStart(3, '0')}`); // 5 characters each
    const root = draw(trace, makeChatAnswer(trace, words, { stop: 'limit', maxNewTokens: 500 }));
    const hidden = Number(chat(root).dataset.hiddenTokens);
    expect(hidden).toBe(500 - Math.floor(360 / 5));
    expect(root.querySelector('.chat-bubble-assistant .chat-more')?.textContent).toBe(`… ${hidden} earlier tokens … `);
    expect(bubbles(root)[1].text.endsWith(' w499')).toBe(true);
    expect(chat(root).dataset.size).toBe('medium');
  });

  it('Reply sends the conversation so far with the answer text (no end-of-turn token), and keeps keys from Reveal', () => {
    const trace = makeChatTrace({ system: 'Be brief.', prompt: 'Hi' });
    const root = draw(trace, makeChatAnswer(trace, ['Hello', '!']));
    const field = root.querySelector<HTMLTextAreaElement>('textarea.chat-reply-field')!;
    const keys: string[] = [];
    const onKey = (event: KeyboardEvent) => keys.push(event.key);
    document.addEventListener('keydown', onKey);
    field.value = 'Tell me more';
    field.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    field.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    document.removeEventListener('keydown', onKey);
    expect(keys).toEqual([]);
    expect(requests).toEqual([
      { type: 'reply', message: 'Tell me more', history: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello!' }] },
    ]);
    expect(field.value).toBe('');
  });

  it('keeps the reply field (and what is typed in it) across streamed re-renders; Reply waits for the answer to finish', () => {
    const trace = makeChatTrace({ prompt: 'Hi' });
    const root = draw(trace, makeChatAnswer(trace, ['a'], { stop: null }));
    const field = root.querySelector<HTMLTextAreaElement>('textarea.chat-reply-field')!;
    field.value = 'half-typed';
    draw(trace, makeChatAnswer(trace, ['a', 'b'], { stop: null }), root);
    expect(root.querySelector('textarea.chat-reply-field')).toBe(field);
    expect(field.value).toBe('half-typed');
    expect(root.querySelector<HTMLButtonElement>('[data-action="reply"]')?.disabled).toBe(true);
    root.querySelector<HTMLButtonElement>('[data-action="reply"]')!.click();
    expect(requests).toEqual([]);
    draw(trace, makeChatAnswer(trace, ['a', 'b']), root);
    expect(root.querySelector<HTMLButtonElement>('[data-action="reply"]')?.disabled).toBe(false);
    root.querySelector<HTMLButtonElement>('[data-action="reply"]')!.click();
    expect(requests).toEqual([{ type: 'reply', message: 'half-typed', history: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'ab' }] }]);
  });

  it('applies the sampling slide’s settings with a shown seed, draws a new seed, and goes back to greedy', () => {
    setViewOf(sampling, { temperature: 0.7, topK: 20, topP: 0.9, seed: 42 });
    const trace = makeChatTrace({ prompt: 'Hi' });
    const root = draw(trace, makeChatAnswer(trace, ['a']));
    const sample = root.querySelector<HTMLButtonElement>('[data-action="sample"]')!;
    expect(sample.textContent).toBe('Sample (T 0.70 · top-k 20 · top-p 0.90 · seed 42)');
    expect(root.querySelector('[data-action="greedy"]')?.getAttribute('aria-pressed')).toBe('true');
    sample.click();
    expect(requests.at(-1)).toEqual({ type: 'sampling', sampling: { temperature: 0.7, topK: 20, topP: 0.9, seed: 42 } });
    root.querySelector<HTMLButtonElement>('[data-action="new-seed"]')!.click();
    const seeded = requests.at(-1) as Extract<ConversationRequest, { type: 'sampling' }>;
    expect(seeded.sampling?.seed).toBe(viewOf(sampling).seed);
    root.querySelector<HTMLButtonElement>('[data-action="greedy"]')!.click();
    expect(requests.at(-1)).toEqual({ type: 'sampling', sampling: null });

    const sampled: Generation = { ...makeChatAnswer(trace, ['b']), sampling: { temperature: 0.7, topK: 20, topP: 0.9 }, seed: 42 };
    const again = draw(trace, sampled);
    expect(chat(again).dataset.sampled).toBe('true');
    expect(chat(again).dataset.seed).toBe('42');
    expect(again.querySelector('.complete-response-speed')?.textContent).toContain('seed 42 (the same seed gives the same answer)');
    expect(again.querySelector('[data-action="sample"]')?.getAttribute('aria-pressed')).toBe('true');
  });

  it('a base model: the prompt and its continuation, no reply field', () => {
    const trace = makeTrace({ prompt: 'The Congress should' , tokens: ['The', ' Congress', ' should'] });
    const generation = makeGeneration(trace, { steps: [' act', ' now'] });
    const root = draw(trace, generation);
    expect(bubbles(root).map((b) => b.role)).toEqual(['user', 'assistant']);
    expect(root.querySelector('.chat-bubble-assistant .chat-bubble-label')?.textContent).toContain('continues (a base model does not answer)');
    expect(bubbles(root)[1].text).toBe(' act now');
    expect(root.querySelector('textarea.chat-reply-field')).toBeNull();
    expect(chat(root).dataset.stop).toBe('limit');
  });

  it('notes quote the live answer and numbers; hostile text stays text; waits without a Trace', () => {
    const trace = makeChatTrace({ prompt: 'Hi' });
    const notes = notesOf(completeResponse, { trace, waitingMessage: '', generation: makeChatAnswer(trace, ['Hello', '!'], { ms: 50 }) });
    expect(notes).toContain('The answer so far (2 tokens): "Hello!"');
    expect(notes).toContain('<|im_end|> (id 8193)');
    expect(notes).toContain('2 answer tokens + the stop token in 0.15 s: 20.0 tokens/s.');
    const hostile = makeTrace({ tokens: HOSTILE_TOKENS });
    const root = draw(hostile, makeGeneration(hostile, { steps: ['<img src=x onerror=alert(1)>'] }));
    expect(tagNames(root).has('script')).toBe(false);
    expect(tagNames(root).has('img')).toBe(false);
    expect(draw(null, null).querySelector('.live-waiting')?.textContent).toBe('Loading model 43%');
  });
});
