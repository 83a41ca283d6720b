import { describe, expect, it } from 'vitest';
import { modelInfoFromConfig } from '../../src/engine/model-info';
import { LLAMA_3_2_1B_CONFIG } from '../fixtures/published-configs';
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
    const llama = modelInfoFromConfig('llama-3.2-1b', LLAMA_3_2_1B_CONFIG);
    expect(modelCacheShape(llama)).toEqual({ nLayer: 16, nHead: 8, headDim: 64 });
    expect(cacheBytesPerToken(modelCacheShape(llama), FP16_BYTES)).toBe(32768); // 32 KiB per token in float16
  });
});
