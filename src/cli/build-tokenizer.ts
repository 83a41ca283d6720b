// Step 1 of the model recipe: clean the corpus, train the BPE tokenizer, write the token streams.
//   npm run model:tokenizer   ->  build/model/tokenizer.json, tokenizer_config.json, build/corpus/{train,val}.bin
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BpeEncoder } from '../tokenize/bpe-encoder';
import { trainBpe } from '../tokenize/bpe-trainer';
import { toHuggingFaceFiles } from '../tokenize/hf-format';
import { loadSpeeches, splitSpeeches } from '../train/corpus';
import { RECIPE } from '../train/recipe';

const started = performance.now();
const { train, validation } = splitSpeeches(loadSpeeches());
const chars = (list: { text: string }[]) => list.reduce((n, s) => n + s.text.length, 0);
console.log(`corpus: ${train.length} training speeches (${chars(train)} chars), ${validation.length} held out (${chars(validation)} chars)`);

const bpe = trainBpe(
  train.map((s) => s.text),
  { vocabSize: RECIPE.tokenizer.vocabSize, specialTokens: [RECIPE.tokenizer.endOfText] },
);
const trainSeconds = (performance.now() - started) / 1000;
console.log(`tokenizer: ${bpe.vocab.size} tokens, ${bpe.merges.length} merges, trained in ${trainSeconds.toFixed(1)} s`);

const { tokenizerJson, tokenizerConfigJson } = toHuggingFaceFiles(bpe, RECIPE.model.n_positions);
mkdirSync(RECIPE.paths.work, { recursive: true });
writeFileSync(join(RECIPE.paths.work, 'tokenizer.json'), JSON.stringify(tokenizerJson));
writeFileSync(join(RECIPE.paths.work, 'tokenizer_config.json'), JSON.stringify(tokenizerConfigJson, null, 2) + '\n');

// Token streams for training: speeches joined by <|endoftext|>, as uint16 (the vocabulary fits).
const encoder = new BpeEncoder(bpe.vocab, bpe.merges.map((m) => [m.left, m.right] as const));
const endOfText = bpe.vocab.get(RECIPE.tokenizer.endOfText)!;
const stream = (speeches: { text: string }[]) => Uint16Array.from(speeches.flatMap((s) => [...encoder.encode(s.text), endOfText]));
mkdirSync(RECIPE.paths.corpus, { recursive: true });
const stats: Record<string, number> = { tokenizerTrainSeconds: Number(trainSeconds.toFixed(2)) };
for (const [name, speeches] of [['train', train], ['val', validation]] as const) {
  const ids = stream(speeches);
  writeFileSync(join(RECIPE.paths.corpus, `${name}.bin`), ids);
  stats[`${name}Tokens`] = ids.length;
  stats[`${name}Chars`] = chars(speeches);
  console.log(`${name}: ${ids.length} tokens (${(chars(speeches) / ids.length).toFixed(2)} chars per token)`);
}
stats.trainSpeeches = train.length;
stats.validationSpeeches = validation.length;
writeFileSync(join(RECIPE.paths.corpus, 'stats.json'), JSON.stringify(stats, null, 2) + '\n');
console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
