// transformers.js v4 loads converted Qwen2 and Mistral folders by their model_type (Qwen2ForCausalLM,
// MistralForCausalLM: the same past_key_values.N.key/value inputs as Llama), matches the float64 reference, and
// generates greedily with its KV cache the same tokens as a loop that recomputes everything each step.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoModelForCausalLM, env, Tensor, type PreTrainedModel } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertModel } from '../../src/convert/index';
import { allTraceOutputs } from '../../src/trace/output-names';
import { compareTensor } from './compare';
import { createSession, greedyGenerate, LEFT_PADDED_PROMPT } from './onnx-session';
import { perLayer, traceOff, traceOn } from './trace-switch-feeds';
import { makeRandomLlamaCheckpoint, type LlamaCheckpointOptions } from './random-checkpoint';
import { positionIdsFromMask } from './reference-gpt2';
import { referenceLlamaForward } from './reference-llama';
import { END_OF_TEXT, writeModelFolder } from '../fixtures/model-folder';

const int64Tensor = (rows: number[][]) =>
  new Tensor('int64', BigInt64Array.from(rows.flat(), (value) => BigInt(value)), [rows.length, rows[0].length]);
const asOrt = (tensor: Tensor) => new ort.Tensor('float32', tensor.data as Float32Array, tensor.dims);
const tokenRows = (generated: Tensor) => (generated.tolist() as bigint[][]).map((row) => row.map(Number));

// The deck's tokenizer vocabulary (8192) so the folder is complete; untied heads (tied random models tend to repeat one token).
const families: { family: string; className: string; options: LlamaCheckpointOptions; cacheDims: number[] }[] = [
  {
    family: 'qwen2',
    className: 'Qwen2ForCausalLM',
    options: { model_type: 'qwen2', seed: 5, vocab_size: 8192, hidden_size: 32, intermediate_size: 64, num_attention_heads: 4, num_key_value_heads: 2, rope_theta: 1e6 },
    cacheDims: [2, 2, 5, 8],
  },
  {
    family: 'mistral',
    className: 'MistralForCausalLM',
    // head_dim 16, not 32 / 4: transformers.js sizes the empty cache from the graph's inputs.
    options: { model_type: 'mistral', seed: 6, vocab_size: 8192, hidden_size: 32, intermediate_size: 64, num_attention_heads: 4, num_key_value_heads: 1, head_dim: 16, sliding_window: null },
    cacheDims: [2, 1, 5, 16],
  },
];

describe.each(families)('transformers.js with a converted $family', ({ family, className, options, cacheDims }) => {
  const { config, parameters, bytes } = makeRandomLlamaCheckpoint(options);
  const folderConfig = { ...config, bos_token_id: END_OF_TEXT, eos_token_id: END_OF_TEXT };
  const onnxBytes = convertModel({ config: folderConfig, weights: bytes });
  const modelsRoot = mkdtempSync(join(tmpdir(), `convert-${family}-transformers-js-`));
  let model: PreTrainedModel;
  let session: ort.InferenceSession;

  beforeAll(async () => {
    writeModelFolder(modelsRoot, `tiny-${family}`, { config: folderConfig, onnx: onnxBytes, withTokenizer: true });
    env.allowRemoteModels = false;
    env.localModelPath = modelsRoot;
    model = await AutoModelForCausalLM.from_pretrained(`tiny-${family}`, { local_files_only: true, dtype: 'fp32', device: 'cpu' });
    session = await createSession(onnxBytes);
  });

  afterAll(async () => {
    await model?.dispose();
    rmSync(modelsRoot, { recursive: true, force: true });
  });

  it(`loads it as ${className} and returns logits and every trace output, matching the reference`, async () => {
    expect(model.constructor.name).toBe(className);
    const inputIds = [
      [5, 12, 33, 9, 41],
      [0, 0, 21, 4, 17],
    ];
    const attentionMask = [
      [1, 1, 1, 1, 1],
      [0, 0, 1, 1, 1],
    ];
    const outputs = perLayer(await model({ ...traceOn(model), input_ids: int64Tensor(inputIds), attention_mask: int64Tensor(attentionMask) }), config.num_hidden_layers as number) as Record<string, Tensor>;
    const reference = referenceLlamaForward(config, parameters, { inputIds, attentionMask, positionIds: positionIdsFromMask(attentionMask) });
    const problems = [compareTensor('logits', asOrt(outputs.logits), reference.logits)];
    for (const name of allTraceOutputs(config.num_hidden_layers as number, { learnedPositions: false })) {
      problems.push(outputs[name] ? compareTensor(name, asOrt(outputs[name]), reference.trace.get(name)!) : `${name}: missing`);
    }
    expect(problems.filter(Boolean)).toEqual([]);
    expect(outputs['present.0.key'].dims).toEqual(cacheDims);
  });

  it('generates greedily with the cache the same tokens as a loop without one, and the ORT loop agrees cached and not', async () => {
    const prompt = [[5, 12, 33, 9]];
    const generated = await model.generate({ ...traceOff(model), input_ids: int64Tensor(prompt), max_new_tokens: 10, do_sample: false });
    const feed = { inputIds: prompt, attentionMask: [[1, 1, 1, 1]] };
    const recomputed = await greedyGenerate(session, config, feed, 10, false);
    expect(tokenRows(generated as Tensor)).toEqual(recomputed);
    expect(await greedyGenerate(session, config, feed, 10, true)).toEqual(recomputed);
    // Not a model that repeats one token, which would make the comparison vacuous.
    expect(new Set(recomputed[0].slice(4)).size).toBeGreaterThan(2);
  });

  it('generates a left-padded batch the same way (position_ids and mask grown by transformers.js)', async () => {
    const generated = await model.generate({
      ...traceOff(model),
      input_ids: int64Tensor(LEFT_PADDED_PROMPT.inputIds),
      attention_mask: int64Tensor(LEFT_PADDED_PROMPT.attentionMask),
      max_new_tokens: 6,
      do_sample: false,
    });
    const cached = await greedyGenerate(session, config, LEFT_PADDED_PROMPT, 6, true);
    expect(tokenRows(generated as Tensor)).toEqual(await greedyGenerate(session, config, LEFT_PADDED_PROMPT, 6, false));
    expect(tokenRows(generated as Tensor)).toEqual(cached);
  });
});
