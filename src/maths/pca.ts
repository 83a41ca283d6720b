// Two-component PCA by power iteration with deflation. Written by hand: ~40 lines for a handful of
// points in a few hundred dimensions, where a linear-algebra library would be most of the bundle.
import { dot } from './vectors';

export interface Projection2d {
  points: [number, number][];
  /** Share of the total variance each component explains. */
  explainedVariance: [number, number];
}

export function pca2d(vectors: ArrayLike<number>[], iterations = 200): Projection2d {
  const n = vectors.length;
  if (n === 0) return { points: [], explainedVariance: [0, 0] };
  const width = vectors[0].length;
  const mean = new Float64Array(width);
  for (const v of vectors) for (let i = 0; i < width; i++) mean[i] += v[i] / n;
  const centred = vectors.map((v) => Float64Array.from({ length: width }, (_, i) => v[i] - mean[i]));
  const totalVariance = centred.reduce((sum, v) => sum + dot(v, v), 0);

  const components: Float64Array[] = [];
  const variances: number[] = [];
  for (let c = 0; c < 2; c++) {
    // Deterministic start, so the picture is the same on every run.
    let direction = Float64Array.from({ length: width }, (_, i) => 1 + ((i * 7919) % 13) / 13);
    for (let step = 0; step < iterations; step++) {
      const next = new Float64Array(width);
      for (const v of centred) {
        const along = dot(v, direction);
        for (let i = 0; i < width; i++) next[i] += along * v[i];
      }
      const before = Math.sqrt(dot(next, next));
      // Twice: one Gram-Schmidt pass leaves rounding error along earlier components.
      for (let pass = 0; pass < 2; pass++) {
        for (const previous of components) {
          const overlap = dot(next, previous);
          for (let i = 0; i < width; i++) next[i] -= overlap * previous[i];
        }
      }
      const length = Math.sqrt(dot(next, next));
      if (length <= 1e-9 * before || length === 0) {
        direction = new Float64Array(width); // no variance left outside earlier components
        break;
      }
      const updated = next.map((x) => x / length);
      const change = Math.abs(1 - Math.abs(dot(updated, direction) / Math.sqrt(dot(direction, direction))));
      direction = updated;
      if (change < 1e-12) break; // converged: the direction no longer turns
    }
    components.push(direction);
    variances.push(centred.reduce((sum, v) => sum + dot(v, direction) ** 2, 0));
  }
  return {
    points: centred.map((v) => [dot(v, components[0]), dot(v, components[1])]),
    explainedVariance: [variances[0] / (totalVariance || 1), variances[1] / (totalVariance || 1)],
  };
}
