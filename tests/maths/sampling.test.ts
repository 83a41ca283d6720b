import { describe, expect, it } from 'vitest';
import { drawFrom, drawOrder, samplingDistribution, seededRandom } from '../../src/maths/sampling';
import { logSumExp, softmax, topKIndices } from '../../src/maths/softmax';

const LOGITS = [2.0, 1.0, 0.5, -1.0, 3.0];

describe('softmax', () => {
  it('sums to one and keeps the order of the logits', () => {
    const p = softmax(LOGITS);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(topKIndices(p, 5)).toEqual([4, 0, 1, 2, 3]);
    expect(p[4] / p[0]).toBeCloseTo(Math.exp(1), 12);
  });
  it('is stable for huge logits', () => {
    const p = softmax([1000, 1000, -3.4e38]);
    expect([...p]).toEqual([0.5, 0.5, 0]);
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.log(2), 9);
  });
  it('flattens with a high temperature and sharpens with a low one', () => {
    expect(softmax(LOGITS, 10)[4]).toBeLessThan(softmax(LOGITS)[4]);
    expect(softmax(LOGITS, 0.1)[4]).toBeGreaterThan(0.99);
  });
});

describe('sampling distribution', () => {
  it('greedy puts all mass on the argmax', () => {
    expect([...samplingDistribution(LOGITS, { temperature: 0, topK: 0, topP: 1 })]).toEqual([0, 0, 0, 0, 1]);
  });
  it('top-k keeps k tokens, renormalised', () => {
    const d = samplingDistribution(LOGITS, { temperature: 1, topK: 2, topP: 1 });
    const p = softmax(LOGITS);
    expect(d[4]).toBeCloseTo(p[4] / (p[4] + p[0]), 12);
    expect(d[1] + d[2] + d[3]).toBe(0);
  });
  it('top-p keeps the smallest set reaching p', () => {
    const p = softmax(LOGITS);
    const d = samplingDistribution(LOGITS, { temperature: 1, topK: 0, topP: p[4] + 0.01 });
    expect([...d].filter((x) => x > 0)).toHaveLength(2);
    expect(samplingDistribution(LOGITS, { temperature: 1, topK: 0, topP: 0.01 })[4]).toBe(1);
  });
});

describe('sampling distribution over a real-sized vocabulary', () => {
  // The cut found without sorting the whole vocabulary equals the one a full sort gives, ties included.
  const random = seededRandom(3);
  const logits = Float32Array.from({ length: 49_152 }, () => Math.round((random() * 12 - 6) * 8) / 8); // many exact ties
  const bySort = (settings: { temperature: number; topK: number; topP: number }) => {
    const probs = softmax(logits, settings.temperature);
    const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b);
    const keep = new Float64Array(probs.length);
    let cumulative = 0;
    for (let rank = 0; rank < order.length; rank++) {
      if (settings.topK > 0 && rank >= settings.topK) break;
      if (rank > 0 && cumulative >= settings.topP) break;
      keep[order[rank]] = probs[order[rank]];
      cumulative += probs[order[rank]];
    }
    const kept = keep.reduce((a, b) => a + b, 0);
    return keep.map((value) => value / kept);
  };
  it.each([
    { temperature: 0.7, topK: 40, topP: 1 },
    { temperature: 1, topK: 300, topP: 1 },
    { temperature: 0.2, topK: 0, topP: 0.9 },
    { temperature: 1.5, topK: 0, topP: 0.95 },
    { temperature: 1, topK: 50, topP: 0.5 },
  ])('%o', (settings) => {
    expect([...samplingDistribution(logits, settings)]).toEqual([...bySort(settings)]);
  });
});

describe('seeded draws', () => {
  it('repeat for the same seed and follow the distribution', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
    const random = seededRandom(7);
    const dist = [0.1, 0.6, 0.3];
    const counts = [0, 0, 0];
    for (let i = 0; i < 20000; i++) counts[drawFrom(dist, random())]++;
    counts.forEach((c, i) => expect(c / 20000).toBeCloseTo(dist[i], 1));
  });
  it('never draws a token with zero probability', () => {
    expect(drawFrom([0, 1, 0], 0.999999)).toBe(1);
    expect(drawFrom([0.5, 0.5, 0], 0.9999999999)).toBe(1);
  });
});

describe('topKIndices', () => {
  it('equals sorting everything (largest first, ties by lower index) on random values with many ties', () => {
    const random = seededRandom(11);
    for (let trial = 0; trial < 200; trial++) {
      const values = Array.from({ length: 1 + Math.floor(random() * 60) }, () => Math.round(random() * 8) / 2 - 2);
      const k = Math.floor(random() * 12);
      const sorted = values.map((_, i) => i).sort((a, b) => values[b] - values[a] || a - b).slice(0, k);
      expect(topKIndices(values, k), `trial ${trial}`).toEqual(sorted);
    }
  });

  it('ranks NaN below every number, and handles k = 0 and k past the length', () => {
    expect(topKIndices([1, Number.NaN, 3, -Infinity], 4)).toEqual([2, 0, 3, 1]);
    expect(topKIndices([1, 2], 0)).toEqual([]);
    expect(topKIndices([1, 2], 5)).toEqual([1, 0]);
  });
});

describe('the draw walks the likeliest first (the order the sampling slide shows)', () => {
  it('adds up the probabilities in rank order, not in id order', () => {
    const dist = [0.1, 0.2, 0.7]; // ranks: id 2, id 1, id 0
    expect(drawOrder(dist)).toEqual([2, 1, 0]);
    expect(drawFrom(dist, 0.69)).toBe(2); // id order would give id 2 only above 0.3
    expect(drawFrom(dist, 0.75)).toBe(1);
    expect(drawFrom(dist, 0.95)).toBe(0);
  });
  it('skips zeros and breaks ties by the lower id', () => {
    expect(drawOrder([0.25, 0, 0.5, 0.25])).toEqual([2, 0, 3]);
  });
});
