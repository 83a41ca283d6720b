// Applies learned merges to text, GPT-2 style: within each pre-tokenized word, repeatedly merge
// the adjacent pair with the lowest rank. Pure module (Node and browser). The deck's real
// tokenization comes from transformers.js; this encoder exists to show the merges one by one
// and to tokenize the training corpus, and a test proves both agree token for token.
import { toByteLevel } from './byte-level';
import { pretokenize } from './pretokenize';

export interface EncodeStep {
  rank: number;
  left: string;
  right: string;
  /** The word's pieces after this merge. */
  pieces: string[];
}

export class BpeEncoder {
  private readonly ranks: Map<string, number>;
  private readonly cache = new Map<string, string[]>();

  constructor(
    readonly vocab: ReadonlyMap<string, number>,
    merges: readonly (readonly [string, string])[],
  ) {
    this.ranks = new Map(merges.map(([left, right], rank) => [`${left} ${right}`, rank]));
  }

  /** Every merge applied to one byte-level word, in order, ending in its tokens. */
  mergeSteps(byteLevelWord: string): { start: string[]; steps: EncodeStep[] } {
    let pieces = Array.from(byteLevelWord);
    const start = [...pieces];
    const steps: EncodeStep[] = [];
    while (pieces.length > 1) {
      let bestRank = Infinity;
      let bestIndex = -1;
      for (let i = 0; i + 1 < pieces.length; i++) {
        const rank = this.ranks.get(`${pieces[i]} ${pieces[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          bestIndex = i;
        }
      }
      if (bestIndex < 0) break;
      const left = pieces[bestIndex];
      const right = pieces[bestIndex + 1];
      const merged: string[] = [];
      for (let i = 0; i < pieces.length; i++) {
        if (i + 1 < pieces.length && pieces[i] === left && pieces[i + 1] === right) {
          merged.push(left + right);
          i++;
        } else merged.push(pieces[i]);
      }
      pieces = merged;
      steps.push({ rank: bestRank, left, right, pieces: [...pieces] });
    }
    return { start, steps };
  }

  /** The byte-level tokens of one pre-tokenized word (cached: corpora repeat words). */
  wordTokens(byteLevelWord: string): string[] {
    let tokens = this.cache.get(byteLevelWord);
    if (!tokens) {
      const { start, steps } = this.mergeSteps(byteLevelWord);
      tokens = steps.length ? steps[steps.length - 1].pieces : start;
      this.cache.set(byteLevelWord, tokens);
    }
    return tokens;
  }

  tokenize(text: string): string[] {
    return pretokenize(text).flatMap((piece) => this.wordTokens(toByteLevel(piece)));
  }

  encode(text: string): number[] {
    return this.tokenize(text).map((token) => {
      const id = this.vocab.get(token);
      if (id === undefined) throw new Error(`token ${JSON.stringify(token)} is not in the vocabulary`);
      return id;
    });
  }
}
