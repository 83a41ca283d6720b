// The bench's statistics: what its table and JSON say is the median, the minimum, a ratio and a rate.
import { describe, expect, it } from 'vitest';
import { generationSummary, median, ratio, round, summary } from '../../src/bench/statistics';

describe('bench statistics', () => {
  it('takes the middle sample, or the mean of the middle two, without reordering the samples', () => {
    const samples = [9, 1, 5];
    expect(median(samples)).toBe(5);
    expect(samples).toEqual([9, 1, 5]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('summarises samples as median and min, rounded to hundredths, keeping every sample in order', () => {
    expect(summary([10.004, 3.336, 7.125, 12])).toEqual({ medianMs: 8.56, minMs: 3.34, samplesMs: [10, 3.34, 7.13, 12] });
  });

  it('rounds ratios to two decimals: figure over baseline', () => {
    expect(ratio(30, 10)).toBe(3);
    expect(ratio(10, 3)).toBe(3.33);
    expect(round(1.23456, 3)).toBe(1.235);
  });

  it("gives a generation's tokens per second at the median and at the best run", () => {
    const g = generationSummary({ promptTokens: 8, maxNewTokens: 32, runs: [{ ms: 400, newTokens: 32 }, { ms: 800, newTokens: 32 }, { ms: 500, newTokens: 32 }], ids: [1, 2, 3] });
    expect(g).toEqual({ newTokens: 32, runs: 3, medianMs: 500, minMs: 400, tokensPerSecond: 64, bestTokensPerSecond: 80, ids: [1, 2, 3] });
  });
});
