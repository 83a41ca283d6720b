// Generation with the KV cache must give exactly what recomputing everything gives.
import { beforeAll, describe, expect, it } from 'vitest';
import { forward } from '../../src/engine/forward';
import { generate } from '../../src/engine/generate';
import type { LoadedModel } from '../../src/engine/load-model';
import { loadModelInNode } from '../../src/cli/model-folder';
import { tokenize } from '../../src/engine/run-trace';
import { hasTraceSwitch } from '../../src/engine/trace-switch';
import { isStepOutput, stepTopOutputs } from '../../src/trace/output-names';

let loaded: LoadedModel;
beforeAll(async () => {
  loaded = await loadModelInNode('sotu-gpt');
});

describe('generate', () => {
  it('gives the same greedy tokens with and without the KV cache', async () => {
    const ids = tokenize(loaded, 'The Congress should');
    const cached = await generate(loaded, ids, { maxNewTokens: 12, useCache: true, stopAtEndOfText: false });
    const recomputed = await generate(loaded, ids, { maxNewTokens: 12, useCache: false, stopAtEndOfText: false });
    expect(cached.map((s) => s.id)).toEqual(recomputed.map((s) => s.id));
    cached.forEach((s, i) => expect(s.prob).toBeCloseTo(recomputed[i].prob, 4));
    expect(cached[0].top5[0].id).toBe(cached[0].id); // greedy takes the likeliest
  });

  it('asks the session for the logits, the cache and its top 5 only, the trace switch off, and generates the same tokens as the loop that read every output', async () => {
    expect(hasTraceSwitch(loaded)).toBe(true); // the embedded model is converted with it
    const ids = tokenize(loaded, 'The Congress should');
    for (const useCache of [true, false]) {
      const lean = await generate(loaded, ids, { maxNewTokens: 10, useCache, stopAtEndOfText: false });
      const everyOutput = await generate(loaded, ids, { maxNewTokens: 10, useCache, stopAtEndOfText: false, allOutputs: true });
      expect(lean.map((s) => s.id)).toEqual(everyOutput.map((s) => s.id));
      lean.forEach((s, i) => {
        expect(s.prob).toBe(everyOutput[i].prob);
        expect(s.top5).toEqual(everyOutput[i].top5);
      });
    }
    const outputs = await forward(loaded, ids, 0, null);
    const stepTop = Object.values(stepTopOutputs) as string[];
    expect(Object.keys(outputs).sort()).toEqual([...Object.keys(await forward(loaded, ids, 0, null, { allOutputs: true })).filter(isStepOutput), ...stepTop].sort());
    expect(outputs[stepTopOutputs.ids].dims).toEqual([1, 1, 5]); // the embedded model gives a step's top 5
    expect(Object.keys(outputs).some((name) => name.startsWith('trace.'))).toBe(false);
  });

  it('repeats a seeded sampled continuation', async () => {
    const ids = tokenize(loaded, 'Our economy');
    const settings = { maxNewTokens: 8, sampling: { temperature: 0.9, topK: 40, topP: 0.95 }, seed: 3 };
    const first = await generate(loaded, ids, settings);
    const second = await generate(loaded, ids, settings);
    expect(first.map((s) => s.id)).toEqual(second.map((s) => s.id));
  });

  it('stops at the context window', async () => {
    const ids = tokenize(loaded, 'word '.repeat(300)).slice(-250);
    const steps = await generate(loaded, ids, { maxNewTokens: 20, stopAtEndOfText: false });
    expect(steps).toHaveLength(6);
  });
});
