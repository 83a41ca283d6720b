// The worker's answer stream in Node: default limits (128 chat, 24 base), the uncached run capped at
// 16, stoppedBy set when each run is done, seeded sampling from the request, a follow-up turn that
// reports and uses the previous turn's cache, and the logit lens a Trace left to the answer's first step.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelInNode } from '../../src/cli/model-folder';
import { streamAnswer, UNCACHED_BUDGET_MS, uncachedSteps, UNCACHED_STEPS, type AnswerInput, type AnswerSession } from '../../src/engine/answer-stream';
import type { KvCache } from '../../src/engine/kv-cache';
import type { LoadedModel } from '../../src/engine/load-model';
import { chatInput, runTrace } from '../../src/engine/run-trace';
import { answerText } from '../../src/maths/generation-summary';
import { logitLensReading, type Generation, type LogitLensRow } from '../../src/trace';
import { TINY_CHAT_PROMPT, TINY_CHAT_STOP_IDS, TINY_CHAT_STOP_STEP, writeTinyChatFolder } from '../fixtures/tiny-chat';

const modelsRoot = mkdtempSync(join(tmpdir(), 'answer-stream-'));
let chat: LoadedModel;
let base: LoadedModel;

beforeAll(async () => {
  chat = await loadModelInNode(writeTinyChatFolder(modelsRoot));
  base = await loadModelInNode('sotu-gpt');
}, 120_000);

afterAll(async () => {
  await chat?.model.dispose();
  await base?.model.dispose();
  rmSync(modelsRoot, { recursive: true, force: true });
});

/** Runs the stream and returns every published Generation, in order. */
async function stream(loaded: LoadedModel, input: AnswerInput, session: AnswerSession, superseded = () => false): Promise<Generation[]> {
  const published: Generation[] = [];
  await streamAnswer(loaded, input, session, { publish: (g) => published.push(g), superseded });
  return published;
}

const chatTurn = (prompt: string, request: AnswerInput['request'] = {}, history = request.history) => {
  const { ids } = chatInput(chat, { prompt, history });
  return { request, prompt, promptIds: ids, chatModel: true };
};

describe('uncachedSteps', () => {
  it('affords UNCACHED_BUDGET_MS of whole passes, between 3 and 16 steps, never past the answer', () => {
    expect(uncachedSteps(null, 24)).toBe(UNCACHED_STEPS);
    expect(uncachedSteps(10, 24)).toBe(16); // the embedded model: a 10 ms pass
    expect(uncachedSteps(250, 24)).toBe(8); // a SmolLM2-135M-sized model on WASM, 32 tokens
    expect(uncachedSteps(2000, 24)).toBe(3); // a 1B model: at least 3 steps to compare
    expect(uncachedSteps(250, 5)).toBe(5);
    expect(uncachedSteps(10, 2)).toBe(2);
  });
});

