// Small statistics of one vector (an embedding row), in float64.
import { norm } from './vectors';

/** Euclidean length: sqrt(sum of squares). */
export const l2Norm = norm;

/** The largest |value| (0 for an empty vector; non-finite values are skipped). */
export function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) max = Math.max(max, Math.abs(values[i]));
  return max;
}
