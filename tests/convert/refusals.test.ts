// What the converter refuses, each in one line that names the problem: Mistral and Qwen2 sliding windows shorter
// than the context, families it does not build (Gemma, Phi-3, anything unknown), and Qwen2/Mistral checkpoints
// whose biases disagree with their family.
import { describe, expect, it } from 'vitest';
import { convertModel } from '../../src/convert/index';
import { writeSafetensors } from '../../src/convert/safetensors';
import { GEMMA_2B_CONFIG, PHI_3_MINI_4K_INSTRUCT_CONFIG } from '../fixtures/published-configs';
import { makeRandomLlamaCheckpoint } from './random-checkpoint';

const supported = 'supported: gpt2, llama, qwen2, mistral';

/** The message convertModel throws, checked to be one line. */
function refusal(config: Record<string, unknown>, weights: Uint8Array): string {
  let message: string | undefined;
  try {
    convertModel({ config, weights });
  } catch (error) {
    message = (error as Error).message;
  }
  if (message === undefined) throw new Error(`converted ${JSON.stringify(config.model_type)} without complaint`);
  expect(message).not.toContain('\n');
  return message;
}

describe('the converter refuses, in one line', () => {
  const mistral = makeRandomLlamaCheckpoint({ model_type: 'mistral', sliding_window: 16, max_position_embeddings: 64 });
  const qwen2 = makeRandomLlamaCheckpoint({ model_type: 'qwen2', use_sliding_window: true, sliding_window: 16, max_position_embeddings: 64 });

  it('a Mistral sliding window shorter than the context, naming both numbers', () => {
    expect(refusal(mistral.config, mistral.bytes)).toBe(
      'mistral with sliding_window 16 is not supported: each token would see only the last 16 of max_position_embeddings 64 positions, and this converter builds full causal attention',
    );
    // MistralConfig's default window is 4096: a config silent about it, with a longer context, is refused too.
    const { sliding_window: _, ...silent } = mistral.config;
    expect(refusal({ ...silent, max_position_embeddings: 8192 }, mistral.bytes)).toMatch(/^mistral with sliding_window 4096 is not supported: .* max_position_embeddings 8192 /);
  });

  it('a Qwen2 use_sliding_window true with a window shorter than the context', () => {
    // Qwen2 windows only the layers from max_window_layers on (Qwen2.5-0.5B: 21 of 24).
    expect(refusal({ ...qwen2.config, max_window_layers: 0 }, qwen2.bytes)).toBe(
      'qwen2 with use_sliding_window true is not supported: 2 of 2 layers would see only the last 16 of max_position_embeddings 64 positions, and this converter builds full causal attention',
    );
    // With max_window_layers at the layer count no layer is windowed: converted.
    expect(() => convertModel({ config: qwen2.config, weights: qwen2.bytes })).not.toThrow();
    // Transformers 5 names the sliding layers in layer_types.
    const { max_window_layers: _, ...withoutMaxWindowLayers } = qwen2.config;
    const layerTypes = { ...withoutMaxWindowLayers, layer_types: ['full_attention', 'sliding_attention'] };
    expect(refusal(layerTypes, qwen2.bytes)).toMatch(/^qwen2 with use_sliding_window true is not supported: 1 of 2 layers /);
  });

  it('Gemma and Phi-3 by name, with what they do differently', () => {
    expect(refusal(GEMMA_2B_CONFIG, mistral.bytes)).toBe(
      `gemma is not supported: its embeddings are scaled by sqrt(hidden_size), its RMSNorm adds 1 to the gain and its MLP uses GELU, not SiLU; ${supported}`,
    );
    expect(refusal(PHI_3_MINI_4K_INSTRUCT_CONFIG, mistral.bytes)).toBe(
      `phi3 is not supported: it fuses q, k and v into one qkv_proj and gate and up into one gate_up_proj, and uses a sliding window or longrope RoPE scaling; ${supported}`,
    );
    expect(refusal({ ...GEMMA_2B_CONFIG, model_type: 'gemma2' }, mistral.bytes)).toMatch(/^gemma2 is not supported: .*soft-caps logits/);
    expect(refusal({ ...GEMMA_2B_CONFIG, model_type: 'qwen3' }, mistral.bytes)).toMatch(/^qwen3 is not supported: it normalises q and k per head/);
  });

  it('an unknown or missing model_type, listing what is supported', () => {
    expect(refusal({ ...mistral.config, model_type: 't5' }, mistral.bytes)).toBe(`model_type "t5" is not supported; ${supported}`);
    expect(refusal({ ...mistral.config, model_type: undefined }, mistral.bytes)).toBe(`config.json has no model_type; ${supported}`);
  });

  it('biases a family does not have, and a Qwen2 checkpoint without its q/k/v biases', () => {
    const withBias = (checkpoint: typeof mistral, name: string) => {
      const tensors = new Map(checkpoint.parameters);
      tensors.set(name, { shape: [16], data: new Float32Array(16) });
      return writeSafetensors(tensors);
    };
    const longWindow = { ...mistral.config, sliding_window: null };
    expect(refusal(longWindow, withBias(mistral, 'model.layers.0.self_attn.q_proj.bias'))).toBe(
      'unexpected tensor model.layers.0.self_attn.q_proj.bias: a bias, but mistral has no biases',
    );
    const fullAttention = { ...qwen2.config, use_sliding_window: false };
    expect(refusal(fullAttention, withBias(qwen2, 'model.layers.1.self_attn.o_proj.bias'))).toBe(
      'unexpected tensor model.layers.1.self_attn.o_proj.bias: a bias, but qwen2 has biases only on q_proj, k_proj and v_proj',
    );
    const unbiased = new Map([...qwen2.parameters].filter(([name]) => !name.endsWith('.bias')));
    expect(refusal(fullAttention, writeSafetensors(unbiased))).toBe('missing tensor model.layers.0.self_attn.q_proj.bias');
  });
});