describe('streamAnswer', () => {
  it('answers a chat model until its stop id, then runs the uncached comparison the same way', async () => {
    const session: AnswerSession = { previousTurn: null };
    const published = await stream(chat, chatTurn(TINY_CHAT_PROMPT), session);
    const last = published.at(-1)!;
    expect(last.maxNewTokens).toBe(128);
    expect(last.uncachedLimit).toBe(16);
    expect(last.stopIds).toEqual(TINY_CHAT_STOP_IDS);
    expect(last.prefixReuse).toBeNull(); // a first turn
    expect(last.cached).toMatchObject({ done: true, stoppedBy: 'eos' });
    expect(last.cached.steps).toHaveLength(TINY_CHAT_STOP_STEP + 1);
    expect(last.uncached).toMatchObject({ done: true, stoppedBy: 'eos' });
    expect(last.uncached!.steps.map((s) => s.id)).toEqual(last.cached.steps.map((s) => s.id));
    // Streamed: one publication per step of each run, then one as each run is done.
    expect(published).toHaveLength(2 * (TINY_CHAT_STOP_STEP + 1) + 2);
    expect(published[0].cached.steps).toHaveLength(1);
    expect(published[0].cached.done).toBe(false);
    expect(session.previousTurn!.ids).toEqual([...last.promptIds, ...last.cached.steps.slice(0, -1).map((s) => s.id)]);
  });

  it('gives a base model 24 tokens and caps the uncached run at 16, unless the request says otherwise', async () => {
    const promptIds = chatInput(base, { prompt: 'The Congress should' }).ids;
    const last = (await stream(base, { request: {}, prompt: 'The Congress should', promptIds, chatModel: false }, { previousTurn: null })).at(-1)!;
    expect(last.maxNewTokens).toBe(24);
    expect(last.cached.steps.length === 24 || last.cached.stoppedBy === 'eos').toBe(true);
    expect(last.uncached!.steps).toHaveLength(16);
    expect(last.uncached!.stoppedBy).toBe('limit');
    expect(last.uncached!.steps.map((s) => s.id)).toEqual(last.cached.steps.slice(0, 16).map((s) => s.id));
    const short = (await stream(base, { request: { maxNewTokens: 5 }, prompt: 'The Congress should', promptIds, chatModel: false }, { previousTurn: null })).at(-1)!;
    expect(short.maxNewTokens).toBe(5);
    expect(short.uncachedLimit).toBe(5);
    expect(short.cached.steps.map((s) => s.id)).toEqual(last.cached.steps.slice(0, 5).map((s) => s.id));
  });

  it('keeps the uncached run to about UNCACHED_BUDGET_MS of whole passes, as the prompt pass estimates them', async () => {
    const prompt = 'The Congress should';
    let cache: KvCache | null = null;
    const trace = await runTrace(base, prompt, { onCache: (kept) => (cache = kept) });
    const promptIds = trace.tokens.map((token) => token.id);
    // As if each whole pass took 500 ms (a large model): four steps, and the cached answer is untouched.
    const promptPass = { cache: cache!, lastLogits: trace.lastLogits.slice(), ms: UNCACHED_BUDGET_MS / 4 };
    const last = (await stream(base, { request: {}, prompt, promptIds, chatModel: false, promptPass }, { previousTurn: null })).at(-1)!;
    expect(last.uncachedLimit).toBe(4);
    expect(last.uncached!.steps).toHaveLength(4);
    expect(last.uncached!.stoppedBy).toBe('limit');
    expect(last.uncached!.steps.map((s) => s.id)).toEqual(last.cached.steps.slice(0, 4).map((s) => s.id));
    expect(last.cached.steps.length === 24 || last.cached.stoppedBy === 'eos').toBe(true);
  });

  it('samples with the request settings and seed, the same answer for the same seed', async () => {
    const sampling = { temperature: 1.2, topK: 50, topP: 0.95, seed: 11 };
    const run = async () => (await stream(chat, chatTurn(TINY_CHAT_PROMPT, { sampling, maxNewTokens: 20 }), { previousTurn: null })).at(-1)!;
    const [a, b] = [await run(), await run()];
    expect(a.sampling).toEqual({ temperature: 1.2, topK: 50, topP: 0.95 });
    expect(a.seed).toBe(11);
    expect(a.cached.steps.map((s) => s.id)).toEqual(b.cached.steps.map((s) => s.id));
    expect(a.uncached!.steps.map((s) => s.id)).toEqual(a.cached.steps.slice(0, a.uncached!.steps.length).map((s) => s.id));
  });

  it('reuses the previous turn for a follow-up: reports the shared prefix and answers as a full recomputation would', async () => {
    const session: AnswerSession = { previousTurn: null };
    const first = (await stream(chat, chatTurn(TINY_CHAT_PROMPT), session)).at(-1)!;
    const cachedIds = session.previousTurn!.ids;
    const firstCache = session.previousTurn!.past;
    const history = [
      { role: 'user' as const, content: TINY_CHAT_PROMPT },
      { role: 'assistant' as const, content: answerText(first.cached, first.stopIds) },
    ];
    const followUp = chatTurn('How long do they bake?', { history, maxNewTokens: 24 });
    const published = await stream(chat, followUp, session);
    expect(published[0].prefixReuse).not.toBeNull(); // said before the first answer token
    expect(published[0].cached.steps).toHaveLength(0);
    const last = published.at(-1)!;
    expect(last.prefixReuse).toMatchObject({ cachedTokens: cachedIds.length, inputTokens: followUp.promptIds.length, sameFirstToken: true });
    // Without a previous turn (a fresh session) the same input gives the same answer, recomputed.
    const fresh = (await stream(chat, followUp, { previousTurn: null })).at(-1)!;
    expect(fresh.prefixReuse).toBeNull();
    expect(last.cached.steps.map((s) => s.id)).toEqual(fresh.cached.steps.map((s) => s.id));

    // Going on from the Trace's pass (the deck's worker), the answer needs no prefill: the reuse is measured once the
    // answer is done, before the run is said done, and nothing waits for it.
    let cache: KvCache | null = null;
    const trace = await runTrace(chat, { prompt: 'How long do they bake?', history }, { onCache: (kept) => (cache = kept) });
    expect(trace.tokens.map((t) => t.id)).toEqual(followUp.promptIds);
    const promptPass = { cache: cache!, lastLogits: trace.lastLogits, ms: trace.timings.forwardMs };
    const fromPass = await stream(chat, { ...followUp, promptPass }, { previousTurn: { ids: cachedIds, past: firstCache } });
    expect(fromPass[0].cached.steps[0].fromPromptPass).toBe(true);
    expect(fromPass[0].prefixReuse).toBeNull();
    const reusedAt = fromPass.findIndex((g) => g.prefixReuse);
    expect(fromPass[reusedAt].cached.steps).toHaveLength(last.cached.steps.length);
    expect(fromPass[reusedAt].cached.done).toBe(false);
    expect(fromPass.at(-1)!.prefixReuse).toMatchObject({ cachedTokens: cachedIds.length, inputTokens: followUp.promptIds.length, sameFirstToken: true });
    expect(fromPass.at(-1)!.cached.steps.map((s) => s.id)).toEqual(fresh.cached.steps.map((s) => s.id));
  });

  it("reuses a base model's previous turn too: its conversation is one continuing document", async () => {
    const session: AnswerSession = { previousTurn: null };
    const prompt = 'The Congress should';
    const firstIds = chatInput(base, { prompt }).ids;
    const first = (await stream(base, { request: {}, prompt, promptIds: firstIds, chatModel: false }, session)).at(-1)!;
    const history = [
      { role: 'user' as const, content: prompt },
      { role: 'assistant' as const, content: answerText(first.cached, first.stopIds) },
    ];
    const second = chatInput(base, { prompt: ' And the people', history });
    expect(second.chat.templated).toBe(prompt + history[1].content + ' And the people');
    const last = (await stream(base, { request: { history }, prompt: ' And the people', promptIds: second.ids, chatModel: false }, session)).at(-1)!;
    expect(last.prefixReuse!.cachedTokens).toBeGreaterThan(firstIds.length);
    expect(last.prefixReuse!.sameFirstToken).toBe(true);
    const fresh = (await stream(base, { request: { history }, prompt: ' And the people', promptIds: second.ids, chatModel: false }, { previousTurn: null })).at(-1)!;
    expect(last.cached.steps.map((s) => s.id)).toEqual(fresh.cached.steps.map((s) => s.id));
  });

  it('stops quietly when a newer run supersedes it', async () => {
    let steps = 0;
    const published: Generation[] = [];
    await streamAnswer(chat, chatTurn(TINY_CHAT_PROMPT, { maxNewTokens: 50 }), { previousTurn: null }, {
      publish: (g) => {
        published.push(g);
        steps = g.cached.steps.length;
      },
      superseded: () => steps >= 2,
    });
    expect(published.at(-1)!.cached.steps).toHaveLength(2);
    expect(published.every((g) => !g.cached.done && g.uncached === null)).toBe(true);
  });

  it('brings the logit lens the Trace left to it: the first step computes it, the same as the traced pass\'s', async () => {
    const prompt = 'The state of the union is';
    const inline = await runTrace(base, prompt);
    const deferred = await runTrace(base, prompt, { deferLens: true });
    expect(deferred.extras!.logitLensFromAnswer).toBe(true);
    expect(deferred.extras!.logitLens).toEqual([]);
    expect(logitLensReading(deferred)).toEqual({ rows: [], missing: [], pending: true });
    const input = { request: { maxNewTokens: 3 }, prompt, promptIds: deferred.tokens.map((t) => t.id), chatModel: false, lensFromAnswer: true };
    const published = await stream(base, input, { previousTurn: null });
    const withLens = published.findIndex((g) => g.logitLens);
    expect(withLens).toBe(0); // published before the first token's own
    expect(published[0].cached.steps).toHaveLength(0);
    expectSameLens(published.at(-1)!.logitLens!, inline.extras!.logitLens);
    expect(logitLensReading(deferred, published.at(-1))).toEqual({ rows: published.at(-1)!.logitLens, missing: [], pending: false });
    // No step (no tokens asked for): a pass of its own.
    const none = await stream(base, { ...input, request: { maxNewTokens: 0 } }, { previousTurn: null });
    expect(none.at(-1)!.cached.steps).toEqual([]);
    expectSameLens(none.at(-1)!.logitLens!, inline.extras!.logitLens);
    // A Trace that kept its lens: the answer computes none.
    const kept = await stream(base, { ...input, lensFromAnswer: false }, { previousTurn: null });
    expect(kept.at(-1)!.logitLens).toBeUndefined();
  });

  it("leaves the lens until the answer is done while no slide shows it, and computes it before the next step once one does", async () => {
    const prompt = 'The state of the union is';
    const inline = await runTrace(base, prompt);
    const promptIds = inline.tokens.map((t) => t.id);
    const input = { request: { maxNewTokens: 4 }, prompt, promptIds, chatModel: false, lensFromAnswer: true };
    const run = async (lensOnScreen: (steps: number) => boolean) => {
      const published: Generation[] = [];
      let steps = 0;
      await streamAnswer(base, input, { previousTurn: null }, {
        publish: (g) => {
          published.push(g);
          steps = g.cached.steps.length;
        },
        superseded: () => false,
        lensOnScreen: () => lensOnScreen(steps),
      });
      return published;
    };
    // Off screen throughout: after the answer's last token, before the run is said done and the uncached run begins.
    const later = await run(() => false);
    const lensAt = later.findIndex((g) => g.logitLens);
    expect(later[lensAt].cached.steps).toHaveLength(4);
    expect(later[lensAt].cached.done).toBe(false);
    expect(later[lensAt].uncached).toBeNull();
    expectSameLens(later[lensAt].logitLens!, inline.extras!.logitLens);
    // On screen from the second token on: before the third step.
    const midway = await run((steps) => steps >= 2);
    const midwayAt = midway.findIndex((g) => g.logitLens);
    expect(midway[midwayAt].cached.steps).toHaveLength(2);
    expectSameLens(midway[midwayAt].logitLens!, inline.extras!.logitLens);
    // The answer is the same whenever the lens came.
    expect(midway.at(-1)!.cached.steps.map((s) => s.id)).toEqual(later.at(-1)!.cached.steps.map((s) => s.id));
  });
});

function expectSameLens(rows: LogitLensRow[], expected: LogitLensRow[]): void {
  expect(rows.map((row) => [row.label, row.top.map((c) => c.id)])).toEqual(expected.map((row) => [row.label, row.top.map((c) => c.id)]));
  rows.forEach((row, stage) => row.top.forEach((c, rank) => expect(Math.abs(c.prob - expected[stage].top[rank].prob)).toBeLessThanOrEqual(1e-5)));
}
