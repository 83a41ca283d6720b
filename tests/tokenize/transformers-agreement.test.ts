// Our BPE encoder and transformers.js's tokenizer, loading the tokenizer.json we write, must agree
// token for token: the deck tokenizes with transformers.js, the BPE slides replay our merges.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { byteLevelToText } from '../../src/tokenize/byte-level';
import { BpeEncoder } from '../../src/tokenize/bpe-encoder';
import { trainBpe } from '../../src/tokenize/bpe-trainer';
import { readTokenizerJson, toHuggingFaceFiles } from '../../src/tokenize/hf-format';
import { ADVERSARIAL_TEXTS } from './adversarial-texts';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const CORPUS = Object.values(ADVERSARIAL_TEXTS).concat([
  'Mr. Speaker, Mr. Vice President, members of Congress, my fellow Americans: the state of our union is strong.',
]);

async function loadWithTransformersJs(root: string, name: string) {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = root + '/';
  return AutoTokenizer.from_pretrained(name, { local_files_only: true });
}

describe('tokenizer.json written by our trainer, loaded by transformers.js', () => {
  const bpe = trainBpe(CORPUS, { vocabSize: 600, specialTokens: ['<|endoftext|>'] });
  const root = mkdtempSync(join(tmpdir(), 'bpe-'));
  mkdirSync(join(root, 'tiny'));
  const files = toHuggingFaceFiles(bpe, 256);
  writeFileSync(join(root, 'tiny', 'tokenizer.json'), JSON.stringify(files.tokenizerJson));
  writeFileSync(join(root, 'tiny', 'tokenizer_config.json'), JSON.stringify(files.tokenizerConfigJson));
  const ours = new BpeEncoder(bpe.vocab, bpe.merges.map((m) => [m.left, m.right] as const));

  for (const [name, text] of Object.entries({ ...ADVERSARIAL_TEXTS, loneSurrogates: 'a\ud800b\udfffc' })) {
    it(`agrees on ${name} text and decodes it back`, async () => {
      const theirs = await loadWithTransformersJs(root, 'tiny');
      const ids = theirs.encode(text, { add_special_tokens: false });
      expect(ids).toEqual(ours.encode(text));
      expect(theirs.decode(ids, { clean_up_tokenization_spaces: false })).toBe(text.replace(LONE_SURROGATE, '\ufffd'));
    });
  }

  it('maps <|endoftext|> to the last id', async () => {
    const theirs = await loadWithTransformersJs(root, 'tiny');
    expect(theirs.encode('<|endoftext|>', { add_special_tokens: false })).toEqual([bpe.vocab.get('<|endoftext|>')]);
  });
});

describe('the embedded model tokenizer', () => {
  it('agrees with transformers.js on every adversarial text', async () => {
    const { vocab, merges } = readTokenizerJson(JSON.parse(readFileSync('assets/models/sotu-gpt/tokenizer.json', 'utf8')));
    const ours = new BpeEncoder(vocab, merges);
    const pieces = new Map([...vocab].map(([token, id]) => [id, token]));
    const theirs = await loadWithTransformersJs('assets/models', 'sotu-gpt');
    expect(vocab.size).toBe(8192);
    for (const text of Object.values(ADVERSARIAL_TEXTS)) {
      const ids = ours.encode(text);
      expect(theirs.encode(text, { add_special_tokens: false })).toEqual(ids);
      expect(byteLevelToText(ids.map((id) => pieces.get(id)!))).toBe(text);
    }
  });
});
