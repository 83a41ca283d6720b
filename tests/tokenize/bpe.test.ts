import { describe, expect, it } from 'vitest';
import { byteLevelToText, toByteLevel, utf8Bytes } from '../../src/tokenize/byte-level';
import { BpeEncoder } from '../../src/tokenize/bpe-encoder';
import { trainBpe } from '../../src/tokenize/bpe-trainer';
import { pretokenize } from '../../src/tokenize/pretokenize';
import { ADVERSARIAL_TEXTS } from './adversarial-texts';

const SMALL_CORPUS = [
  'low lower lowest. The lowest price is lower than the low price.',
  'New newer newest. Show me the newest and the widest road.',
  'Emoji 🍪🍪 and 日本語 and café, every line\n\twith tabs.',
];

describe('byte-level BPE trainer', () => {
  it('learns the most frequent pair first, deterministically', () => {
    const steps = trainBpe(['low lower lowest'], { vocabSize: 256 + 3 }).merges;
    // "low", " lower", " lowest": l+o, o+w appear 3 times; ties go to the smaller pair of ids.
    expect(steps.map((s) => [s.left, s.right, s.count])).toEqual([
      ['l', 'o', 3],
      ['lo', 'w', 3],
      ['Ġ', 'low', 2],
    ]);
    expect(trainBpe(['low lower lowest'], { vocabSize: 259 }).merges).toEqual(steps);
  });

  it('stops at the requested vocabulary size, special tokens included', () => {
    const bpe = trainBpe(SMALL_CORPUS, { vocabSize: 280, specialTokens: ['<|endoftext|>'] });
    expect(bpe.vocab.size).toBe(280);
    expect(bpe.vocab.get('<|endoftext|>')).toBe(279);
    expect(new Set(bpe.vocab.values()).size).toBe(280);
  });

  it('never merges across a pre-tokenized word', () => {
    const bpe = trainBpe(['a b a b a b a b'], { vocabSize: 300 });
    for (const m of bpe.merges) expect(m.merged.slice(1)).not.toContain('Ġ');
  });

  it('rejects a vocabulary smaller than the byte alphabet', () => {
    expect(() => trainBpe(['x'], { vocabSize: 100 })).toThrow(/below the 256 byte tokens/);
  });
});

describe('BPE encoder', () => {
  const bpe = trainBpe(SMALL_CORPUS, { vocabSize: 320, specialTokens: ['<|endoftext|>'] });
  const encoder = new BpeEncoder(bpe.vocab, bpe.merges.map((m) => [m.left, m.right] as const));
  const idToToken = new Map([...bpe.vocab].map(([t, id]) => [id, t]));

  for (const [name, text] of Object.entries(ADVERSARIAL_TEXTS)) {
    it(`round-trips ${name} text exactly`, () => {
      const ids = encoder.encode(text);
      expect(byteLevelToText(ids.map((id) => idToToken.get(id)!))).toBe(text);
    });
  }

  it('turns lone surrogates into U+FFFD', () => {
    const text = 'a\ud800b\udfffc';
    const ids = encoder.encode(text);
    expect(byteLevelToText(ids.map((id) => idToToken.get(id)!))).toBe('a\ufffdb\ufffdc');
  });

  it('records each merge of a word with its rank, ending in the word tokens', () => {
    const word = toByteLevel(' lowest');
    const { start, steps } = encoder.mergeSteps(word);
    expect(start.join('')).toBe(word);
    const ranks = steps.map((s) => s.rank);
    for (const step of steps) expect(bpe.merges[step.rank]).toMatchObject({ left: step.left, right: step.right });
    expect(steps.at(-1)!.pieces).toEqual(encoder.wordTokens(word));
    expect(ranks.length).toBeGreaterThan(0);
  });
});

describe('pre-tokenizer and bytes', () => {
  it('attaches a space to the start of the next word', () => {
    expect(pretokenize('How do I bake?')).toEqual(['How', ' do', ' I', ' bake', '?']);
  });
  it('writes accents and emoji as several bytes', () => {
    expect([...utf8Bytes('é')]).toEqual([0xc3, 0xa9]);
    expect([...utf8Bytes('🍪')]).toHaveLength(4);
    expect(toByteLevel(' \n')).toBe('ĠĊ');
  });
});
