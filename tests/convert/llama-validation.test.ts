// Malformed Llama checkpoints and configs fail with an error that names the problem; harmless variants
// (tied checkpoints that still store lm_head, bare LlamaModel names, RoPE buffers, Transformers 5 configs) convert.
import { describe, expect, it } from 'vitest';
import { convertLlama, convertModel } from '../../src/convert/index';
import { writeSafetensors } from '../../src/convert/safetensors';
import { createSession, runDecoder } from './onnx-session';
import { makeRandomGpt2Checkpoint, makeRandomLlamaCheckpoint } from './random-checkpoint';

// GQA: 4 query heads of 4 dims, 2 key/value heads (k_proj and v_proj are [8, 16]).
const { config, parameters, bytes } = makeRandomLlamaCheckpoint({ num_key_value_heads: 2 });
const llama3 = { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 32 };

/** The checkpoint with some tensors changed (undefined removes one). */
function edited(changes: Record<string, { shape: number[]; data: Float32Array } | undefined>): Uint8Array {
  const tensors = new Map(parameters);
  for (const [name, tensor] of Object.entries(changes)) {
    if (tensor) tensors.set(name, tensor);
    else tensors.delete(name);
  }
  return writeSafetensors(tensors);
}

const zeros = (...shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
const feed = { inputIds: [[1, 2, 3, 4]], attentionMask: [[1, 1, 1, 1]], positionIds: [[0, 1, 2, 3]] };

async function logitsOf(modelConfig: Record<string, unknown>, weights: Uint8Array): Promise<Float32Array> {
  const session = await createSession(convertLlama({ config: modelConfig, weights }));
  return (await runDecoder(session, modelConfig, feed)).logits.data as Float32Array;
}

describe('Llama checkpoint validation', () => {
  it('names a missing tensor', () => {
    const weights = edited({ 'model.layers.1.mlp.up_proj.weight': undefined });
    expect(() => convertLlama({ config, weights })).toThrow('missing tensor model.layers.1.mlp.up_proj.weight');
  });

  it('names a tensor of the wrong shape and the expected shape', () => {
    const weights = edited({ 'model.layers.0.self_attn.k_proj.weight': zeros(16, 16) });
    expect(() => convertLlama({ config, weights })).toThrow(
      'tensor model.layers.0.self_attn.k_proj.weight has shape [16,16], expected [8,16]',
    );
  });

  it('rejects a config that disagrees with the weights', () => {
    expect(() => convertLlama({ config: { ...config, num_key_value_heads: 4 }, weights: bytes })).toThrow(
      'tensor model.layers.0.self_attn.k_proj.weight has shape [8,16], expected [16,16]',
    );
    expect(() => convertLlama({ config: { ...config, intermediate_size: 64 }, weights: bytes })).toThrow(
      'tensor model.layers.0.mlp.gate_proj.weight has shape [40,16], expected [64,16]',
    );
    expect(() => convertLlama({ config: { ...config, head_dim: 8 }, weights: bytes })).toThrow(
      'tensor model.layers.0.self_attn.q_proj.weight has shape [16,16], expected [32,16]',
    );
    expect(() => convertLlama({ config: { ...config, vocab_size: 60 }, weights: bytes })).toThrow(
      'tensor model.embed_tokens.weight has shape [50,16], expected [60,16]',
    );
    expect(() => convertLlama({ config: { ...config, num_hidden_layers: 1 }, weights: bytes })).toThrow(
      'checkpoint has tensor model.layers.1.input_layernorm.weight but config.json says num_hidden_layers 1',
    );
    expect(() => convertLlama({ config: { ...config, num_hidden_layers: 3 }, weights: bytes })).toThrow(
      'missing tensor model.layers.2.input_layernorm.weight',
    );
    const tiedCheckpoint = makeRandomLlamaCheckpoint({ tied: true });
    expect(() => convertLlama({ config: { ...tiedCheckpoint.config, tie_word_embeddings: false }, weights: tiedCheckpoint.bytes })).toThrow(
      'missing tensor lm_head.weight',
    );
    // LlamaConfig's default is untied: a config that leaves tie_word_embeddings out needs lm_head.weight.
    const { tie_word_embeddings: _, ...silent } = tiedCheckpoint.config;
    expect(() => convertLlama({ config: silent, weights: tiedCheckpoint.bytes })).toThrow('missing tensor lm_head.weight');
  });

  it('rejects configs it cannot build, naming the setting', () => {
    const rejects = (changes: Record<string, unknown>, message: string) =>
      expect(() => convertLlama({ config: { ...config, ...changes }, weights: bytes })).toThrow(message);
    rejects({ hidden_act: 'gelu' }, 'unsupported hidden_act "gelu": this converter builds silu (SwiGLU)');
    rejects({ mlp_bias: true }, 'unsupported config.json: mlp_bias true');
    rejects({ rope_scaling: { rope_type: 'yarn', factor: 4 } }, 'unsupported rope type "yarn" in config.json rope_scaling');
    rejects({ rope_scaling: { type: 'linear', factor: 2 } }, 'unsupported rope type "linear"');
    rejects({ rope_scaling: { type: 'dynamic', factor: 2 } }, 'unsupported rope type "dynamic"');
    rejects({ rope_parameters: { rope_type: 'longrope', rope_theta: 10000 } }, 'unsupported rope type "longrope" in config.json rope_parameters');
    rejects({ rope_scaling: { ...llama3, factor: undefined } }, 'config.json rope_scaling: factor must be a positive number, got undefined');
    rejects({ rope_scaling: { ...llama3, low_freq_factor: 4 } }, 'low_freq_factor 4 must be below high_freq_factor 4');
    rejects({ partial_rotary_factor: 0.5 }, 'unsupported partial_rotary_factor 0.5');
    rejects({ rope_theta: -1 }, 'config.json: rope_theta must be a positive number, got -1');
    rejects({ num_attention_heads: 3 }, 'num_attention_heads 3 is not a multiple of num_key_value_heads 2');
    rejects({ head_dim: 3 }, 'head_dim 3 must be even for RoPE');
    rejects({ hidden_size: '16' }, 'config.json: hidden_size must be a positive integer, got "16"');
  });

  it('names biases and other unexpected tensors', () => {
    expect(() => convertLlama({ config, weights: edited({ 'model.layers.0.self_attn.q_proj.bias': zeros(16) }) })).toThrow(
      'unexpected tensor model.layers.0.self_attn.q_proj.bias: a bias, but config.json declares no attention_bias or mlp_bias',
    );
    expect(() => convertLlama({ config, weights: edited({ 'model.layers.0.self_attn.q_norm.weight': zeros(4) }) })).toThrow(
      'unexpected tensor model.layers.0.self_attn.q_norm.weight: not a Llama parameter',
    );
  });

  it('dispatches on model_type', () => {
    const gpt2 = makeRandomGpt2Checkpoint();
    expect(() => convertLlama({ config: gpt2.config, weights: gpt2.bytes })).toThrow(
      'unsupported model_type "gpt2": this converter handles llama, qwen2, mistral',
    );
    expect(() => convertModel({ config: { ...config, model_type: 'gemma' }, weights: bytes })).toThrow(
      /^gemma is not supported: .*; supported: gpt2, llama, qwen2, mistral$/,
    );
    expect(convertModel({ config, weights: bytes })).toEqual(convertLlama({ config, weights: bytes }));
  });
});

describe('Llama checkpoint variants', () => {
  it('ignores a tied checkpoint’s stored lm_head.weight, as Hugging Face does', async () => {
    const tiedCheckpoint = makeRandomLlamaCheckpoint({ tied: true });
    const withHead = new Map(tiedCheckpoint.parameters);
    withHead.set('lm_head.weight', zeros(50, 16));
    expect(await logitsOf(tiedCheckpoint.config, writeSafetensors(withHead))).toEqual(
      await logitsOf(tiedCheckpoint.config, tiedCheckpoint.bytes),
    );
  });

  it('accepts bare LlamaModel names (no model. prefix) and skips rotary_emb.inv_freq buffers', async () => {
    const renamed = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [name, tensor] of parameters) renamed.set(name.replace(/^model\./, ''), tensor);
    renamed.set('layers.0.self_attn.rotary_emb.inv_freq', zeros(2));
    expect(await logitsOf(config, writeSafetensors(renamed))).toEqual(await logitsOf(config, bytes));
  });

  it('reads a Transformers 5 rope_parameters block like rope_theta + rope_scaling', async () => {
    const legacy = { ...config, rope_theta: 500, rope_scaling: llama3 };
    const { rope_theta: _theta, rope_scaling: _scaling, ...rest } = config;
    const v5 = { ...rest, rope_parameters: { ...llama3, rope_theta: 500 } };
    expect(await logitsOf(v5, bytes)).toEqual(await logitsOf(legacy, bytes));
    const plainV5 = { ...rest, rope_parameters: { rope_type: 'default', rope_theta: 500 } };
    expect(await logitsOf(plainV5, bytes)).toEqual(await logitsOf({ ...config, rope_theta: 500 }, bytes));
  });

  it('stores the weights under their Hugging Face names and model_type llama in the metadata', async () => {
    const { readInitializers } = await import('../../src/convert/onnx-reader');
    const { decodeModel } = await import('../../src/convert/onnx-proto');
    const onnx = convertLlama({ config, weights: bytes });
    const names = [...readInitializers(onnx).keys()];
    expect(names).toEqual(expect.arrayContaining([...parameters.keys()]));
    expect(names).toContain('model.rotary_emb.inv_freq');
    const metadata = decodeModel(onnx).metadata_props;
    expect(metadata).toEqual(expect.arrayContaining([{ key: 'model_type', value: 'llama' }]));
  });
});
