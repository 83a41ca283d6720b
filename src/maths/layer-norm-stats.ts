// What LayerNorm does to one vector, and how long the residual stream's vectors are, in float64.

/** Euclidean length sqrt(Σ x_i²): the size of a residual-stream vector. */
export function euclideanNorm(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return Math.sqrt(sum);
}

export interface MeanStd {
  mean: number;
  /** Population standard deviation (divide by n), as LayerNorm computes it. */
  std: number;
}

export function meanStd(values: ArrayLike<number>): MeanStd {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(variance / n) };
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
