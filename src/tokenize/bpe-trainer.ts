// A byte-level BPE trainer (GPT-2 style). Written by hand: the npm tokenizer libraries only
// *apply* merges; none trains a vocabulary in the browser, merge by merge, as the BPE slide needs.
// Pure module: no Node imports, so the deck runs it on a tiny corpus too.
import { BYTES_IN_VOCAB_ORDER, BYTE_TO_CHAR, toByteLevel } from './byte-level';
import { pretokenize } from './pretokenize';

export interface MergeStep {
  /** 0 for the first merge learned; lower ranks are applied first when encoding. */
  rank: number;
  left: string;
  right: string;
  merged: string;
  /** How many times the pair occurred in the corpus when it was chosen. */
  count: number;
}

export interface BpeVocabulary {
  /** token -> id: the 256 byte tokens, then one per merge, then the special tokens. */
  vocab: Map<string, number>;
  merges: MergeStep[];
  specialTokens: string[];
}

export interface TrainOptions {
  /** Total vocabulary size, bytes and special tokens included. */
  vocabSize: number;
  specialTokens?: string[];
  /** Stop when the best pair occurs fewer times than this (default 2: a pair seen once teaches nothing). */
  minPairCount?: number;
}

/** Counts of each pre-tokenized word, written in the byte-level alphabet. */
export function countWords(texts: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const piece of pretokenize(text)) {
      const word = toByteLevel(piece);
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  return counts;
}

// Pairs of symbol ids packed in one number, so Maps key on numbers, not strings.
const PAIR_BASE = 1 << 20;
const packPair = (left: number, right: number) => left * PAIR_BASE + right;
const unpackPair = (pair: number): [number, number] => [Math.floor(pair / PAIR_BASE), pair % PAIR_BASE];

/** Max-heap of [count, pair]; stale entries are skipped when popped (their count changed). */
class PairHeap {
  private items: [number, number][] = [];
  get size() {
    return this.items.length;
  }
  // Higher count first; on a tie the smaller pair, so training is deterministic.
  private before(a: [number, number], b: [number, number]) {
    return a[0] > b[0] || (a[0] === b[0] && a[1] < b[1]);
  }
  push(item: [number, number]) {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }
  pop(): [number, number] | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && this.before(items[l], items[best])) best = l;
        if (r < items.length && this.before(items[r], items[best])) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best], items[i]];
        i = best;
      }
    }
    return top;
  }
}

/**
 * Learn merges from word counts until the vocabulary reaches `vocabSize`.
 * `onMerge` sees each merge as it is learned (the BPE slide animates them).
 */
export function trainBpeFromWordCounts(
  wordCounts: Map<string, number>,
  options: TrainOptions,
  onMerge?: (step: MergeStep) => void,
): BpeVocabulary {
  const specialTokens = options.specialTokens ?? [];
  const minPairCount = options.minPairCount ?? 2;
  const symbols: string[] = BYTES_IN_VOCAB_ORDER.map((b) => BYTE_TO_CHAR[b]);
  const symbolId = new Map(symbols.map((s, i) => [s, i]));
  const mergeBudget = options.vocabSize - symbols.length - specialTokens.length;
  if (mergeBudget < 0) throw new Error(`vocabSize ${options.vocabSize} is below the ${symbols.length} byte tokens`);

  const words: number[][] = [];
  const counts: number[] = [];
  for (const [word, count] of wordCounts) {
    words.push(Array.from(word, (ch) => symbolId.get(ch)!));
    counts.push(count);
  }

  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPairs = (wordIndex: number, sign: 1 | -1, changed: Set<number>) => {
    const word = words[wordIndex];
    for (let i = 0; i + 1 < word.length; i++) {
      const pair = packPair(word[i], word[i + 1]);
      pairCounts.set(pair, (pairCounts.get(pair) ?? 0) + sign * counts[wordIndex]);
      changed.add(pair);
      if (sign > 0) {
        let set = pairWords.get(pair);
        if (!set) pairWords.set(pair, (set = new Set()));
        set.add(wordIndex);
      }
    }
  };

  const initial = new Set<number>();
  words.forEach((_, i) => addPairs(i, 1, initial));
  const heap = new PairHeap();
  for (const pair of initial) heap.push([pairCounts.get(pair)!, pair]);

  const merges: MergeStep[] = [];
  while (merges.length < mergeBudget && heap.size > 0) {
    const [count, pair] = heap.pop()!;
    if (pairCounts.get(pair) !== count) continue; // stale entry
    if (count < minPairCount) break;
    const [left, right] = unpackPair(pair);
    const mergedId = symbols.length;
    symbols.push(symbols[left] + symbols[right]);
    const step: MergeStep = { rank: merges.length, left: symbols[left], right: symbols[right], merged: symbols[mergedId], count };
    merges.push(step);
    onMerge?.(step);

    const changed = new Set<number>();
    for (const wordIndex of pairWords.get(pair) ?? []) {
      const word = words[wordIndex];
      if (!containsPair(word, left, right)) continue; // the set is not pruned when words change
      addPairs(wordIndex, -1, changed);
      words[wordIndex] = mergePairInWord(word, left, right, mergedId);
      addPairs(wordIndex, 1, changed);
    }
    pairWords.delete(pair);
    for (const p of changed) {
      const c = pairCounts.get(p)!;
      if (c > 0) heap.push([c, p]);
      else pairCounts.delete(p);
    }
  }

  const vocab = new Map<string, number>();
  symbols.forEach((s, i) => vocab.set(s, i));
  for (const special of specialTokens) vocab.set(special, vocab.size);
  return { vocab, merges, specialTokens };
}

/** Train on raw texts (each text is pre-tokenized on its own). */
export function trainBpe(texts: Iterable<string>, options: TrainOptions, onMerge?: (step: MergeStep) => void): BpeVocabulary {
  return trainBpeFromWordCounts(countWords(texts), options, onMerge);
}

function containsPair(word: number[], left: number, right: number): boolean {
  for (let i = 0; i + 1 < word.length; i++) if (word[i] === left && word[i + 1] === right) return true;
  return false;
}

function mergePairInWord(word: number[], left: number, right: number, merged: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < word.length; i++) {
    if (i + 1 < word.length && word[i] === left && word[i + 1] === right) {
      out.push(merged);
      i++;
    } else out.push(word[i]);
  }
  return out;
}
