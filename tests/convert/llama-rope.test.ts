// RoPE inverse frequencies computed at conversion time, on Llama 3.1 8B's settings.
import { describe, expect, it } from 'vitest';
import { parseLlamaConfig } from '../../src/convert/llama-checkpoint';
import { ropeInverseFrequencies } from '../../src/convert/llama-rope';
import { referenceInverseFrequencies } from './reference-llama';

// config.json of meta-llama/Llama-3.1-8B, the fields RoPE reads (and what parsing needs).
const llama31 = {
  model_type: 'llama',
  vocab_size: 128256,
  hidden_size: 4096,
  intermediate_size: 14336,
  num_hidden_layers: 32,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  max_position_embeddings: 131072,
  rope_theta: 500000,
  rope_scaling: { factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192, rope_type: 'llama3' },
};

describe('RoPE inverse frequencies', () => {
  it('are 1 / theta^(2i / head_dim) without scaling', () => {
    const plain = ropeInverseFrequencies(parseLlamaConfig({ ...llama31, rope_scaling: null }));
    expect(plain).toHaveLength(64);
    expect(plain[0]).toBe(1);
    expect(plain[32]).toBe(Math.fround(1 / Math.sqrt(500000)));
  });

  it('keep short wavelengths, slow long ones by `factor` and smooth the ones between (llama3)', () => {
    const plain = ropeInverseFrequencies(parseLlamaConfig({ ...llama31, rope_scaling: null }));
    const scaled = ropeInverseFrequencies(parseLlamaConfig(llama31));
    const wavelength = (i: number) => (2 * Math.PI) / plain[i];
    for (let i = 0; i < 64; i++) {
      if (wavelength(i) < 8192 / 4) expect(scaled[i]).toBe(plain[i]);
      else if (wavelength(i) > 8192 / 1) expect(scaled[i]).toBeCloseTo(plain[i] / 8, 12);
      else {
        expect(scaled[i]).toBeLessThan(plain[i]);
        expect(scaled[i]).toBeGreaterThan(plain[i] / 8);
      }
    }
    const regions = [0, 0, 0];
    for (let i = 0; i < 64; i++) regions[wavelength(i) < 2048 ? 0 : wavelength(i) > 8192 ? 2 : 1]++;
    expect(regions).toEqual([29, 6, 29]);
    // Slower and slower from the first pair to the last, across the smoothed region too.
    for (let i = 1; i < 64; i++) expect(scaled[i]).toBeLessThan(scaled[i - 1]);
  });

  it('agree with the test reference to float32 precision', () => {
    const expected = referenceInverseFrequencies(llama31);
    const actual = ropeInverseFrequencies(parseLlamaConfig(llama31));
    actual.forEach((value, i) => expect(Math.abs(value - expected[i]) / expected[i]).toBeLessThan(1e-7));
  });
});
