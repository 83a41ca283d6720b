import { describe, expect, it } from 'vitest';
import { highestLossIndex, meanLoss, perplexity, tokenLosses } from '../../src/maths/cross-entropy';

describe('cross-entropy loss', () => {
  const logProbs = [Math.log(0.8), Math.log(0.01), Math.log(0.5)];
  it('turns log-probabilities into losses', () => {
    const losses = tokenLosses(logProbs);
    expect(losses[0]).toBeCloseTo(0.223, 3);
    expect(losses[1]).toBeCloseTo(4.605, 3);
  });
  it('averages them and exponentiates the mean into perplexity', () => {
    const mean = -(Math.log(0.8) + Math.log(0.01) + Math.log(0.5)) / 3;
    expect(meanLoss(logProbs)).toBeCloseTo(mean, 12);
    expect(perplexity(logProbs)).toBeCloseTo(Math.exp(mean), 12);
    expect(perplexity([Math.log(0.25), Math.log(0.25)])).toBeCloseTo(4, 12);
  });
  it('finds the worst prediction, and has nothing to say without terms', () => {
    expect(highestLossIndex(logProbs)).toBe(1);
    expect(highestLossIndex([-1, -1])).toBe(0);
    expect(highestLossIndex([])).toBe(-1);
    expect(meanLoss([])).toBeNull();
    expect(perplexity([])).toBeNull();
  });
});
