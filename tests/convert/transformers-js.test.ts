// transformers.js v4 loads the converted model from a folder, runs it, and generates with the KV cache.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoModelForCausalLM, env, Tensor, type PreTrainedModel } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertGpt2 } from '../../src/convert/index';
import { allTraceOutputs } from '../../src/trace/output-names';
import { compareTensor } from './compare';
import { createSession, greedyGenerate, LEFT_PADDED_PROMPT } from './onnx-session';
import { perLayer, traceOff, traceOn } from './trace-switch-feeds';
import { makeRandomGpt2Checkpoint } from './random-checkpoint';
import { positionIdsFromMask, referenceGpt2Forward } from './reference-gpt2';
import { writeModelFolder } from '../fixtures/model-folder';

const { config, parameters, bytes } = makeRandomGpt2Checkpoint({ seed: 3, untied: true });
const onnxBytes = convertGpt2({ config, weights: bytes });
const modelsRoot = mkdtempSync(join(tmpdir(), 'convert-transformers-js-'));
let model: PreTrainedModel;

const int64Tensor = (rows: number[][]) =>
  new Tensor('int64', BigInt64Array.from(rows.flat(), (value) => BigInt(value)), [rows.length, rows[0].length]);

// transformers.js output tensors carry the same dims/data as ORT tensors; wrap to reuse compareTensor.
const asOrt = (tensor: Tensor) => new ort.Tensor('float32', tensor.data as Float32Array, tensor.dims);

beforeAll(async () => {
  // The whole model folder transformers.js needs: config.json (model_type gpt2) and onnx/model.onnx.
  writeModelFolder(modelsRoot, 'tiny-gpt2', { config, onnx: onnxBytes });

  env.allowRemoteModels = false;
  env.localModelPath = modelsRoot;
  model = await AutoModelForCausalLM.from_pretrained('tiny-gpt2', { local_files_only: true, dtype: 'fp32', device: 'cpu' });
});

afterAll(async () => {
  await model?.dispose();
  rmSync(modelsRoot, { recursive: true, force: true });
});

describe('transformers.js', () => {
  it('loads the model as GPT-2 and returns logits and every trace output, matching the reference', async () => {
    expect(model.constructor.name).toBe('GPT2LMHeadModel');
    const inputIds = [
      [5, 12, 33, 9, 41],
      [0, 0, 21, 4, 17],
    ];
    const attentionMask = [
      [1, 1, 1, 1, 1],
      [0, 0, 1, 1, 1],
    ];
    // transformers.js makes position_ids from the attention mask itself; the reference gets the same ones.
    const outputs = perLayer(await model({ ...traceOn(model), input_ids: int64Tensor(inputIds), attention_mask: int64Tensor(attentionMask) }), config.n_layer as number) as Record<
      string,
      Tensor
    >;
    const reference = referenceGpt2Forward(config, parameters, {
      inputIds,
      attentionMask,
      positionIds: positionIdsFromMask(attentionMask),
    });

    const problems = [compareTensor('logits', asOrt(outputs.logits), reference.logits)];
    for (const name of allTraceOutputs(config.n_layer as number)) {
      problems.push(outputs[name] ? compareTensor(name, asOrt(outputs[name]), reference.trace.get(name)!) : `${name}: missing`);
    }
    expect(problems.filter(Boolean)).toEqual([]);
  });

  it('generates greedily with the cache, the same tokens as a plain greedy loop', async () => {
    const prompt = [[5, 12, 33, 9]];
    const generated = (await model.generate({ ...traceOff(model), input_ids: int64Tensor(prompt), max_new_tokens: 5, do_sample: false })) as Tensor;
    const tokens = (generated.tolist() as bigint[][]).map((row) => row.map(Number));

    const session = await createSession(onnxBytes);
    const expected = await greedyGenerate(session, config, { inputIds: prompt, attentionMask: [[1, 1, 1, 1]] }, 5, false);
    expect(tokens).toEqual(expected);
  });

  it('generates a left-padded batch the same way (position_ids and mask grown by transformers.js)', async () => {
    const prompt = LEFT_PADDED_PROMPT;
    const generated = (await model.generate({
      ...traceOff(model),
      input_ids: int64Tensor(prompt.inputIds),
      attention_mask: int64Tensor(prompt.attentionMask),
      max_new_tokens: 5,
      do_sample: false,
    })) as Tensor;
    const tokens = (generated.tolist() as bigint[][]).map((row) => row.map(Number));
    const session = await createSession(onnxBytes);
    expect(tokens).toEqual(await greedyGenerate(session, config, prompt, 5, false));
  });
});
