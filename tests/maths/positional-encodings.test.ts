import { describe, expect, it } from 'vitest';
import { ropeAngle, ropeFrequency, rotatePair, sinusoidalEncoding, sinusoidalMatrix } from '../../src/maths/positional-encodings';
import { l2Norm, maxAbs } from '../../src/maths/vector-stats';

describe('sinusoidal encoding (Vaswani et al. 2017)', () => {
  it('is sin/cos of pos / 10000^(2i/d)', () => {
    const d = 8;
    const pe = sinusoidalEncoding(3, d);
    for (let i = 0; i < d / 2; i++) {
      expect(pe[2 * i]).toBeCloseTo(Math.sin(3 / 10000 ** ((2 * i) / d)), 14);
      expect(pe[2 * i + 1]).toBeCloseTo(Math.cos(3 / 10000 ** ((2 * i) / d)), 14);
    }
  });
  it('is zeros and ones at position 0, and stays in [-1, 1]', () => {
    expect([...sinusoidalEncoding(0, 4)]).toEqual([0, 1, 0, 1]);
    expect(maxAbs(sinusoidalEncoding(255, 256))).toBeLessThanOrEqual(1);
  });
  it('handles an odd width and stacks rows', () => {
    expect(sinusoidalEncoding(1, 3)).toHaveLength(3);
    const matrix = sinusoidalMatrix([0, 5], 4);
    expect([...matrix.subarray(4)]).toEqual([...sinusoidalEncoding(5, 4)]);
  });
  it('has norm sqrt(d/2) for even d (each pair is a point on the unit circle)', () => {
    expect(l2Norm(sinusoidalEncoding(17, 64))).toBeCloseTo(Math.sqrt(32), 12);
  });
});

describe('RoPE (Su et al. 2021)', () => {
  it('has theta_0 = 1 and slower pairs after it', () => {
    expect(ropeFrequency(0, 64)).toBe(1);
    expect(ropeFrequency(16, 64)).toBeCloseTo(0.01, 14);
    expect(ropeAngle(10, 16, 64)).toBeCloseTo(0.1, 13);
  });
  it('rotates a pair without changing its length', () => {
    const [x, y] = rotatePair(1, 0, Math.PI / 2);
    expect(x).toBeCloseTo(0, 14);
    expect(y).toBeCloseTo(1, 14);
    expect(Math.hypot(...rotatePair(3, 4, 1.234))).toBeCloseTo(5, 13);
  });
  it('makes q.k depend only on the distance between positions', () => {
    const angleQ = (p: number) => ropeAngle(p, 3, 64);
    const dot = (m: number, n: number) => {
      const [qx, qy] = rotatePair(0.3, -0.7, angleQ(m));
      const [kx, ky] = rotatePair(1.1, 0.4, angleQ(n));
      return qx * kx + qy * ky;
    };
    expect(dot(7, 2)).toBeCloseTo(dot(105, 100), 12);
  });
});

describe('vector stats', () => {
  it('norm and max |value|', () => {
    expect(l2Norm([3, 4])).toBe(5);
    expect(maxAbs([0.5, -2, 1])).toBe(2);
    expect(maxAbs([])).toBe(0);
  });
});
