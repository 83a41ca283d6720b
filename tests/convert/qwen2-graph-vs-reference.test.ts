// The converted Qwen2 graph (the Llama graph with biases on q_proj, k_proj and v_proj) against the float64 reference,
// and a check that those biases matter, so the comparison cannot pass with them left out.
import { describe, expect, it } from 'vitest';
import { convertModel } from '../../src/convert/index';
import { decodeModel } from '../../src/convert/onnx-proto';
import { readInitializers } from '../../src/convert/onnx-reader';
import { describeAgainstReference, maxAbsDifference, referenceLogits } from './llama-family-reference';
import { makeRandomLlamaCheckpoint } from './random-checkpoint';

describeAgainstReference('Qwen2', [
  {
    label: 'GQA (4 heads, 2 key/value heads), q/k/v biases, tied head, rope_theta 1e6 (as Qwen2.5-0.5B)',
    options: { model_type: 'qwen2', seed: 21, num_key_value_heads: 2, tied: true, rope_theta: 1e6 },
    firstPosition: 0,
  },
  {
    label: 'MHA, q/k/v biases, untied head, BF16 file, positions 30+',
    options: { model_type: 'qwen2', seed: 22, dtype: 'BF16' },
    firstPosition: 30,
  },
]);

describe('Qwen2 q/k/v biases', () => {
  const { config, parameters, bytes } = makeRandomLlamaCheckpoint({ model_type: 'qwen2', seed: 21, num_key_value_heads: 2, tied: true, rope_theta: 1e6 });

  it('change the reference logits (the comparison above would fail without them)', () => {
    const unbiased = new Map(parameters);
    for (const [name, { shape, data }] of parameters) {
      if (name.endsWith('.bias')) unbiased.set(name, { shape, data: new Float32Array(data.length) });
    }
    expect(maxAbsDifference(referenceLogits(config, parameters), referenceLogits(config, unbiased))).toBeGreaterThan(0.05);
  });

  it('are stored under their Hugging Face names, with model_type qwen2 in the metadata', () => {
    const onnx = convertModel({ config, weights: bytes });
    const names = [...readInitializers(onnx).keys()];
    expect(names).toEqual(expect.arrayContaining(['model.layers.0.self_attn.q_proj.bias', 'model.layers.1.self_attn.v_proj.bias']));
    expect(names).not.toContain('model.layers.0.self_attn.o_proj.bias');
    expect(decodeModel(onnx).metadata_props).toEqual(expect.arrayContaining([{ key: 'model_type', value: 'qwen2' }]));
  });
});
