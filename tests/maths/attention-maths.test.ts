import { describe, expect, it } from 'vitest';
import { dotProduct, entropyBits, isMaskedScore, maxAbsDifference, rawDotProducts, rowSum, weightedValueSum } from '../../src/maths/attention-maths';

describe('attention maths', () => {
  it('takes dot products of one query with every key row', () => {
    expect(dotProduct([1, 2, 3], [4, -5, 6])).toBe(12);
    const keys = Float32Array.from([1, 0, 0, 1, 2, 2]); // three keys of width 2
    expect([...rawDotProducts([3, 4], keys, 3, 2)]).toEqual([3, 4, 14]);
    expect([...rawDotProducts([3, 4], keys, 2, 2)]).toEqual([3, 4]);
  });

  it('treats the float32 minimum and -Infinity as masked, real scores as not', () => {
    expect(isMaskedScore(-3.4028234663852886e38)).toBe(true);
    expect(isMaskedScore(-Infinity)).toBe(true);
    expect(isMaskedScore(-1e4)).toBe(false);
    expect(isMaskedScore(0)).toBe(false);
  });

  it('measures entropy in bits: 0 for one-hot, log2(n) for uniform', () => {
    expect(entropyBits([0, 1, 0])).toBe(0);
    expect(entropyBits([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(2, 12);
    expect(entropyBits([0.5, 0.5, 0.9], 2)).toBeCloseTo(1, 12);
    expect(entropyBits([1 + 1e-9])).toBe(0);
  });

  it('sums value vectors weighted by the probabilities', () => {
    const values = [1, 10, 2, 20, 3, 30]; // three keys of width 2
    expect([...weightedValueSum([0.5, 0.25, 0.25], values, 3, 2, [0, 1])]).toEqual([1.75, 17.5]);
    expect([...weightedValueSum([1, 0, 0], values, 1, 2, [1])]).toEqual([10]);
    expect(rowSum([0.5, 0.25, 0.25])).toBe(1);
    expect(rowSum([0.5, 0.25, 0.25], 2)).toBe(0.75);
  });

  it('reports the largest difference between two arrays', () => {
    expect(maxAbsDifference([1, 2, 3], [1, 2.5, 2])).toBe(1);
  });
});
