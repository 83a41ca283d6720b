import { describe, expect, it } from 'vitest';
import { euclideanNorm, meanStd, standardise } from '../../src/maths/layer-norm-stats';

describe('layer-norm statistics', () => {
  it('measures length, mean and population standard deviation', () => {
    expect(euclideanNorm([3, 4])).toBe(5);
    expect(euclideanNorm([])).toBe(0);
    expect(meanStd([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, std: 2 });
    expect(Number.isNaN(meanStd([]).mean)).toBe(true);
  });

  it('standardises to mean 0 and a standard deviation just under 1', () => {
    const x = [2, 4, 4, 4, 5, 5, 7, 9];
    const out = standardise(x, 1e-5);
    const stats = meanStd(out);
    expect(stats.mean).toBeCloseTo(0, 12);
    expect(stats.std).toBeCloseTo(2 / Math.sqrt(4 + 1e-5), 12);
    expect(stats.std).toBeLessThan(1);
    expect(out[0]).toBeCloseTo(-3 / Math.sqrt(4 + 1e-5), 12);
  });

  it('maps a constant vector to zeros (eps avoids dividing by zero)', () => {
    expect([...standardise([3, 3, 3], 1e-5)]).toEqual([0, 0, 0]);
  });
});
