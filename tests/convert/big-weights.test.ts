// Big and fast weights, on tiny checkpoints: tensors read one at a time (from memory, from files at their
// offsets, from shards), ONNX external data (its threshold lowered to 1 KB), and the fp16 model, each loaded
// by transformers.js in Node and compared with the plain float32 single-file model.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoModelForCausalLM, env, Tensor, type PreTrainedModel } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertCheckpointFolder } from '../../src/cli/convert-folder';
import { safetensorsFileSource } from '../../src/cli/file-tensor-source';
import { readSafetensors, shardedSource, safetensorsSource, writeSafetensors, type TensorToWrite } from '../../src/convert/index';
import { externalDataRange, readInitializers, readInitializersWithExternalData } from '../../src/convert/onnx-reader';
import { DataType, decodeModel } from '../../src/convert/onnx-proto';
import { loadModel } from '../../src/engine/load-model';
import { attributionOutputs, logitLensOutputs, stepTopOutputs } from '../../src/trace/output-names';
import { END_OF_TEXT } from '../fixtures/model-folder';
import { makeRandomLlamaCheckpoint } from './random-checkpoint';
import { traceOn } from './trace-switch-feeds';

const work = mkdtempSync(join(tmpdir(), 'big-weights-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// The deck's tokenizer (8,192 tokens) so the folders load in transformers.js and the engine as they are.
const { config, bytes } = makeRandomLlamaCheckpoint({
  seed: 11,
  vocab_size: 8192,
  hidden_size: 32,
  intermediate_size: 64,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  // float32 in the file: bfloat16 weights would be exact in float16, and the fp16 check would test nothing.
  dtype: 'F32',
});
const folderConfig = { ...config, bos_token_id: END_OF_TEXT, eos_token_id: END_OF_TEXT };
const stored = readSafetensors(bytes);

/** A checkpoint folder: config, tokenizer, and the weights as one file or as shards with their index. */
function checkpointFolder(name: string, shards: number): string {
  const folder = join(work, name);
  mkdirSync(folder);
  writeFileSync(join(folder, 'config.json'), JSON.stringify(folderConfig));
  for (const file of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(join('assets/models/sotu-gpt', file), join(folder, file));
  if (shards === 1) {
    writeFileSync(join(folder, 'model.safetensors'), bytes);
    return folder;
  }
  const names = [...stored.keys()];
  const weightMap: Record<string, string> = {};
  for (let shard = 0; shard < shards; shard++) {
    const file = `model-0000${shard + 1}-of-0000${shards}.safetensors`;
    const part = new Map<string, TensorToWrite>();
    // Interleaved, so each shard holds tensors from all over the model and the index decides the order.
    names.filter((_, i) => i % shards === shard).forEach((tensorName) => {
      part.set(tensorName, stored.get(tensorName)!);
      weightMap[tensorName] = file;
    });
    writeFileSync(join(folder, file), writeSafetensors(part));
  }
  writeFileSync(join(folder, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  return folder;
}

const modelsRoot = join(work, 'models');
const convert = (inDir: string, name: string, options: { dtype?: 'fp32' | 'fp16'; externalDataThreshold?: number } = {}) =>
  convertCheckpointFolder({ inDir, outDir: join(modelsRoot, name), ...options });

beforeAll(() => {
  mkdirSync(modelsRoot);
  convert(checkpointFolder('single', 1), 'single', { dtype: 'fp16' });
  convert(checkpointFolder('sharded', 3), 'sharded', { dtype: 'fp16' });
  convert(join(work, 'single'), 'external', { dtype: 'fp16', externalDataThreshold: 1024 });
});

describe('tensors read one at a time', () => {
  it('reads one tensor of a file by its offset, F16 and BF16 widened to float32, equal to the whole-file reader', () => {
    const tensors = {
      first: { dtype: 'F32' as const, shape: [3], data: new Float32Array([1.5, -2, 3.25]) },
      half: { dtype: 'F16' as const, shape: [2, 2], data: new Float32Array([0.5, -65504, 1 / 3, 6e-8]) },
      brain: { dtype: 'BF16' as const, shape: [3], data: new Float32Array([1, -3.140625, 1e30]) },
      odd: { dtype: 'F16' as const, shape: [1], data: new Float32Array([7]) }, // leaves the next offset odd-aligned
      last: { dtype: 'F32' as const, shape: [2], data: new Float32Array([-0.25, 42]) },
    };
    const file = join(work, 'mixed.safetensors');
    const fileBytes = writeSafetensors(tensors);
    writeFileSync(file, fileBytes);
    const whole = readSafetensors(fileBytes);
    const fromFile = safetensorsFileSource(file);
    const fromMemory = safetensorsSource(fileBytes);
    try {
      expect(fromFile.entries().map(({ name, dtype, shape }) => [name, dtype, shape])).toEqual(
        Object.entries(tensors).map(([name, { dtype, shape }]) => [name, dtype, shape]),
      );
      for (const name of ['last', 'brain', 'half', 'first']) {
        expect(fromFile.read(name)).toEqual(whole.get(name)!.data);
        expect(fromMemory.read(name)).toEqual(whole.get(name)!.data);
      }
      // Exact values: F16 and BF16 decode bit for bit (1/3 rounds to the nearest half, 1e30 to the nearest bfloat16).
      expect([...fromFile.read('half')]).toEqual([0.5, -65504, 0.333251953125, 5.960464477539063e-8]);
      expect([...fromFile.read('brain')]).toEqual([1, -3.140625, 1.0002555517425873e30]);
    } finally {
      fromFile.close();
    }
  });

  it('refuses a shard index that disagrees with its shards', () => {
    const shard = safetensorsSource(writeSafetensors({ a: { shape: [1], data: new Float32Array([1]) } }));
    const shards = new Map([['x.safetensors', shard]]);
    expect(() => shardedSource({ a: 'y.safetensors' }, shards)).toThrow('tensor a is in x.safetensors, but model.safetensors.index.json says y.safetensors');
    expect(() => shardedSource({ a: 'x.safetensors', b: 'x.safetensors' }, shards)).toThrow('puts b in x.safetensors, which does not hold it');
  });

  it('converts a sharded checkpoint to the same ONNX bytes as the single file, fp32 and fp16', () => {
    for (const file of ['model.onnx', 'model_fp16.onnx']) {
      const single = readFileSync(join(modelsRoot, 'single', 'onnx', file));
      const sharded = readFileSync(join(modelsRoot, 'sharded', 'onnx', file));
      expect(sharded.equals(single)).toBe(true);
    }
  });
});

describe('ONNX external data', () => {
  const onnxDir = join(modelsRoot, 'external', 'onnx');

  it('writes the weights to onnx/model.onnx_data at aligned offsets, small tensors inside, and tells transformers.js', () => {
    expect(readdirSync(onnxDir).sort()).toEqual(['model.onnx', 'model.onnx_data', 'model_fp16.onnx', 'model_fp16.onnx_data']);
    const model = decodeModel(readFileSync(join(onnxDir, 'model.onnx')));
    const dataSize = readFileSync(join(onnxDir, 'model.onnx_data')).byteLength;
    const external = model.graph.initializer.filter((tensor) => externalDataRange(tensor));
    expect(external.map((tensor) => tensor.name)).toContain('model.embed_tokens.weight');
    for (const tensor of model.graph.initializer) {
      const range = externalDataRange(tensor);
      if (!range) {
        expect(tensor.raw_data!.byteLength).toBeLessThan(1024);
        continue;
      }
      expect(range.location).toBe('model.onnx_data');
      expect(range.offset % 16).toBe(0);
      expect(range.offset + range.length).toBeLessThanOrEqual(dataSize);
    }
    const written = JSON.parse(readFileSync(join(modelsRoot, 'external', 'config.json'), 'utf8'));
    expect(written['transformers.js_config']).toEqual({ use_external_data_format: { 'model.onnx': 1, 'model_fp16.onnx': 1 } });
    expect(written.onnx_dtypes).toEqual(['fp32', 'fp16']);
    // Below the threshold: one file each, and no external-data setting.
    expect(JSON.parse(readFileSync(join(modelsRoot, 'single', 'config.json'), 'utf8'))['transformers.js_config']).toBeUndefined();
  });

  it('reads the wanted initializers by their byte ranges, equal to those of the single-file model', async () => {
    const wanted = (name: string) => name === 'model.embed_tokens.weight' || name === 'model.norm.weight';
    const inline = readInitializers(readFileSync(join(modelsRoot, 'single', 'onnx', 'model.onnx')), wanted);
    const ranges: number[][] = [];
    const external = await readInitializersWithExternalData(readFileSync(join(onnxDir, 'model.onnx')), wanted, async (location, offset, length) => {
      ranges.push([offset, length]);
      const fd = readFileSync(join(onnxDir, location));
      return fd.subarray(offset, offset + length);
    });
    expect(ranges).toHaveLength(1); // the embedding table; the norm's 128 bytes stay inside model.onnx
    expect(external).toEqual(inline);
    expect(() => readInitializers(readFileSync(join(onnxDir, 'model.onnx')), wanted)).toThrow(/external data file/);
  });
});

/** transformers.js's logits for a fixed batch, from a converted folder, in Node. */
async function logitsOf(name: string, dtype: 'fp32' | 'fp16'): Promise<{ data: Float32Array; dims: number[] }> {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = modelsRoot + '/';
  const model: PreTrainedModel = await AutoModelForCausalLM.from_pretrained(name, { local_files_only: true, dtype, device: 'cpu' });
  try {
    const ids = [
      [5, 812, 33, 9, 4100, 17],
      [8000, 2, 77, 301, 45, 6],
    ];
    const input_ids = new Tensor('int64', BigInt64Array.from(ids.flat(), BigInt), [2, 6]);
    const attention_mask = new Tensor('int64', new BigInt64Array(12).fill(1n), [2, 6]);
    const { logits } = (await model({ input_ids, attention_mask, ...traceOn(model) })) as { logits: Tensor };
    return { data: logits.data as Float32Array, dims: logits.dims };
  } finally {
    await model.dispose();
  }
}

function argmaxRows(data: Float32Array, vocab: number): number[] {
  const rows: number[] = [];
  for (let start = 0; start < data.length; start += vocab) {
    let best = start;
    for (let i = start; i < start + vocab; i++) if (data[i] > data[best]) best = i;
    rows.push(best - start);
  }
  return rows;
}

describe('in transformers.js (Node)', () => {
  it('loads the external-data model and gives the single-file logits exactly', async () => {
    const single = await logitsOf('single', 'fp32');
    const external = await logitsOf('external', 'fp32');
    expect(external.dims).toEqual([2, 6, 8192]);
    expect(external.data).toEqual(single.data);
  });

  it('runs model_fp16.onnx (float16 weights and MatMuls) within fp16 tolerance of fp32, with the same argmax', async () => {
    const fp16Graph = decodeModel(readFileSync(join(modelsRoot, 'single', 'onnx', 'model_fp16.onnx'))).graph;
    const typeOf = (name: string) => fp16Graph.initializer.find((tensor) => tensor.name === name)!.data_type;
    expect(typeOf('model.embed_tokens.weight')).toBe(DataType.FLOAT16);
    expect(typeOf('model.layers.0.mlp.down_proj.weight')).toBe(DataType.FLOAT16);
    expect(typeOf('model.layers.0.self_attn.o_proj.weight')).toBe(DataType.FLOAT16); // the attribution's MatMul reads it as its first input
    expect(typeOf('model.layers.0.input_layernorm.weight')).toBe(DataType.FLOAT); // norms stay float32
    // Every float output stays float32; the lens's and a step's top ids are int64 (tests/engine/graph-lens.test.ts).
    const integerOutputs: string[] = [logitLensOutputs.ids, attributionOutputs.readoutIds, stepTopOutputs.ids];
    const floatOutputs = fp16Graph.output.filter((output) => !integerOutputs.includes(output.name));
    expect(floatOutputs.every((output) => output.type.tensor_type.elem_type === DataType.FLOAT)).toBe(true);
    for (const name of integerOutputs) expect(fp16Graph.output.find((output) => output.name === name)!.type.tensor_type.elem_type).toBe(DataType.INT64);

    const fp32 = await logitsOf('single', 'fp32');
    const fp16 = await logitsOf('external', 'fp16'); // external data and fp16 together
    let scale = 0;
    let worst = 0;
    for (let i = 0; i < fp32.data.length; i++) {
      scale = Math.max(scale, Math.abs(fp32.data[i]));
      worst = Math.max(worst, Math.abs(fp16.data[i] - fp32.data[i]));
    }
    expect(worst).toBeGreaterThan(0); // the float16 weights really ran
    expect(worst / scale).toBeLessThan(1e-2);
    expect(argmaxRows(fp16.data, 8192)).toEqual(argmaxRows(fp32.data, 8192));
  });

  it('the engine runs fp16 when forced, says so, and reads the trace-extras.json the conversion wrote, whose values come from the external float32 data', async () => {
    const folder = join(modelsRoot, 'external');
    const loaded = await loadModel({ name: 'external', modelRoot: modelsRoot + '/', backend: 'node-cpu', precision: { forced: 'fp16', shaderF16: false }, readTextFile: (file) => readFile(join(folder, file), 'utf8').catch(() => null) });
    try {
      expect(loaded.info.precision).toBe('fp16');
      const excerpt = loaded.extrasFile!.weightExcerpt!;
      const exact = stored.get('model.layers.0.self_attn.q_proj.weight')!;
      expect(excerpt.shape).toEqual(exact.shape);
      excerpt.values.forEach((row, r) => row.forEach((value, c) => expect(value).toBe(exact.data[r * exact.shape[1] + c])));
      expect(loaded.extrasFile!.analogy.neighbours).toHaveLength(8);
    } finally {
      await loaded.model.dispose();
    }
  });

});
