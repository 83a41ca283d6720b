import { describe, expect, it } from 'vitest';
import { pca2d } from '../../src/maths/pca';
import { dot, layerNorm, meanAndStd } from '../../src/maths/vectors';

describe('pca2d', () => {
  it('puts points on a line on the first component with all the variance', () => {
    const points = [0, 1, 2, 3, 4].map((t) => [t, 2 * t, -t]);
    const { points: projected, explainedVariance } = pca2d(points);
    expect(explainedVariance[0]).toBeCloseTo(1, 9);
    expect(explainedVariance[1]).toBeCloseTo(0, 9);
    const spacing = projected.map((p, i) => (i ? Math.abs(p[0] - projected[i - 1][0]) : 0)).slice(1);
    spacing.forEach((s) => expect(s).toBeCloseTo(Math.sqrt(6), 6));
  });
  it('keeps distances in a plane', () => {
    const points = [[0, 0, 5], [3, 0, 5], [0, 4, 5], [3, 4, 5]];
    const { points: p } = pca2d(points);
    const distance = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1]);
    expect(distance(p[0], p[3])).toBeCloseTo(5, 6);
    expect(distance(p[0], p[1])).toBeCloseTo(3, 6);
  });
});

describe('layerNorm', () => {
  it('gives mean 0 and std ~1 before gain and bias', () => {
    const x = [1, 2, 3, 4, 10];
    const out = layerNorm(x, [1, 1, 1, 1, 1], [0, 0, 0, 0, 0], 1e-5);
    const { mean, std } = meanAndStd(out);
    expect(mean).toBeCloseTo(0, 12);
    expect(std).toBeCloseTo(1, 4);
    expect(dot([1, 2], [3, 4])).toBe(11);
  });
});
