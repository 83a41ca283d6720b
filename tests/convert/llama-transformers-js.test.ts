// transformers.js v4 loads a converted Llama folder (config.json, generation_config.json, tokenizer files,
// onnx/model.onnx), runs it, and generates with the KV cache: the folder the deck and `npm run convert` produce.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, env, Tensor, type PreTrainedModel } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertLlama } from '../../src/convert/index';
import { allTraceOutputs } from '../../src/trace/output-names';
import { compareTensor } from './compare';
import { createSession, greedyGenerate, LEFT_PADDED_PROMPT } from './onnx-session';
import { perLayer, traceOff, traceOn } from './trace-switch-feeds';
import { makeRandomLlamaCheckpoint } from './random-checkpoint';
import { positionIdsFromMask } from './reference-gpt2';
import { referenceLlamaForward } from './reference-llama';
import { END_OF_TEXT, writeModelFolder } from '../fixtures/model-folder';

// The deck's own tokenizer (8192 tokens, written by writeModelFolder), so the vocabulary matches and a text prompt can be encoded.
const EOS = END_OF_TEXT;

// GQA and an untied head (tied random models tend to repeat one token, which would make generation checks vacuous).
const { config, parameters, bytes } = makeRandomLlamaCheckpoint({
  seed: 3,
  vocab_size: 8192,
  hidden_size: 32,
  intermediate_size: 64,
  num_attention_heads: 4,
  num_key_value_heads: 2,
});
const folderConfig = { ...config, bos_token_id: EOS, eos_token_id: EOS };
const onnxBytes = convertLlama({ config: folderConfig, weights: bytes });
const modelsRoot = mkdtempSync(join(tmpdir(), 'convert-llama-transformers-js-'));
let model: PreTrainedModel;

const int64Tensor = (rows: number[][]) =>
  new Tensor('int64', BigInt64Array.from(rows.flat(), (value) => BigInt(value)), [rows.length, rows[0].length]);
const asOrt = (tensor: Tensor) => new ort.Tensor('float32', tensor.data as Float32Array, tensor.dims);
const tokenRows = (generated: Tensor) => (generated.tolist() as bigint[][]).map((row) => row.map(Number));

beforeAll(async () => {
  writeModelFolder(modelsRoot, 'tiny-llama', { config: folderConfig, onnx: onnxBytes, withTokenizer: true });

  env.allowRemoteModels = false;
  env.localModelPath = modelsRoot;
  model = await AutoModelForCausalLM.from_pretrained('tiny-llama', { local_files_only: true, dtype: 'fp32', device: 'cpu' });
});

afterAll(async () => {
  await model?.dispose();
  rmSync(modelsRoot, { recursive: true, force: true });
});

describe('transformers.js with a converted Llama', () => {
  it('loads it as LlamaForCausalLM and returns logits and every trace output, matching the reference', async () => {
    expect(model.constructor.name).toBe('LlamaForCausalLM');
    const inputIds = [
      [5, 12, 33, 9, 41],
      [0, 0, 21, 4, 17],
    ];
    const attentionMask = [
      [1, 1, 1, 1, 1],
      [0, 0, 1, 1, 1],
    ];
    // transformers.js makes position_ids from the attention mask itself; the reference gets the same ones.
    const outputs = perLayer(await model({ ...traceOn(model), input_ids: int64Tensor(inputIds), attention_mask: int64Tensor(attentionMask) }), config.num_hidden_layers as number) as Record<string, Tensor>;
    const reference = referenceLlamaForward(config, parameters, { inputIds, attentionMask, positionIds: positionIdsFromMask(attentionMask) });

    const problems = [compareTensor('logits', asOrt(outputs.logits), reference.logits)];
    for (const name of allTraceOutputs(config.num_hidden_layers as number, { learnedPositions: false })) {
      problems.push(outputs[name] ? compareTensor(name, asOrt(outputs[name]), reference.trace.get(name)!) : `${name}: missing`);
    }
    expect(problems.filter(Boolean)).toEqual([]);
    expect(outputs['present.0.key'].dims).toEqual([2, 2, 5, 8]); // the cache keeps the 2 key/value heads
  });

  it('generates greedily with the cache, the same tokens as a greedy loop without one', async () => {
    const prompt = [[5, 12, 33, 9]];
    const generated = await model.generate({ ...traceOff(model), input_ids: int64Tensor(prompt), max_new_tokens: 8, do_sample: false });
    const session = await createSession(onnxBytes);
    const expected = await greedyGenerate(session, config, { inputIds: prompt, attentionMask: [[1, 1, 1, 1]] }, 8, false);
    expect(tokenRows(generated as Tensor)).toEqual(expected);
    expect(new Set(expected[0].slice(4)).size).toBeGreaterThan(2);
  });

  it('generates a left-padded batch the same way (position_ids and mask grown by transformers.js)', async () => {
    const prompt = LEFT_PADDED_PROMPT;
    const generated = await model.generate({
      ...traceOff(model),
      input_ids: int64Tensor(prompt.inputIds),
      attention_mask: int64Tensor(prompt.attentionMask),
      max_new_tokens: 6,
      do_sample: false,
    });
    const session = await createSession(onnxBytes);
    expect(tokenRows(generated as Tensor)).toEqual(await greedyGenerate(session, config, prompt, 6, false));
  });

  it('runs from a text prompt with the folder tokenizer', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained('tiny-llama', { local_files_only: true });
    const encoded = tokenizer('The Congress should');
    const ids = tokenRows(encoded.input_ids as Tensor);
    const generated = await model.generate({ ...traceOff(model), ...encoded, max_new_tokens: 5, do_sample: false });
    const session = await createSession(onnxBytes);
    const expected = await greedyGenerate(session, config, { inputIds: ids, attentionMask: [ids[0].map(() => 1)] }, 5, false);
    // generate stops early only at the EOS token; compare what it produced.
    const tokens = tokenRows(generated as Tensor);
    expect(tokens[0]).toEqual(expected[0].slice(0, tokens[0].length));
    expect(typeof tokenizer.decode(tokens[0], { skip_special_tokens: true })).toBe('string');
  });
});
