// The answer going on from the Trace's own pass (its cache and last logits) rather than reading the prompt again:
// the same tokens, probabilities and cache as the loop that reads the prompt itself, greedy and sampled, on a GPT-2
// and a Llama-family model; one call fewer; and the first step says where its token came from.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelInNode } from '../../src/cli/model-folder';
import { generateRun, type PromptPass } from '../../src/engine/generate';
import type { KvCache } from '../../src/engine/kv-cache';
import type { LoadedModel } from '../../src/engine/load-model';
import { runTrace } from '../../src/engine/run-trace';
import { writeTinyChatFolder } from '../fixtures/tiny-chat';

const modelsRoot = mkdtempSync(join(tmpdir(), 'prompt-pass-'));
const models: Record<string, LoadedModel> = {};
beforeAll(async () => {
  models.gpt2 = await loadModelInNode('sotu-gpt');
  models.llama = await loadModelInNode(writeTinyChatFolder(modelsRoot));
}, 120_000);
afterAll(async () => {
  for (const loaded of Object.values(models)) await loaded.model.dispose();
  rmSync(modelsRoot, { recursive: true, force: true });
});

/** The Trace's pass, as the deck's worker keeps it. */
async function tracedPass(loaded: LoadedModel, prompt: string): Promise<{ ids: number[]; pass: PromptPass }> {
  let cache: KvCache | null = null;
  const trace = await runTrace(loaded, prompt, { deferLens: true, onCache: (kept) => (cache = kept) });
  const ids = trace.tokens.map((t) => t.id);
  expect(cache!.ids).toEqual(ids);
  return { ids, pass: { cache: cache!, lastLogits: trace.lastLogits, ms: trace.timings.forwardMs } };
}

/** Counts the session's runs until stop(). */
function countRuns(loaded: LoadedModel): { stop(): number } {
  const session = (loaded.model.sessions as Record<string, { run: (...args: unknown[]) => Promise<unknown> }>).model;
  const run = session.run;
  let runs = 0;
  session.run = (...args) => {
    runs++;
    return run.apply(session, args);
  };
  return {
    stop() {
      session.run = run;
      return runs;
    },
  };
}

describe("the answer from the Trace's pass", () => {
  for (const family of ['gpt2', 'llama'] as const) {
    it(`gives what reading the prompt again gives, one call fewer (${family})`, async () => {
      const loaded = models[family];
      for (const sampling of [undefined, { temperature: 0.9, topK: 40, topP: 0.95 }]) {
        const { ids, pass } = await tracedPass(loaded, 'The state of the union is');
        const options = { maxNewTokens: 6, stopAtEndOfText: false, keepCache: true, sampling, seed: 7 };
        const counted = countRuns(loaded);
        const fromPass = await generateRun(loaded, ids, { ...options, promptPass: pass });
        expect(counted.stop()).toBe(5); // the first token needed no call
        const reading = await generateRun(loaded, ids, options);
        expect(fromPass.steps.map((s) => s.id)).toEqual(reading.steps.map((s) => s.id));
        fromPass.steps.forEach((step, i) => {
          expect(Math.abs(step.prob - reading.steps[i].prob)).toBeLessThan(1e-5);
          expect(step.top5.map((c) => c.id)).toEqual(reading.steps[i].top5.map((c) => c.id));
        });
        expect(fromPass.steps[0]).toMatchObject({ fromPromptPass: true, ms: pass.ms });
        expect(fromPass.steps.slice(1).some((s) => s.fromPromptPass)).toBe(false);
        expect(reading.steps[0].fromPromptPass).toBeUndefined();
        // The cache it leaves for the next turn is the same.
        expect(fromPass.cache!.ids).toEqual(reading.cache!.ids);
        for (const [name, tensor] of Object.entries(reading.cache!.past)) {
          const other = fromPass.cache!.past[name].data as Float32Array;
          expect(other.length).toBe(tensor.data.length);
          expect(Math.max(...(tensor.data as Float32Array).map((v, i) => Math.abs(v - other[i])))).toBeLessThan(1e-4);
        }
      }
    });
  }

  it('is refused when it does not hold the whole prompt, or comes with a start cache', async () => {
    const loaded = models.gpt2;
    const { ids, pass } = await tracedPass(loaded, 'The state of the union is');
    await expect(generateRun(loaded, [...ids, 11], { maxNewTokens: 2, promptPass: pass })).rejects.toThrow("the prompt's pass must hold the whole prompt");
    await expect(generateRun(loaded, ids, { maxNewTokens: 2, promptPass: pass, startCache: { ids: ids.slice(0, 2), past: pass.cache.past } })).rejects.toThrow('instead of a start cache');
    // Without the cache (the KV-cache slide's comparison) the pass is not used: every step reads the sequence.
    const counted = countRuns(loaded);
    await generateRun(loaded, ids, { maxNewTokens: 3, useCache: false, stopAtEndOfText: false, promptPass: pass });
    expect(counted.stop()).toBe(3);
  });
});
