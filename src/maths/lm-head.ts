// The LM head's arithmetic, for the slide that shows it: a dot product per vocabulary token,
// and how much probability the top k leave for everyone else.
import { dot } from './vectors';

/** Sum of a[i] * b[i] in float64 (the model computes it in float32, so expect ~1e-5 differences). */
export function dotProduct(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`dot product of vectors of length ${a.length} and ${b.length}`);
  return dot(a, b);
}

/** Whether a recomputed logit matches the model's, up to float32 rounding. */
export function logitsAgree(recomputed: number, reported: number): boolean {
  return Math.abs(recomputed - reported) <= 1e-3 * Math.max(1, Math.abs(reported));
}

/** 1 - (sum of the k largest probabilities). */
export function probabilityOutsideTopK(probs: ArrayLike<number>, k: number): number {
  const sorted = Array.from(probs).sort((a, b) => b - a);
  let top = 0;
  for (let i = 0; i < Math.min(k, sorted.length); i++) top += sorted[i];
  return Math.max(0, 1 - top);
}
