import { describe, expect, it } from 'vitest';
import { dotProduct, logitsAgree, probabilityOutsideTopK } from '../../src/maths/lm-head';
import { eligibleCount, rankOf } from '../../src/maths/sampling-summary';

describe('LM head arithmetic', () => {
  it('computes dot products and refuses mismatched lengths', () => {
    expect(dotProduct([1, 2, 3], Float32Array.from([4, -5, 6]))).toBe(12);
    expect(() => dotProduct([1], [1, 2])).toThrow();
  });
  it('accepts float32 rounding and rejects real differences', () => {
    expect(logitsAgree(12.9713697, 12.971370697)).toBe(true);
    expect(logitsAgree(1.5, 1.6)).toBe(false);
  });
  it('sums what the top k leave', () => {
    expect(probabilityOutsideTopK([0.1, 0.5, 0.2, 0.2], 2)).toBeCloseTo(0.3, 12);
    expect(probabilityOutsideTopK([0.5, 0.5], 10)).toBe(0);
  });
});

describe('sampling summary', () => {
  it('counts drawable tokens and ranks ids', () => {
    expect(eligibleCount([0, 0.5, 0, 0.5])).toBe(2);
    expect(rankOf([0.1, 0.5, 0.2, 0.2], 1)).toBe(1);
    expect(rankOf([0.1, 0.5, 0.2, 0.2], 3)).toBe(3);
    expect(rankOf([0.1, 0.5, 0.2, 0.2], 0)).toBe(4);
  });
});
