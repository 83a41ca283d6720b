import { describe, expect, it } from 'vitest';
import { binIndex, centralRange, histogram } from '../../src/maths/histogram';

describe('histogram', () => {
  it('counts every finite value once, in the bin whose edges hold it', () => {
    const values = Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 7.3 + (i % 13));
    const bins = histogram(values, 30);
    expect(bins.reduce((sum, bin) => sum + bin.count, 0)).toBe(1000);
    for (const bin of bins) expect(bin.end).toBeGreaterThan(bin.start);
    for (let b = 1; b < bins.length; b++) expect(bins[b].start).toBe(bins[b - 1].end);
    expect(bins[0].start).toBeLessThanOrEqual(Math.min(...values));
    expect(bins[bins.length - 1].end).toBeGreaterThanOrEqual(Math.max(...values));
    for (const v of values.slice(0, 50)) {
      const bin = bins[binIndex(bins, v)];
      expect(v).toBeGreaterThanOrEqual(bin.start);
      expect(v <= bin.end).toBe(true);
    }
  });
  it('puts the maximum in the last bin and uses round edges', () => {
    const bins = histogram([0.1, 0.2, 9.7], 10);
    expect(bins[0].start).toBe(0);
    expect(bins[bins.length - 1].count).toBe(1);
    expect(bins.every((bin) => Number.isInteger(bin.start))).toBe(true);
  });
  it('skips non-finite values and handles empty and constant input', () => {
    expect(histogram([])).toEqual([]);
    expect(histogram([NaN, Infinity])).toEqual([]);
    expect(histogram([2, 2, 2, NaN])).toEqual([{ start: 2, end: 2, count: 3 }]);
    expect(histogram([1, 2, NaN, -Infinity]).reduce((s, b) => s + b.count, 0)).toBe(2);
  });
});

describe('central range', () => {
  const bins = [0, 1, 8, 30, 50, 9, 2].map((count, i) => ({ start: i, end: i + 1, count }));
  it('grows from the fullest bin towards the fuller side until it holds the fraction', () => {
    expect(centralRange(bins, 0.5)).toEqual({ start: 4, end: 5 });
    expect(centralRange(bins, 0.9)).toEqual({ start: 2, end: 6 }); // 8 + 30 + 50 + 9 = 97 of 100
    expect(centralRange(bins, 1)).toEqual({ start: 1, end: 7 }); // the empty first bin adds nothing
    expect(centralRange([], 0.9)).toBeNull();
  });
});
