// A generation step's choice from the graph's step summary (step.top.*) against the JavaScript softmax over the
// logits it replaces: the same token, greedy and sampled, the same top 5, probabilities within 1e-6.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '@huggingface/transformers';
import { loadModelInNode } from '../../src/cli/model-folder';
import { convertModel } from '../../src/convert/index';
import { forward, lastPositionLogits } from '../../src/engine/forward';
import type { LoadedModel } from '../../src/engine/load-model';
import { chooseStepToken } from '../../src/engine/step-choice';
import { GREEDY } from '../../src/maths/sampling';
import { stepTopOutputs } from '../../src/trace/output-names';
import { END_OF_TEXT, writeModelFolder } from '../fixtures/model-folder';
import { makeRandomLlamaCheckpoint } from '../convert/random-checkpoint';

const modelsRoot = mkdtempSync(join(tmpdir(), 'step-choice-'));
let loaded: LoadedModel;

beforeAll(async () => {
  const checkpoint = makeRandomLlamaCheckpoint({ seed: 91, vocab_size: 8192, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, tied: true });
  const config = { ...checkpoint.config, bos_token_id: END_OF_TEXT, eos_token_id: END_OF_TEXT };
  loaded = await loadModelInNode(writeModelFolder(modelsRoot, 'llama', { config, onnx: convertModel({ config, weights: checkpoint.bytes }), withTokenizer: true }));
}, 60_000);
afterAll(async () => {
  await loaded?.model.dispose();
  rmSync(modelsRoot, { recursive: true, force: true });
});

const withoutGraphTop = (outputs: Record<string, Tensor>) => Object.fromEntries(Object.entries(outputs).filter(([name]) => !(Object.values(stepTopOutputs) as string[]).includes(name)));

describe('chooseStepToken', () => {
  it('gives the JavaScript softmax\'s choice, top 5 and probabilities from the graph\'s summary', async () => {
    const outputs = await forward(loaded, [5, 300, 41, 7000, 12], 0, null);
    expect(outputs[stepTopOutputs.ids].dims).toEqual([1, 1, 5]);
    const logits = () => lastPositionLogits(outputs);
    const sampled = { temperature: 1.3, topK: 40, topP: 0.9 };
    for (const [sampling, uniform] of [[GREEDY, 0.5], [sampled, 0.02], [sampled, 0.61], [sampled, 0.97]] as const) {
      const graph = chooseStepToken(outputs, logits, sampling, uniform);
      const javascript = chooseStepToken(withoutGraphTop(outputs), logits, sampling, uniform);
      expect(graph.id).toBe(javascript.id);
      expect(graph.top.map((c) => c.id)).toEqual(javascript.top.map((c) => c.id));
      expect(Math.abs(graph.prob - javascript.prob)).toBeLessThanOrEqual(1e-6);
      graph.top.forEach((c, rank) => expect(Math.abs(c.prob - javascript.top[rank].prob)).toBeLessThanOrEqual(1e-6));
    }
  });

  it('reads no logits for a greedy step when the graph gives its summary', async () => {
    const outputs = await forward(loaded, [5, 300, 41], 0, null);
    const choice = chooseStepToken(outputs, () => {
      throw new Error('the logits were read');
    }, GREEDY, 0.5);
    expect(choice.id).toBe(choice.top[0].id);
  });
});
