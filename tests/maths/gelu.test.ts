import { describe, expect, it } from 'vitest';
import { GELU_MINIMUM, geluMismatch, geluTanh, summariseActivations } from '../../src/maths/gelu';

describe('GELU (tanh approximation)', () => {
  it('passes large positive inputs, silences large negative ones, and is 0 at 0', () => {
    expect(geluTanh(0)).toBe(0);
    expect(geluTanh(10)).toBeCloseTo(10, 9);
    expect(geluTanh(-10)).toBeCloseTo(0, 9);
  });

  // Reference values from Python's math.tanh, written out.
  it('matches reference values of 0.5x(1+tanh(sqrt(2/pi)(x+0.044715x^3)))', () => {
    expect(geluTanh(1)).toBeCloseTo(0.8411919906, 9);
    expect(geluTanh(-1)).toBeCloseTo(-0.1588080094, 9);
    expect(geluTanh(0.5)).toBeCloseTo(0.3457140098, 9);
  });

  it('never goes much below its minimum of about -0.17', () => {
    let lowest = 0;
    for (let x = -5; x <= 0; x += 0.001) lowest = Math.min(lowest, geluTanh(x));
    expect(lowest).toBeGreaterThan(GELU_MINIMUM - 0.001);
    expect(lowest).toBeLessThan(GELU_MINIMUM + 0.001);
  });

  it('counts negative and quiet neurons and measures a mismatch', () => {
    expect(summariseActivations([-0.1, 0, 0.01, 0.2, 3], 0.05)).toEqual({ count: 5, negative: 1, quiet: 3, nearZero: 0.05 });
    const pre = [-2, -0.5, 0, 1, 2];
    expect(geluMismatch(pre, pre.map(geluTanh))).toBe(0);
    expect(geluMismatch(pre, pre.map((x, i) => geluTanh(x) + (i === 3 ? 0.25 : 0)))).toBeCloseTo(0.25, 12);
  });
});
