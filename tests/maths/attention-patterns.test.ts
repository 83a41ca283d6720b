import { describe, expect, it } from 'vitest';
import { headPattern, isPooledBlockMasked, poolAttention } from '../../src/maths/attention-patterns';

/** [1, n, n] causal matrix whose row q is given by rowOf(q). */
function matrix(n: number, rowOf: (query: number) => number[]): Float32Array {
  const data = new Float32Array(n * n);
  for (let q = 0; q < n; q++) data.set(rowOf(q), q * n);
  return data;
}

function oneHot(n: number, at: number): number[] {
  return Array.from({ length: n }, (_, i) => (i === at ? 1 : 0));
}

describe('head patterns', () => {
  const n = 6;
  it('recognises previous-token, first-token and self heads', () => {
    expect(headPattern(matrix(n, (q) => oneHot(n, Math.max(0, q - 1))), 0, n).kind).toBe('previous');
    expect(headPattern(matrix(n, () => oneHot(n, 0)), 0, n).kind).toBe('first');
    const self = headPattern(matrix(n, (q) => oneHot(n, q)), 0, n);
    expect(self.kind).toBe('self');
    expect(self.share).toBe(1);
    expect(self.meanEntropyBits).toBe(0);
  });

  it('calls a head focused when each row has one big weight on a varying key, spread when uniform', () => {
    const focused = headPattern(matrix(n, (q) => oneHot(n, q >= 4 ? 1 : Math.max(0, q - 2))), 0, n);
    expect(focused.kind).toBe('focused');
    expect(focused.maxShare).toBe(1);
    const uniform = headPattern(matrix(n, (q) => Array.from({ length: n }, (_, k) => (k <= q ? 1 / (q + 1) : 0))), 0, n);
    expect(uniform.kind).toBe('spread');
    // mean over rows of log2(q + 1)
    const expected = [1, 2, 3, 4, 5, 6].reduce((sum, size) => sum + Math.log2(size), 0) / n;
    expect(uniform.meanEntropyBits).toBeCloseTo(expected, 5);
  });

  it('reads the right head of a [heads, n, n] block', () => {
    const data = new Float32Array(2 * n * n);
    data.set(matrix(n, () => oneHot(n, 0)), 0);
    data.set(matrix(n, (q) => oneHot(n, q)), n * n);
    expect(headPattern(data, 0, n).kind).toBe('first');
    expect(headPattern(data, 1, n).kind).toBe('self');
  });

  it('has no pattern for one or two tokens, without failing', () => {
    expect(headPattern([1], 0, 1).kind).toBe('spread');
    expect(headPattern([1, 0, 0.5, 0.5], 0, 2).meanEntropyBits).toBeCloseTo(0.5, 12);
  });
});

describe('pooled attention', () => {
  it('keeps small matrices as they are', () => {
    const data = matrix(3, (q) => Array.from({ length: 3 }, (_, k) => (k <= q ? 1 / (q + 1) : 0)));
    const pooled = poolAttention(data, 0, 3, 8);
    expect(pooled.blockSize).toBe(1);
    expect(pooled.size).toBe(3);
    expect(pooled.values[2 * 3 + 1]).toBeCloseTo(1 / 3, 6);
  });

  it('pools blocks so that each pooled row still sums to one', () => {
    const n = 10;
    const data = matrix(n, (q) => Array.from({ length: n }, (_, k) => (k <= q ? 1 / (q + 1) : 0)));
    const pooled = poolAttention(data, 0, n, 4);
    expect(pooled.blockSize).toBe(3);
    expect(pooled.size).toBe(4);
    for (let row = 0; row < pooled.size; row++) {
      let sum = 0;
      for (let col = 0; col < pooled.size; col++) sum += pooled.values[row * pooled.size + col];
      expect(sum).toBeCloseTo(1, 6);
    }
    // Block (0, 0): queries 0..2 give keys 0..2 all their weight.
    expect(pooled.values[0]).toBeCloseTo(1, 6);
    expect(pooled.values[1]).toBe(0);
    expect(isPooledBlockMasked(0, 1)).toBe(true);
    expect(isPooledBlockMasked(1, 1)).toBe(false);
  });
});
