// RoPE's inverse frequencies, computed at conversion time as Hugging Face's rope initialisers do
// (_compute_default_rope_parameters and _compute_llama3_parameters in modeling_rope_utils.py).
// The graph multiplies them by the position ids, so no table of positions is stored.
import type { LlamaConfig } from './llama-checkpoint';

/** inv_freq[i] = 1 / theta^(2i / head_dim), for i < head_dim / 2: one rotation speed per pair of dims. */
export function defaultInverseFrequencies(headDim: number, theta: number): Float64Array {
  return Float64Array.from({ length: headDim / 2 }, (_, i) => 1 / theta ** ((2 * i) / headDim));
}

/**
 * Llama 3.1's scaling: wavelengths longer than original_max / low_freq_factor are slowed down by `factor`,
 * those shorter than original_max / high_freq_factor are kept, and the ones between are interpolated.
 */
export function llama3InverseFrequencies(
  inverseFrequencies: Float64Array,
  scaling: NonNullable<LlamaConfig['rope_scaling']>,
): Float64Array {
  const { factor, low_freq_factor: low, high_freq_factor: high, original_max_position_embeddings: oldContext } = scaling;
  const lowFrequencyWavelength = oldContext / low;
  const highFrequencyWavelength = oldContext / high;
  return inverseFrequencies.map((frequency) => {
    const wavelength = (2 * Math.PI) / frequency;
    if (wavelength < highFrequencyWavelength) return frequency;
    if (wavelength > lowFrequencyWavelength) return frequency / factor;
    const smooth = (oldContext / wavelength - low) / (high - low);
    return (1 - smooth) * (frequency / factor) + smooth * frequency;
  });
}

/** The inverse frequencies the graph uses, as float32 (Hugging Face keeps inv_freq in float32 too). */
export function ropeInverseFrequencies(config: LlamaConfig): Float32Array {
  const plain = defaultInverseFrequencies(config.head_dim, config.rope_theta);
  const scaled = config.rope_scaling ? llama3InverseFrequencies(plain, config.rope_scaling) : plain;
  return Float32Array.from(scaled);
}
