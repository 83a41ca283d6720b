import { describe, expect, it } from 'vitest';
import { modelInfoFromConfig } from '../../src/engine/model-info';
import { cacheBytesAt, cacheBytesPerToken, FP16_BYTES, FP32_BYTES, formatBytes, GPT2_SMALL_SHAPE, modelCacheShape } from '../../src/maths/kv-cache';

describe('kv-cache size', () => {
  it('multiplies layers, heads, head width, k and v, and bytes per value', () => {
    expect(cacheBytesPerToken({ nLayer: 4, nHead: 4, headDim: 64 }, FP32_BYTES)).toBe(8192);
    expect(cacheBytesPerToken(GPT2_SMALL_SHAPE, FP16_BYTES)).toBe(36864);
  });

  it('grows linearly with the sequence', () => {
    const shape = { nLayer: 2, nHead: 3, headDim: 5 };
    expect(cacheBytesAt(shape, 4, 10)).toBe(10 * 2 * 3 * 5 * 2 * 4);
    expect(cacheBytesAt(shape, 4, 0)).toBe(0);
    expect(cacheBytesAt(shape, 4, -3)).toBe(0);
  });

  it('formats bytes in binary units', () => {
    expect(formatBytes(8192)).toBe('8,192 bytes');
    expect(formatBytes(8192 * 256)).toBe('2.0 MiB');
    expect(formatBytes(36864)).toBe('36.0 KiB');
    expect(formatBytes(Number.NaN)).toBe('n/a');
  });

  it('counts the key/value heads, not the query heads, of a grouped-query model', () => {
    // Llama 3.2 1B's public config: 16 layers, 32 query heads sharing 8 key/value heads of 64.
    const llama = modelInfoFromConfig('llama-3.2-1b', {
      model_type: 'llama', vocab_size: 128256, max_position_embeddings: 131072, num_hidden_layers: 16, num_attention_heads: 32,
      num_key_value_heads: 8, hidden_size: 2048, intermediate_size: 8192, head_dim: 64, tie_word_embeddings: true,
    });
    expect(modelCacheShape(llama)).toEqual({ nLayer: 16, nHead: 8, headDim: 64 });
    expect(cacheBytesPerToken(modelCacheShape(llama), FP16_BYTES)).toBe(32768); // 32 KiB per token in float16
    expect(llama.parameterCount).toBe(1_235_814_400); // the published size of Llama 3.2 1B
  });
});
