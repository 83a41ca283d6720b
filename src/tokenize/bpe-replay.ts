// Replays a BPE training run step by step for the BPE slide: after each merge, how every word is
// segmented and how often each adjacent pair occurs (the counts that choose the next merge).
// The trainer (bpe-trainer.ts) learns the merges; this only re-applies them in order, so the
// slide shows exactly the run the trainer made. Pure: runs in the browser.
import { BYTES_IN_VOCAB_ORDER } from './byte-level';
import { countWords, trainBpeFromWordCounts, type MergeStep } from './bpe-trainer';

export interface PairCount {
  left: string;
  right: string;
  /** Occurrences in the corpus: each word's adjacent pairs times the word's count. */
  count: number;
}

export interface CorpusWord {
  /** The pre-tokenized word in the byte-level alphabet ("Ġlower"). */
  word: string;
  count: number;
}

export interface BpeRun {
  words: CorpusWord[];
  merges: MergeStep[];
  /** segmentations[step][wordIndex]: the word's symbols after `step` merges (step 0: single bytes). */
  segmentations: string[][][];
  /** pairCounts[step]: every adjacent pair before merge `step`, most frequent first, ties as the trainer breaks them. */
  pairCounts: PairCount[][];
  /** The trainer's rule: a pair must occur at least this often to be merged. */
  minPairCount: number;
}

function applyMerge(symbols: string[], merge: MergeStep): string[] {
  const out: string[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (i + 1 < symbols.length && symbols[i] === merge.left && symbols[i + 1] === merge.right) {
      out.push(merge.merged);
      i++;
    } else out.push(symbols[i]);
  }
  return out;
}

function countPairs(segmentation: string[][], words: CorpusWord[], symbolRank: (symbol: string) => number): PairCount[] {
  const counts = new Map<string, PairCount>();
  segmentation.forEach((symbols, w) => {
    for (let i = 0; i + 1 < symbols.length; i++) {
      const key = `${symbols[i]}\u0000${symbols[i + 1]}`; // NUL never occurs in the byte-level alphabet
      const entry = counts.get(key) ?? { left: symbols[i], right: symbols[i + 1], count: 0 };
      entry.count += words[w].count;
      counts.set(key, entry);
    }
  });
  // The trainer breaks ties by the smaller (left id, right id); ids follow vocabulary order.
  return [...counts.values()].sort((a, b) => b.count - a.count || symbolRank(a.left) - symbolRank(b.left) || symbolRank(a.right) - symbolRank(b.right));
}

/** Trains on the corpus (at most `maxMerges` merges) and records every intermediate state. */
export function trainBpeRun(corpus: string, maxMerges: number, minPairCount = 2): BpeRun {
  const wordCounts = countWords([corpus]);
  const vocabulary = trainBpeFromWordCounts(wordCounts, { vocabSize: BYTES_IN_VOCAB_ORDER.length + Math.max(0, Math.floor(maxMerges)), minPairCount });
  const words = [...wordCounts].map(([word, count]) => ({ word, count }));
  const symbolRank = (symbol: string) => vocabulary.vocab.get(symbol) ?? Number.MAX_SAFE_INTEGER;

  let current = words.map(({ word }) => Array.from(word));
  const segmentations = [current];
  const pairCounts = [countPairs(current, words, symbolRank)];
  for (const merge of vocabulary.merges) {
    current = current.map((symbols) => applyMerge(symbols, merge));
    segmentations.push(current);
    pairCounts.push(countPairs(current, words, symbolRank));
  }
  return { words, merges: vocabulary.merges, segmentations, pairCounts, minPairCount };
}
