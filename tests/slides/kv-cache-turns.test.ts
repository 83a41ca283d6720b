// @vitest-environment happy-dom
// The KV-cache slide on a chat model's answers: the run without the cache is capped, and a follow-up
// turn shows how much of its input the previous turn's cache already held and the prefill time saved.
import { afterEach, describe, expect, it } from 'vitest';
import kvCache from '../../slides/22-kv-cache';
import type { Generation } from '../../src/trace';
import { makeGeneration } from '../fixtures/synthetic-generation';
import { makeChatTrace } from './chat-traces';
import { renderWithGeneration } from './real-generation';
import { notesOf } from './render-slide';

afterEach(() => document.body.replaceChildren());

const trace = makeChatTrace({ history: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello there' }], prompt: 'Tell me more' });
const steps = Array.from({ length: 30 }, (_, i) => ` t${i}`);

function cappedAnswer(): Generation {
  const full = makeGeneration(trace, { steps, maxNewTokens: 128 });
  return { ...full, uncachedLimit: 16, uncached: { ...full.uncached!, steps: full.uncached!.steps.slice(0, 16), done: true, stoppedBy: 'limit' } };
}

describe('kv-cache slide, chat answers', () => {
  it('says the run without the cache is capped, and compares the tokens both runs have', () => {
    const root = renderWithGeneration(kvCache, trace, cappedAnswer());
    expect(root.querySelector<HTMLElement>('.kv-uncached-cap')?.dataset.uncachedLimit).toBe('16');
    expect(root.querySelector('.kv-uncached-cap')?.textContent).toContain('stops after 16 steps');
    expect(root.querySelector('.kv-same-tokens')?.textContent).toContain('Same first 16 tokens from both runs');
    expect(root.querySelector<HTMLElement>('.kv-cache-body')?.dataset.compared).toBe('16');
    expect(notesOf(kvCache, { trace, waitingMessage: '', generation: cappedAnswer() })).toContain('capped at 16 steps');
  });

  it('a follow-up turn: N of M input tokens from the cache, the prefill times, the shared prefix as a bar', () => {
    const reuse = { cachedTokens: 17, inputTokens: 25, reusedPrefillMs: 3.25, fullPrefillMs: 11.5, sameFirstToken: true };
    const generation = { ...cappedAnswer(), prefixReuse: reuse };
    const root = renderWithGeneration(kvCache, trace, generation);
    const panel = root.querySelector<HTMLElement>('.kv-prefix-reuse')!;
    expect(panel.dataset).toMatchObject({ cachedTokens: '17', inputTokens: '25', reusedPrefillMs: '3.25', fullPrefillMs: '11.5', sameFirstToken: 'true' });
    expect(panel.querySelector('.kv-prefix-sentence')?.textContent).toBe('This turn: 17 of 25 input tokens were already in the cache from the last turn; reusing them, prefill takes 3.25 ms instead of 11.5 ms.');
    expect(panel.querySelector<HTMLElement>('.kv-prefix-cached')?.style.flexGrow).toBe('17');
    expect(panel.querySelector<HTMLElement>('.kv-prefix-new')?.textContent).toBe('8 new');
    expect(root.querySelector('.kv-other-model')).toBeNull();
    const notes = notesOf(kvCache, { trace, waitingMessage: '', generation });
    expect(notes).toContain("17 of 25 input tokens were in the last turn's cache; a prefill reusing them took 3.25 ms, one recomputing them 11.5 ms (3.5× faster)");

    const none = renderWithGeneration(kvCache, trace, { ...generation, prefixReuse: { ...reuse, cachedTokens: 0, reusedPrefillMs: 11.5 } });
    expect(none.querySelector('.kv-prefix-sentence')?.textContent).toContain('none of its 25 input tokens matched');
  });
});
