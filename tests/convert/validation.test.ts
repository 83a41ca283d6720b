// Malformed checkpoints and configs fail with an error that names the problem.
import { describe, expect, it } from 'vitest';
import { convertGpt2, convertModel } from '../../src/convert/index';
import { writeSafetensors } from '../../src/convert/safetensors';
import { createSession, runGpt2 } from './onnx-session';
import { makeRandomGpt2Checkpoint } from './random-checkpoint';

const { config, parameters, bytes } = makeRandomGpt2Checkpoint();

/** The checkpoint with some tensors changed (undefined removes one). */
function edited(changes: Record<string, { shape: number[]; data: Float32Array } | undefined>): Uint8Array {
  const tensors = new Map(parameters);
  for (const [name, tensor] of Object.entries(changes)) {
    if (tensor) tensors.set(name, tensor);
    else tensors.delete(name);
  }
  return writeSafetensors(tensors);
}

describe('checkpoint validation', () => {
  it('names a missing tensor', () => {
    const weights = edited({ 'transformer.h.1.ln_2.bias': undefined });
    expect(() => convertGpt2({ config, weights })).toThrow('missing tensor transformer.h.1.ln_2.bias');
  });

  it('names a tensor of the wrong shape and the expected shape', () => {
    const weights = edited({ 'transformer.wpe.weight': { shape: [16, 16], data: new Float32Array(256) } });
    expect(() => convertGpt2({ config, weights })).toThrow('tensor transformer.wpe.weight has shape [16,16], expected [32,16]');
  });

  it('rejects an unknown or unsupported model_type', () => {
    expect(() => convertModel({ config: { ...config, model_type: 'bert' }, weights: bytes })).toThrow(
      'model_type "bert" is not supported; supported: gpt2, llama, qwen2, mistral',
    );
    expect(() => convertGpt2({ config: { ...config, model_type: 'llama' }, weights: bytes })).toThrow(
      'unsupported model_type "llama": this converter handles gpt2',
    );
    expect(() => convertModel({ config: { ...config, model_type: undefined }, weights: bytes })).toThrow(
      'config.json has no model_type; supported: gpt2, llama, qwen2, mistral',
    );
  });

  it('rejects a truncated safetensors header', () => {
    expect(() => convertGpt2({ config, weights: bytes.subarray(0, 100) })).toThrow(/safetensors header is truncated/);
  });

  it('rejects a config that disagrees with the weights', () => {
    expect(() => convertGpt2({ config: { ...config, n_layer: 1 }, weights: bytes })).toThrow(
      'checkpoint has tensor transformer.h.1.ln_1.weight but config.json says n_layer 1',
    );
    expect(() => convertGpt2({ config: { ...config, n_layer: 3 }, weights: bytes })).toThrow('missing tensor transformer.h.2.ln_1.weight');
    expect(() => convertGpt2({ config: { ...config, n_embd: 32 }, weights: bytes })).toThrow(
      'tensor transformer.wte.weight has shape [50,16], expected [50,32]',
    );
    expect(() => convertGpt2({ config: { ...config, vocab_size: 60 }, weights: bytes })).toThrow(
      'tensor transformer.wte.weight has shape [50,16], expected [60,16]',
    );
    expect(() => convertGpt2({ config: { ...config, tie_word_embeddings: false }, weights: bytes })).toThrow(
      'missing tensor lm_head.weight',
    );
  });

  it('rejects configs it cannot build', () => {
    expect(() => convertGpt2({ config: { ...config, n_head: 3 }, weights: bytes })).toThrow('n_embd 16 is not divisible by n_head 3');
    expect(() => convertGpt2({ config: { ...config, n_embd: '16' }, weights: bytes })).toThrow(
      'config.json: n_embd must be a positive integer, got "16"',
    );
    expect(() => convertGpt2({ config: { ...config, activation_function: 'relu' }, weights: bytes })).toThrow(
      'unsupported activation_function "relu"',
    );
  });

  it('names an unexpected tensor', () => {
    const weights = edited({ 'transformer.h.0.attn.rotary.weight': { shape: [1], data: new Float32Array(1) } });
    expect(() => convertGpt2({ config, weights })).toThrow('unexpected tensor transformer.h.0.attn.rotary.weight: not a GPT-2 parameter');
  });
});

describe('checkpoint naming', () => {
  it('accepts names without the transformer. prefix and skips attention-mask buffers', async () => {
    const original = makeRandomGpt2Checkpoint({ seed: 5 });
    const stripped = makeRandomGpt2Checkpoint({ seed: 5, stripPrefix: true, includeBuffers: true });
    const feed = { inputIds: [[1, 2, 3]], attentionMask: [[1, 1, 1]], positionIds: [[0, 1, 2]] };
    const a = await runGpt2(await createSession(convertGpt2({ config: original.config, weights: original.bytes })), config, feed);
    const b = await runGpt2(await createSession(convertGpt2({ config: stripped.config, weights: stripped.bytes })), config, feed);
    expect(b.logits.data).toEqual(a.logits.data);
  });

  it('reports the name as the checkpoint spells it', () => {
    const stripped = makeRandomGpt2Checkpoint({ stripPrefix: true });
    expect(() => convertGpt2({ config: { ...config, n_positions: 64 }, weights: stripped.bytes })).toThrow(
      'tensor wpe.weight has shape [32,16], expected [64,16]',
    );
  });
});
