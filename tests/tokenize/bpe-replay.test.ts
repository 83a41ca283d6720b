import { describe, expect, it } from 'vitest';
import { trainBpe } from '../../src/tokenize/bpe-trainer';
import { trainBpeRun } from '../../src/tokenize/bpe-replay';

describe('BPE replay', () => {
  it('learns lo, low, Ġlow, Ġlowe from "low lower lowest" and then stops (no pair occurs twice)', () => {
    const run = trainBpeRun('low lower lowest', 20);
    expect(run.merges.map((m) => m.merged)).toEqual(['lo', 'low', 'Ġlow', 'Ġlowe']);
    expect(run.merges.map((m) => m.count)).toEqual([3, 3, 2, 2]);
    expect(run.words.map((w) => w.word)).toEqual(['low', 'Ġlower', 'Ġlowest']);
    expect(run.segmentations[0][1]).toEqual(['Ġ', 'l', 'o', 'w', 'e', 'r']);
    expect(run.segmentations[4]).toEqual([['low'], ['Ġlowe', 'r'], ['Ġlowe', 's', 't']]);
  });

  it('replays exactly the trainer\'s merges: the top pair of each step is the merge it chose', () => {
    const corpus = 'the cat sat on the mat; the hat sat on the cat. That hat!';
    const run = trainBpeRun(corpus, 20);
    const trained = trainBpe([corpus], { vocabSize: 256 + 20 });
    expect(run.merges).toEqual(trained.merges);
    run.merges.forEach((merge, step) => {
      const [top] = run.pairCounts[step];
      expect([top.left, top.right, top.count]).toEqual([merge.left, merge.right, merge.count]);
      expect(run.segmentations[step + 1].flat().join('')).toBe(run.segmentations[0].flat().join(''));
    });
  });

  it('counts pairs weighted by how often each word occurs', () => {
    const run = trainBpeRun('ab ab ab', 0);
    expect(run.merges).toEqual([]);
    expect(run.pairCounts[0]).toEqual([
      { left: 'Ġ', right: 'a', count: 2 },
      { left: 'a', right: 'b', count: 3 },
    ].sort((x, y) => y.count - x.count));
  });

  it('handles an empty corpus', () => {
    const run = trainBpeRun('', 20);
    expect(run.words).toEqual([]);
    expect(run.pairCounts).toEqual([[]]);
  });
});
