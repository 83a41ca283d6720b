// describeCheckpoint reads a config.json alone (no weights), as the Hub downloader does before fetching gigabytes:
// the family, the parameter count checked against published models' numbers, its float32/fp16 size, and the same
// one-line refusal the converter gives.
import { describe, expect, it } from 'vitest';
import { describeCheckpoint } from '../../src/convert/index';
import {
  DISTILGPT2_CONFIG,
  GEMMA_2B_CONFIG,
  LLAMA_3_2_1B_CONFIG,
  MISTRAL_7B_V0_1_CONFIG,
  PHI_3_MINI_4K_INSTRUCT_CONFIG,
  QWEN2_5_0_5B_INSTRUCT_CONFIG,
  SMOLLM2_360M_INSTRUCT_CONFIG,
} from '../fixtures/published-configs';

describe('describeCheckpoint', () => {
  it.each([
    ['Qwen2.5-0.5B-Instruct (q/k/v biases, tied head)', QWEN2_5_0_5B_INSTRUCT_CONFIG, 'qwen2', 494_032_768],
    ['SmolLM2-360M-Instruct (tied head)', SMOLLM2_360M_INSTRUCT_CONFIG, 'llama', 361_821_120],
    ['Llama 3.2 1B (tied head)', LLAMA_3_2_1B_CONFIG, 'llama', 1_235_814_400],
    ['distilgpt2 (tied head counted once)', DISTILGPT2_CONFIG, 'gpt2', 81_912_576],
    // Mistral-7B-Instruct-v0.2's layers are v0.1's without the window: 7,241,732,096 (untied head).
    ['Mistral 7B without a sliding window', { ...MISTRAL_7B_V0_1_CONFIG, sliding_window: null }, 'mistral', 7_241_732_096],
  ])('%s: family and published parameter count', (_label, config, family, parameterCount) => {
    expect(describeCheckpoint(config)).toEqual({ family, parameterCount, fp32Bytes: 4 * parameterCount, fp16Bytes: 2 * parameterCount });
  });

  it('counts an untied GPT-2 head and a Llama attention_bias (q/k/v and o_proj biases)', () => {
    const gpt2 = { model_type: 'gpt2', vocab_size: 10, n_positions: 4, n_embd: 8, n_layer: 1, n_head: 2 };
    const tied = describeCheckpoint(gpt2).parameterCount;
    expect(describeCheckpoint({ ...gpt2, tie_word_embeddings: false }).parameterCount).toBe(tied + 10 * 8);
    const llama = { model_type: 'llama', vocab_size: 10, hidden_size: 8, intermediate_size: 12, num_hidden_layers: 2, num_attention_heads: 2, num_key_value_heads: 1 };
    // q: 8 + k, v: 4 each + o: 8 = 24 per layer.
    expect(describeCheckpoint({ ...llama, attention_bias: true }).parameterCount).toBe(describeCheckpoint(llama).parameterCount + 2 * 24);
  });

  it('refuses what the converter refuses, in one line that names the problem', () => {
    const refusal = (config: Record<string, unknown>) => {
      try {
        describeCheckpoint(config);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    const supported = 'supported: gpt2, llama, qwen2, mistral';
    expect(refusal(MISTRAL_7B_V0_1_CONFIG)).toBe(
      'mistral with sliding_window 4096 is not supported: each token would see only the last 4096 of max_position_embeddings 32768 positions, and this converter builds full causal attention',
    );
    expect(refusal({ ...QWEN2_5_0_5B_INSTRUCT_CONFIG, use_sliding_window: true, sliding_window: 4096 })).toBe(
      'qwen2 with use_sliding_window true is not supported: 3 of 24 layers would see only the last 4096 of max_position_embeddings 32768 positions, and this converter builds full causal attention',
    );
    expect(refusal(GEMMA_2B_CONFIG)).toBe(
      `gemma is not supported: its embeddings are scaled by sqrt(hidden_size), its RMSNorm adds 1 to the gain and its MLP uses GELU, not SiLU; ${supported}`,
    );
    expect(refusal(PHI_3_MINI_4K_INSTRUCT_CONFIG)).toMatch(/^phi3 is not supported: it fuses q, k and v into one qkv_proj .*; supported: gpt2, llama, qwen2, mistral$/);
    expect(refusal({ model_type: 'bert' })).toBe(`model_type "bert" is not supported; ${supported}`);
    expect(refusal({})).toBe(`config.json has no model_type; ${supported}`);
    expect(refusal({ ...SMOLLM2_360M_INSTRUCT_CONFIG, hidden_act: 'gelu' })).toBe('unsupported hidden_act "gelu": this converter builds silu (SwiGLU)');
    for (const message of [refusal(MISTRAL_7B_V0_1_CONFIG), refusal(GEMMA_2B_CONFIG), refusal(PHI_3_MINI_4K_INSTRUCT_CONFIG)]) {
      expect(message).not.toContain('\n');
    }
  });

  it('accepts the sliding windows that never bite', () => {
    // Qwen2.5 ships use_sliding_window false; a window as long as the context, or on no layer, changes nothing.
    expect(describeCheckpoint(QWEN2_5_0_5B_INSTRUCT_CONFIG).family).toBe('qwen2');
    expect(describeCheckpoint({ ...QWEN2_5_0_5B_INSTRUCT_CONFIG, use_sliding_window: true }).family).toBe('qwen2');
    expect(describeCheckpoint({ ...QWEN2_5_0_5B_INSTRUCT_CONFIG, use_sliding_window: true, sliding_window: 4096, max_window_layers: 24 }).family).toBe('qwen2');
    expect(describeCheckpoint({ ...MISTRAL_7B_V0_1_CONFIG, sliding_window: 32768 }).family).toBe('mistral');
    expect(describeCheckpoint({ ...MISTRAL_7B_V0_1_CONFIG, sliding_window: 4096, max_position_embeddings: 4096 }).family).toBe('mistral');
  });
});
