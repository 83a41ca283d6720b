// The engine on a random-weight chat model (tests/fixtures/tiny-chat.ts): the template's input with
// its special tokens, an answer that ends at the generation config's stop ids, reproducible sampling,
// and a second turn that reuses the first turn's KV cache with the same result as recomputing it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelInNode } from '../../src/cli/model-folder';
import { generateRun } from '../../src/engine/generate';
import { commonPrefixLength, sliceCache, sliceSequenceData } from '../../src/engine/kv-cache';
import type { LoadedModel } from '../../src/engine/load-model';
import { measurePrefixReuse, reusableLength } from '../../src/engine/prefix-reuse';
import { chatInput, runTrace } from '../../src/engine/run-trace';
import { answerText } from '../../src/maths/generation-summary';
import type { ChatMessage } from '../../src/trace';
import { SMOLLM2_CHAT_TEMPLATE } from '../fixtures/chat-templates';
import { IM_END, IM_START, TINY_CHAT_PROMPT, TINY_CHAT_STOP_ID, TINY_CHAT_STOP_IDS, TINY_CHAT_STOP_STEP, writeTinyChatFolder } from '../fixtures/tiny-chat';

const modelsRoot = mkdtempSync(join(tmpdir(), 'chat-engine-'));
let loaded: LoadedModel;

beforeAll(async () => {
  loaded = await loadModelInNode(writeTinyChatFolder(modelsRoot));
}, 120_000);

afterAll(async () => {
  await loaded?.model.dispose();
  rmSync(modelsRoot, { recursive: true, force: true });
});

const maxAbsDifference = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
};

describe('a chat model folder', () => {
  it('has its template and its stop ids from generation_config.json', () => {
    expect(loaded.chatTemplate).toBe(SMOLLM2_CHAT_TEMPLATE);
    expect(loaded.stopIds).toEqual(TINY_CHAT_STOP_IDS);
    expect(loaded.specialIds.has(IM_START) && loaded.specialIds.has(IM_END)).toBe(true);
  });

  it('traces the templated ids, special tokens marked, the typed prompt located inside', async () => {
    const trace = await runTrace(loaded, { prompt: TINY_CHAT_PROMPT, system: 'Be brief.' });
    expect(trace.prompt).toBe(TINY_CHAT_PROMPT);
    expect(trace.chat.template).toBe('model');
    expect(trace.chat.templated).toBe(`<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n${TINY_CHAT_PROMPT}<|im_end|>\n<|im_start|>assistant\n`);
    const ids = trace.tokens.map((t) => t.id);
    expect(ids).toEqual(loaded.tokenizer.encode(trace.chat.templated, { add_special_tokens: false }));
    expect(ids.filter((id) => id === IM_START)).toHaveLength(3);
    expect(ids.filter((id) => id === IM_END)).toHaveLength(2);
    for (const token of trace.tokens) expect(token.special, token.piece).toBe(token.id === IM_START || token.id === IM_END);
    const [system, user] = trace.chat.spans;
    expect(trace.chat.templated.slice(system!.start, system!.end)).toBe('Be brief.');
    expect(trace.chat.templated.slice(user!.start, user!.end)).toBe(TINY_CHAT_PROMPT);
  });

  it('cuts a templated input past the context window from the left, as for a typed prompt', async () => {
    const prompt = 'word '.repeat(300);
    const { ids } = chatInput(loaded, { prompt });
    const trace = await runTrace(loaded, { prompt });
    expect(trace.droppedTokens).toBe(ids.length - 256);
    expect(trace.tokens.map((t) => t.id)).toEqual(ids.slice(-256)); // the generation prompt is kept, the system message is cut
    expect(trace.tokens.at(-1)!.text).toBe('\n');
  });

  it('reads the prompt as typed with chat: false', async () => {
    const trace = await runTrace(loaded, { prompt: TINY_CHAT_PROMPT, system: 'ignored', chat: false });
    expect(trace.chat).toEqual({ template: 'none', messages: [{ role: 'user', content: TINY_CHAT_PROMPT }], templated: TINY_CHAT_PROMPT, spans: [{ start: 0, end: TINY_CHAT_PROMPT.length }] });
    expect(trace.tokens.some((t) => t.special)).toBe(false);
  });
});

