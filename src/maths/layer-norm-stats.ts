// What LayerNorm and RMSNorm do to one vector, and how long the residual stream's vectors are, in float64.
import { meanAndStd, norm } from './vectors';

/** Euclidean length sqrt(Σ x_i²): the size of a residual-stream vector. */
export const euclideanNorm = norm;

export interface MeanStd {
  mean: number;
  /** Population standard deviation (divide by n), as LayerNorm computes it. */
  std: number;
}

export function meanStd(values: ArrayLike<number>): MeanStd {
  return meanAndStd(values); // NaN for an empty vector (0 / 0)
}

/**
 * LayerNorm's first half: (x - mean) / sqrt(variance + eps), before the learned gain and bias.
 * Its mean is 0 and its standard deviation is just under 1 (eps keeps it from reaching 1).
 */
export function standardise(values: ArrayLike<number>, epsilon: number): Float64Array {
  const { mean, std } = meanStd(values);
  const scale = 1 / Math.sqrt(std * std + epsilon);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = (values[i] - mean) * scale;
  return out;
}

/** sqrt(mean(x²)): what RMSNorm divides by (with ε), and what it makes just under 1. */
export function rootMeanSquare(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return Math.sqrt(sum / values.length);
}

/** RMSNorm's first half: x / sqrt(mean(x²) + eps), before the learned gain; no centring. */
export function rmsScale(values: ArrayLike<number>, epsilon: number): Float64Array {
  const rms = rootMeanSquare(values);
  const scale = 1 / Math.sqrt(rms * rms + epsilon);
  return Float64Array.from(values, (value) => value * scale);
}
