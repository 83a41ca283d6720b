// The deck's own engine (the one `npm run trace` and the worker use) on converted Qwen2 and Mistral folders:
// config.json read as the Llama graph under its own model_type, every trace output present, the parameter count
// the converter's describeCheckpoint gives, the logit lens ending on the model's answer, and the same tokens
// generated with and without the key/value cache.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelInNode } from '../../src/cli/model-folder';
import { convertModel, describeCheckpoint } from '../../src/convert/index';
import { generate } from '../../src/engine/generate';
import type { LoadedModel } from '../../src/engine/load-model';
import { runTrace, tokenize } from '../../src/engine/run-trace';
import type { Trace } from '../../src/trace';
import { END_OF_TEXT, writeModelFolder } from '../fixtures/model-folder';
import { makeRandomLlamaCheckpoint, type LlamaCheckpointOptions } from './random-checkpoint';

const shared = { vocab_size: 8192, hidden_size: 32, intermediate_size: 64, num_attention_heads: 4, max_position_embeddings: 256 };
const families: { family: string; options: LlamaCheckpointOptions }[] = [
  { family: 'qwen2', options: { ...shared, model_type: 'qwen2', seed: 51, num_key_value_heads: 2, rope_theta: 1e6 } },
  { family: 'mistral', options: { ...shared, model_type: 'mistral', seed: 52, num_key_value_heads: 1, head_dim: 16, sliding_window: 256 } },
];
const prompt = 'The state of the union is strong';

describe.each(families)('the engine on a converted $family folder', ({ family, options }) => {
  const { config, bytes } = makeRandomLlamaCheckpoint(options);
  const folderConfig = { ...config, bos_token_id: END_OF_TEXT, eos_token_id: END_OF_TEXT };
  const modelsRoot = mkdtempSync(join(tmpdir(), `${family}-engine-`));
  let loaded: LoadedModel;
  let trace: Trace;

  beforeAll(async () => {
    const folder = writeModelFolder(modelsRoot, `tiny-${family}`, { config: folderConfig, onnx: convertModel({ config: folderConfig, weights: bytes }), withTokenizer: true });
    loaded = await loadModelInNode(folder);
    trace = await runTrace(loaded, prompt);
  }, 120_000);

  afterAll(async () => {
    await loaded?.model.dispose();
    rmSync(modelsRoot, { recursive: true, force: true });
  });

  it('reads it as the Llama graph under its own model_type, with the parameter count describeCheckpoint gives', () => {
    expect(loaded.info.modelType).toBe(family);
    expect(loaded.info.architecture).toMatchObject({ family: 'llama', norm: 'rmsnorm', positions: 'rope', feedForward: 'swiglu', kvHeads: config.num_key_value_heads });
    expect(loaded.info.parameterCount).toBe(describeCheckpoint(config).parameterCount);
  });

  it('has every trace output, and a logit lens whose last row is the model\'s own answer', () => {
    expect(loaded.missingOutputs).toEqual([]);
    expect(trace.missing).toEqual([]);
    trace.extras!.logitLens.at(-1)!.top.forEach((candidate, rank) => {
      expect(candidate.id).toBe(trace.topk[rank].id);
      expect(candidate.prob).toBeCloseTo(trace.topk[rank].prob, 5);
    });
  });

  it('generates the same tokens with the key/value cache as without it', async () => {
    const ids = tokenize(loaded, prompt);
    const cached = await generate(loaded, ids, { maxNewTokens: 8, stopAtEndOfText: false });
    const uncached = await generate(loaded, ids, { maxNewTokens: 8, stopAtEndOfText: false, useCache: false });
    expect(cached.map((step) => step.id)).toEqual(uncached.map((step) => step.id));
    expect(new Set(cached.map((step) => step.id)).size).toBeGreaterThan(1);
  });
});