describe('the answer', () => {
  it('stops at a stop id of generation_config.json, at the fixture known step', async () => {
    const { ids } = chatInput(loaded, { prompt: TINY_CHAT_PROMPT });
    const result = await generateRun(loaded, ids, { maxNewTokens: 128 });
    expect(result.stoppedBy).toBe('eos');
    expect(result.steps).toHaveLength(TINY_CHAT_STOP_STEP + 1);
    expect(result.steps[TINY_CHAT_STOP_STEP].id).toBe(TINY_CHAT_STOP_ID);
    // Without the stop ids the same answer runs on: the stop is the config's doing, not the limit's.
    const unstopped = await generateRun(loaded, ids, { maxNewTokens: 8, stopAtEndOfText: false });
    expect(unstopped.stoppedBy).toBe('limit');
    expect(unstopped.steps.slice(0, TINY_CHAT_STOP_STEP + 1).map((s) => s.id)).toEqual(result.steps.map((s) => s.id));
    expect(unstopped.steps).toHaveLength(8);
    // The uncached run stops at the same place.
    const uncached = await generateRun(loaded, ids, { maxNewTokens: 128, useCache: false });
    expect(uncached.steps.map((s) => s.id)).toEqual(result.steps.map((s) => s.id));
    expect(uncached.stoppedBy).toBe('eos');
  });

  it('stops at the limit and at the context window', async () => {
    const { ids } = chatInput(loaded, { prompt: TINY_CHAT_PROMPT });
    expect((await generateRun(loaded, ids, { maxNewTokens: 2 })).stoppedBy).toBe('limit');
    const long = Array.from({ length: 254 }, (_, i) => 300 + i);
    const atWindow = await generateRun(loaded, long, { maxNewTokens: 10, stopAtEndOfText: false });
    expect(atWindow.stoppedBy).toBe('context');
    expect(atWindow.steps).toHaveLength(2);
  });

  it('samples reproducibly: the same seed gives the same answer, other seeds other answers', async () => {
    const { ids } = chatInput(loaded, { prompt: TINY_CHAT_PROMPT });
    const sampled = (seed: number) =>
      generateRun(loaded, ids, { maxNewTokens: 12, stopAtEndOfText: false, sampling: { temperature: 1.5, topK: 0, topP: 1 }, seed }).then((r) => r.steps.map((s) => s.id));
    const first = await sampled(7);
    expect(await sampled(7)).toEqual(first);
    const others = await Promise.all([8, 9, 10].map(sampled));
    expect(others.some((answer) => answer.join() !== first.join())).toBe(true);
    const greedy = (await generateRun(loaded, ids, { maxNewTokens: 12, stopAtEndOfText: false })).steps.map((s) => s.id);
    expect(first).not.toEqual(greedy);
  });
});

