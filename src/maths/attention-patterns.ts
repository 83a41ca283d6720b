// Summaries of one head's whole [queries x keys] attention matrix: how spread out it is, which simple
// pattern (previous token, first token, itself) it follows, and a pooled copy small enough to draw.
import { entropyBits } from './attention-maths';

/** previous/first/self: mostly one fixed key; focused: mostly one key that varies; spread: no single key. */
export type HeadPatternKind = 'previous' | 'first' | 'self' | 'focused' | 'spread';

export interface HeadPattern {
  kind: HeadPatternKind;
  /** The mean weight on the pattern's key ("focused": on each row's largest; "spread": on the best of the three fixed keys). */
  share: number;
  /** Mean over queries of each row's entropy, in bits. */
  meanEntropyBits: number;
  /** Mean weight on key q-1, on key 0 and on key q, over the queries where those are distinct keys. */
  previousShare: number;
  firstShare: number;
  selfShare: number;
  /** Mean over those queries of the largest weight in the row, whichever key holds it. */
  maxShare: number;
}

/** A pattern is named only when it holds at least this mean weight; below it the head is "spread". */
export const PATTERN_THRESHOLD = 0.5;

/**
 * probs: [heads, n, n] row-major. Queries 0 and 1 are left out of the shares: for them "first",
 * "previous" and "self" are the same key, so they would count for every pattern at once.
 */
export function headPattern(probs: ArrayLike<number>, head: number, n: number): HeadPattern {
  const base = head * n * n;
  let entropySum = 0;
  for (let query = 0; query < n; query++) {
    const offset = base + query * n;
    entropySum += entropyBits(Array.prototype.slice.call(probs, offset, offset + query + 1) as number[]);
  }
  let previous = 0;
  let first = 0;
  let self = 0;
  let largest = 0;
  let counted = 0;
  for (let query = 2; query < n; query++) {
    const offset = base + query * n;
    let rowMax = 0;
    for (let key = 0; key <= query; key++) rowMax = Math.max(rowMax, probs[offset + key]);
    largest += rowMax;
    previous += probs[offset + query - 1];
    first += probs[offset];
    self += probs[offset + query];
    counted++;
  }
  const meanEntropyBits = n > 0 ? entropySum / n : 0;
  if (counted === 0) {
    return { kind: 'spread', share: 0, meanEntropyBits, previousShare: Number.NaN, firstShare: Number.NaN, selfShare: Number.NaN, maxShare: Number.NaN };
  }
  const maxShare = largest / counted;
  const shares: [HeadPatternKind, number][] = [
    ['previous', previous / counted],
    ['first', first / counted],
    ['self', self / counted],
  ];
  const [bestKind, bestShare] = shares.reduce((best, next) => (next[1] > best[1] ? next : best));
  const kind: HeadPatternKind = bestShare >= PATTERN_THRESHOLD ? bestKind : maxShare >= PATTERN_THRESHOLD ? 'focused' : 'spread';
  return {
    kind,
    share: kind === 'focused' ? maxShare : bestShare,
    meanEntropyBits,
    previousShare: shares[0][1],
    firstShare: shares[1][1],
    selfShare: shares[2][1],
    maxShare,
  };
}

export interface PooledAttention {
  /** Number of rows and columns after pooling. */
  size: number;
  /** Tokens per block (1: no pooling). */
  blockSize: number;
  /** [size x size]: for each block of queries, the mean over those queries of the weight they give a block of keys. */
  values: Float64Array;
}

/**
 * Shrinks an n x n attention matrix to at most maxSize x maxSize so that long prompts stay drawable:
 * block (r, c) holds the mean, over the queries in block r, of the summed weight on the keys in block c.
 * Each pooled row still sums to 1 (every query's weights do).
 */
export function poolAttention(probs: ArrayLike<number>, head: number, n: number, maxSize: number): PooledAttention {
  const blockSize = Math.max(1, Math.ceil(n / Math.max(1, maxSize)));
  const size = Math.ceil(n / blockSize);
  const values = new Float64Array(size * size);
  const base = head * n * n;
  for (let query = 0; query < n; query++) {
    const row = Math.floor(query / blockSize);
    const queriesInBlock = Math.min(n, (row + 1) * blockSize) - row * blockSize;
    for (let key = 0; key <= query; key++) {
      values[row * size + Math.floor(key / blockSize)] += probs[base + query * n + key] / queriesInBlock;
    }
  }
  return { size, blockSize, values };
}

/** A pooled block is wholly masked when every key in it comes after every query in its row block. */
export function isPooledBlockMasked(row: number, col: number): boolean {
  return col > row;
}
