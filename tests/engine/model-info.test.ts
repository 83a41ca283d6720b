// What the deck reads from a model's config.json: sizes, the architecture the slides name, and the
// parameter count, checked against published models' numbers.
import { describe, expect, it } from 'vitest';
import { modelInfoFromConfig } from '../../src/engine/model-info';
import { logitLensLayers } from '../../src/trace/logit-lens';
import {
  DISTILGPT2_CONFIG,
  GEMMA_2B_CONFIG,
  LLAMA_3_2_1B_CONFIG,
  MISTRAL_7B_V0_1_CONFIG,
  QWEN2_5_0_5B_INSTRUCT_CONFIG,
  SMOLLM2_360M_INSTRUCT_CONFIG,
} from '../fixtures/published-configs';

describe('model info from config.json', () => {
  it('reads a Llama: RoPE, RMSNorm, SwiGLU, 8 key/value heads, and its published 1,235,814,400 parameters', () => {
    const info = modelInfoFromConfig('llama-3.2-1b', LLAMA_3_2_1B_CONFIG);
    expect(info.architecture).toEqual({ family: 'llama', norm: 'rmsnorm', positions: 'rope', feedForward: 'swiglu', kvHeads: 8, ropeTheta: 500000, tiedEmbeddings: true, qkvBias: false });
    expect([info.nLayer, info.nHead, info.headDim, info.mlpWidth, info.contextLength]).toEqual([16, 32, 64, 8192, 131072]);
    expect(info.parameterCount).toBe(1_235_814_400);
  });

  it('uses Hugging Face\'s defaults where a Llama config is silent, and reads Transformers 5\'s rope_parameters', () => {
    const minimal = { model_type: 'llama', vocab_size: 10, max_position_embeddings: 8, num_hidden_layers: 1, num_attention_heads: 2, hidden_size: 8 };
    expect(modelInfoFromConfig('m', minimal).architecture).toMatchObject({ kvHeads: 2, ropeTheta: 10000, tiedEmbeddings: false });
    expect(modelInfoFromConfig('m', { ...minimal, rope_parameters: { rope_theta: 500000 } }).architecture.ropeTheta).toBe(500000);
  });

  it('reads GPT-2 small: learned positions, LayerNorm, GELU, tied head, 124,439,808 parameters', () => {
    const info = modelInfoFromConfig('gpt2', { model_type: 'gpt2', vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12 });
    expect(info.architecture).toEqual({ family: 'gpt2', norm: 'layernorm', positions: 'learned', feedForward: 'gelu', kvHeads: 12, ropeTheta: null, tiedEmbeddings: true, qkvBias: true });
    expect(info.parameterCount).toBe(124_439_808);
  });
});

describe('model info for the families the converter builds, against published parameter counts', () => {
  it('reads Qwen2.5-0.5B-Instruct as the Llama graph with q/k/v biases: 494,032,768 parameters (0.36B without embeddings)', () => {
    const info = modelInfoFromConfig('qwen2.5-0.5b-instruct', QWEN2_5_0_5B_INSTRUCT_CONFIG);
    expect(info.modelType).toBe('qwen2');
    expect(info.architecture).toEqual({ family: 'llama', norm: 'rmsnorm', positions: 'rope', feedForward: 'swiglu', kvHeads: 2, ropeTheta: 1_000_000, tiedEmbeddings: true, qkvBias: true });
    expect([info.nLayer, info.nHead, info.headDim, info.mlpWidth, info.contextLength]).toEqual([24, 14, 64, 4864, 32768]);
    expect(info.parameterCount).toBe(494_032_768);
    // The model card's "0.36B non-embedding": the embedding table is counted once (tied).
    expect(((info.parameterCount ?? 0) - 151936 * 896) / 1e9).toBeCloseTo(0.36, 2);
  });

  it('reads SmolLM2-360M-Instruct: 361,821,120 parameters, 5 key/value heads, tied', () => {
    const info = modelInfoFromConfig('smollm2-360m-instruct', SMOLLM2_360M_INSTRUCT_CONFIG);
    expect(info.architecture).toMatchObject({ family: 'llama', kvHeads: 5, ropeTheta: 100000, tiedEmbeddings: true });
    expect(info.parameterCount).toBe(361_821_120);
  });

  it('reads Mistral 7B: 7,241,732,096 parameters, untied, 8 key/value heads', () => {
    const info = modelInfoFromConfig('mistral-7b', MISTRAL_7B_V0_1_CONFIG);
    expect(info.modelType).toBe('mistral');
    expect(info.architecture).toMatchObject({ family: 'llama', kvHeads: 8, tiedEmbeddings: false, qkvBias: false });
    expect(info.parameterCount).toBe(7_241_732_096);
  });

  it('reads distilgpt2: 81,912,576 parameters (the tied head counted once, as Hugging Face does)', () => {
    const info = modelInfoFromConfig('distilgpt2', DISTILGPT2_CONFIG);
    expect(info.architecture).toMatchObject({ family: 'gpt2', tiedEmbeddings: true });
    expect([info.nLayer, info.contextLength, info.mlpWidth]).toEqual([6, 1024, 3072]);
    expect(info.parameterCount).toBe(81_912_576);
  });

  it('gives no parameter count for a family it does not know (gemma)', () => {
    const info = modelInfoFromConfig('gemma-2b', GEMMA_2B_CONFIG);
    expect(info.architecture.family).toBe('other');
    expect(info.parameterCount).toBeNull();
  });
});

describe('logit lens layers', () => {
  it('shows every layer of a model up to 10 deep, and 10 evenly spread ones (the last included) beyond', () => {
    expect(logitLensLayers(4)).toEqual([0, 1, 2, 3]);
    expect(logitLensLayers(10)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(logitLensLayers(30)).toEqual([2, 5, 8, 11, 14, 17, 20, 23, 26, 29]);
    expect(logitLensLayers(12).at(-1)).toBe(11);
  });
});