describe('a second turn', () => {
  // 'whole': the history holds the answer as generated, so the whole cache is shared; 'cut': the history
  // holds a shorter answer (edited), so the cache is cut inside the answer along its sequence axis.
  it.each(['whole', 'cut'] as const)('reuses the first turn cache for the shared prefix (%s): same logits (1e-4) and same tokens as recomputing', async (kind) => {
    const first = chatInput(loaded, { prompt: TINY_CHAT_PROMPT });
    const turn1 = await generateRun(loaded, first.ids, { maxNewTokens: 128, keepCache: true });
    expect(turn1.cache).not.toBeNull();
    const cache = turn1.cache!;
    // The cache holds the prompt and every answer token but the last (never fed back).
    expect(cache.ids).toEqual([...first.ids, ...turn1.steps.slice(0, -1).map((s) => s.id)]);
    expect(Object.keys(cache.past)).toHaveLength(2 * 2); // key and value per layer
    for (const tensor of Object.values(cache.past)) expect(tensor.dims).toEqual([1, 2, cache.ids.length, 16]);

    const kept = kind === 'whole' ? turn1.steps : turn1.steps.slice(0, 2);
    const answer = answerText({ useCache: true, steps: kept, done: true, stoppedBy: kind === 'whole' ? turn1.stoppedBy : 'limit' }, loaded.stopIds);
    const history: ChatMessage[] = [
      { role: 'user', content: TINY_CHAT_PROMPT },
      { role: 'assistant', content: answer },
    ];
    const second = chatInput(loaded, { prompt: 'And how long do they bake?', history });
    expect(second.chat.templated.startsWith(first.chat.templated + answer + '<|im_end|>\n<|im_start|>user\n')).toBe(true);

    const measured = await measurePrefixReuse(loaded, second.ids, cache);
    const shared = commonPrefixLength(second.ids, cache.ids);
    expect(shared).toBeGreaterThan(first.ids.length); // the first prompt and (some of) its answer
    if (kind === 'whole') expect(shared).toBe(cache.ids.length);
    else expect(shared).toBeLessThan(cache.ids.length);
    expect(measured.reuse.cachedTokens).toBe(shared);
    expect(measured.reuse.inputTokens).toBe(second.ids.length);
    expect(measured.reuse.reusedPrefillMs).toBeGreaterThan(0);
    expect(measured.reuse.fullPrefillMs).toBeGreaterThan(0);
    expect(measured.reuse.sameFirstToken).toBe(true);
    expect(maxAbsDifference(measured.logits.reused, measured.logits.full)).toBeLessThan(1e-4);

    const fromCache = await generateRun(loaded, second.ids, { maxNewTokens: 20, stopAtEndOfText: false, startCache: measured.startCache! });
    const recomputed = await generateRun(loaded, second.ids, { maxNewTokens: 20, stopAtEndOfText: false });
    const withoutCache = await generateRun(loaded, second.ids, { maxNewTokens: 20, stopAtEndOfText: false, useCache: false });
    expect(fromCache.steps.map((s) => s.id)).toEqual(recomputed.steps.map((s) => s.id));
    expect(fromCache.steps.map((s) => s.id)).toEqual(withoutCache.steps.map((s) => s.id));
    fromCache.steps.forEach((step, i) => {
      expect(Math.abs(step.prob - recomputed.steps[i].prob)).toBeLessThan(1e-4);
      step.top5.forEach((candidate, k) => expect(Math.abs(candidate.prob - recomputed.steps[i].top5[k].prob)).toBeLessThan(1e-4));
    });
  });

  it('a cache cut wrongly would show: the sliced keys are the recomputed ones, position by position', async () => {
    const { ids } = chatInput(loaded, { prompt: TINY_CHAT_PROMPT });
    const turn = await generateRun(loaded, ids, { maxNewTokens: 3, stopAtEndOfText: false, keepCache: true });
    const sliced = sliceCache(turn.cache!.past, 10);
    const short = await generateRun(loaded, ids.slice(0, 10), { maxNewTokens: 1, stopAtEndOfText: false, keepCache: true });
    for (const [name, tensor] of Object.entries(sliced)) {
      expect(tensor.dims).toEqual([1, 2, 10, 16]);
      expect(maxAbsDifference(tensor.data as Float32Array, short.cache!.past[name].data as Float32Array)).toBeLessThan(1e-5);
    }
  });

  it('shares nothing with an unrelated cache, and then recomputes everything', async () => {
    const { ids } = chatInput(loaded, { prompt: TINY_CHAT_PROMPT });
    const unrelated = { ids: [5, 6, 7], past: {} };
    const measured = await measurePrefixReuse(loaded, ids, unrelated);
    expect(measured.reuse.cachedTokens).toBe(0);
    expect(measured.startCache).toBeNull();
    expect(reusableLength(ids, ids)).toBe(ids.length - 1); // at least one id is always computed
  });
});

describe('sliceSequenceData', () => {
  it('keeps the first positions of each (batch, head) row of [batch, heads, sequence, headDim]', () => {
    // value = 1000 b + 100 h + 10 s + d
    const dims = [2, 3, 4, 2];
    const data = new Float32Array(2 * 3 * 4 * 2);
    let i = 0;
    for (let b = 0; b < 2; b++) for (let h = 0; h < 3; h++) for (let s = 0; s < 4; s++) for (let d = 0; d < 2; d++) data[i++] = 1000 * b + 100 * h + 10 * s + d;
    const cut = sliceSequenceData(data, dims, 2);
    const expected: number[] = [];
    for (let b = 0; b < 2; b++) for (let h = 0; h < 3; h++) for (let s = 0; s < 2; s++) for (let d = 0; d < 2; d++) expected.push(1000 * b + 100 * h + 10 * s + d);
    expect(Array.from(cut)).toEqual(expected);
    expect(cut).toBeInstanceOf(Float32Array);
    expect(sliceSequenceData(new Uint16Array(data), dims, 1)).toBeInstanceOf(Uint16Array); // fp16 caches keep their type
    expect(() => sliceSequenceData(data, dims, 5)).toThrow(/cannot keep 5 of 4/);
    const tensor = sliceCache({ k: new Tensor('float32', data, dims) }, 3).k;
    expect(tensor.dims).toEqual([2, 3, 3, 2]);
  });
});
