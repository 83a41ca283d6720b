// The arithmetic of one attention head, in float64, on rows read from the Trace: the dot products
// q·k, their scaling, the mask test, softmax's entropy and the weighted sum of value vectors.

import { dot } from './vectors';

/** q · k: the sum of element-wise products (float64 accumulation). */
export const dotProduct = dot;

/** The raw scores q · k_j of one query vector against key rows 0..keyCount-1 of a [keys, headDim] block. */
export function rawDotProducts(query: ArrayLike<number>, keys: ArrayLike<number>, keyCount: number, headDim: number): Float64Array {
  const out = new Float64Array(keyCount);
  for (let key = 0; key < keyCount; key++) {
    let sum = 0;
    for (let i = 0; i < headDim; i++) sum += query[i] * keys[key * headDim + i];
    out[key] = sum;
  }
  return out;
}

/**
 * The graph writes the float32 minimum (about -3.4e38) where the causal mask applies; anything this
 * far down is "minus infinity" for softmax (exp underflows to exactly 0). Real scores stay far above.
 */
export const MASKED_SCORE_LIMIT = -1e30;

export function isMaskedScore(value: number): boolean {
  return value === -Infinity || value <= MASKED_SCORE_LIMIT;
}

/**
 * Shannon entropy of a probability row in bits: 0 when all weight is on one key, log2(n) when it is
 * spread evenly over n keys. Zero weights add nothing (0 log 0 = 0).
 */
export function entropyBits(probabilities: ArrayLike<number>, count = probabilities.length): number {
  let entropy = 0;
  for (let i = 0; i < count; i++) {
    const p = probabilities[i];
    if (p > 0) entropy -= p * Math.log2(p);
  }
  return Math.max(0, entropy); // float32 rounding can leave -1e-9 for a one-hot row
}

/** Σ_j p_j v_j[dim] for the given dimensions, over keys 0..keyCount-1 of a [keys, headDim] value block. */
export function weightedValueSum(
  probabilities: ArrayLike<number>,
  values: ArrayLike<number>,
  keyCount: number,
  headDim: number,
  dims: readonly number[],
): Float64Array {
  const out = new Float64Array(dims.length);
  dims.forEach((dim, index) => {
    let sum = 0;
    for (let key = 0; key < keyCount; key++) sum += probabilities[key] * values[key * headDim + dim];
    out[index] = sum;
  });
  return out;
}

/** Sum of a row's first `count` values (float64). */
export function rowSum(values: ArrayLike<number>, count = values.length): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += values[i];
  return sum;
}

/** The largest |a_i - b_i|: how far a recomputation is from the model's own numbers. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const length = Math.min(a.length, b.length);
  let largest = 0;
  for (let i = 0; i < length; i++) largest = Math.max(largest, Math.abs(a[i] - b[i]));
  return largest;
}
