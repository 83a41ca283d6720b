// The engine on awkward prompts, in Node, on the embedded model.
import { beforeAll, describe, expect, it } from 'vitest';
import { allTraceOutputs, layerOutput } from '../../src/trace/output-names';
import type { LoadedModel } from '../../src/engine/load-model';
import { loadModelInNode } from '../../src/cli/model-folder';
import { PromptError, runTrace } from '../../src/engine/run-trace';
import { traceFromJson, traceToJson } from '../../src/trace';
import { ADVERSARIAL_TEXTS } from '../tokenize/adversarial-texts';

let loaded: LoadedModel;
beforeAll(async () => {
  loaded = await loadModelInNode('sotu-gpt');
});

describe('runTrace', () => {
  it('exposes every intermediate the deck knows of, with the documented shapes', async () => {
    const trace = await runTrace(loaded, 'The state of the Union');
    const n = trace.tokens.length;
    const { nHead, headDim, nEmbd, mlpWidth } = trace.model;
    expect(trace.missing).toEqual([]);
    expect(Object.keys(trace.tensors).sort()).toEqual(allTraceOutputs(trace.model.nLayer).sort());
    expect(trace.tensors['trace.embed.tokens'].shape).toEqual([n, nEmbd]);
    expect(trace.tensors[layerOutput(1, 'attn.q')].shape).toEqual([nHead, n, headDim]);
    expect(trace.tensors[layerOutput(1, 'attn.probs')].shape).toEqual([nHead, n, n]);
    expect(trace.tensors[layerOutput(3, 'mlp.act')].shape).toEqual([n, mlpWidth]);
    expect(trace.nextTokenLogProbs).toHaveLength(n - 1);
    expect(trace.lastLogits).toHaveLength(trace.model.vocabSize);
  });

  for (const [name, prompt] of Object.entries(ADVERSARIAL_TEXTS)) {
    it(`takes ${name} text and its tokens spell the prompt`, async () => {
      const trace = await runTrace(loaded, prompt);
      const kept = trace.droppedTokens === 0;
      if (kept) expect(trace.tokens.flatMap((t) => t.bytes)).toEqual([...new TextEncoder().encode(prompt)]);
      expect(trace.topk[0].prob).toBeGreaterThan(0);
    });
  }

  it('keeps the last tokens of a prompt past the context window and says how many it dropped', async () => {
    const prompt = 'one two three four five six seven eight nine ten '.repeat(40);
    const all = loaded.tokenizer.encode(prompt, { add_special_tokens: false });
    const trace = await runTrace(loaded, prompt);
    expect(trace.tokens).toHaveLength(trace.model.contextLength);
    expect(trace.droppedTokens).toBe(all.length - trace.model.contextLength);
    expect(trace.tokens.map((t) => t.id)).toEqual(all.slice(trace.droppedTokens));
  });

  it('refuses an empty prompt with a message for the presenter', async () => {
    await expect(runTrace(loaded, '')).rejects.toBeInstanceOf(PromptError);
  });

  it('survives a JSON round trip unchanged', async () => {
    const trace = await runTrace(loaded, 'Hi');
    const json = traceToJson(trace);
    const back = traceFromJson(json);
    expect(traceToJson(back)).toBe(json);
    expect(back.tokens).toEqual(trace.tokens);
    for (const [name, tensor] of Object.entries(trace.tensors)) {
      expect(back.tensors[name].shape).toEqual(tensor.shape);
      // == rather than toEqual: JSON writes -0 as 0, which is the same number.
      expect(back.tensors[name].data.every((v, i) => v == tensor.data[i])).toBe(true);
    }
  });
});
