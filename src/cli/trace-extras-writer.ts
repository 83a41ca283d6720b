// Writes a model folder's trace-extras.json (src/convert/trace-extras-file.ts) from its own onnx/model.onnx and
// tokenizer, after a conversion: the embedding table and the excerpted matrix are read from the ONNX file (by
// byte range when they are external data), the reference and analogy words tokenized as the engine tokenizes
// (transformers.js's tokenizer class for the folder, built from its files). Synchronous, so a conversion
// (convertCheckpointFolder) writes it before it returns; written to a temporary name and renamed into place.
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as transformers from '@huggingface/transformers';
import { readInitializersWithExternalDataSync } from '../convert/onnx-reader';
import { buildTraceExtrasFile, TRACE_EXTRAS_FILE, type TraceExtrasFile } from '../convert/trace-extras-file';
import { modelInfoFromConfig, type HfConfig } from '../engine/model-info';
import { extrasWeightNames } from '../engine/trace-extras';

/** `length` bytes at `offset` of a file (one weight of a large onnx/model.onnx_data). */
function readRange(path: string, offset: number, length: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const bytes = new Uint8Array(length);
    for (let done = 0; done < length; ) {
      const read = readSync(fd, bytes, done, Math.min(length - done, 2 ** 30), offset + done);
      if (read === 0) throw new Error(`${path} ended early`);
      done += read;
    }
    return bytes;
  } finally {
    closeSync(fd);
  }
}

type TokenizerClass = new (json: unknown, config: unknown) => transformers.PreTrainedTokenizer;

/** The folder's tokenizer, as AutoTokenizer.from_pretrained builds it (tokenizer_config.json's class, else the base class), without its async file loading. */
function tokenizerOf(folder: string): transformers.PreTrainedTokenizer {
  const json = JSON.parse(readFileSync(join(folder, 'tokenizer.json'), 'utf8')) as unknown;
  const configPath = join(folder, 'tokenizer_config.json');
  const config = (existsSync(configPath) ? JSON.parse(readFileSync(configPath, 'utf8')) : {}) as { tokenizer_class?: string };
  const name = config.tokenizer_class?.replace(/Fast$/, '') ?? 'PreTrainedTokenizer';
  const named = (transformers as unknown as Record<string, unknown>)[name];
  const cls = (typeof named === 'function' && name.endsWith('Tokenizer') ? named : transformers.PreTrainedTokenizer) as TokenizerClass;
  return new cls(json, config);
}

/** The values for `folder` (a model folder with config.json, onnx/model.onnx and tokenizer files). */
export function traceExtrasOf(folder: string): TraceExtrasFile {
  const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as HfConfig;
  const info = modelInfoFromConfig(basename(folder), config);
  const names = extrasWeightNames(info.architecture);
  const onnxDir = join(folder, 'onnx');
  const weights = readInitializersWithExternalDataSync(
    new Uint8Array(readFileSync(join(onnxDir, 'model.onnx'))),
    (name) => name === names.embeddings || name === names.excerpt,
    (location, offset, length) => readRange(join(onnxDir, location), offset, length),
  );
  const embeddings = weights.get(names.embeddings);
  if (!embeddings) throw new Error(`${folder}/onnx/model.onnx has no ${names.embeddings}`);
  const tokenizer = tokenizerOf(folder);
  return buildTraceExtrasFile({
    embeddingsName: names.embeddings,
    embeddings,
    excerptName: names.excerpt,
    excerpt: weights.get(names.excerpt) ?? null,
    tokenIds: (word) => tokenizer.encode(word, { add_special_tokens: false }),
  });
}

/** Writes `folder`/trace-extras.json; returns a one-line summary, or why it was not written (no tokenizer). */
export function writeTraceExtras(folder: string): string {
  if (!existsSync(join(folder, 'tokenizer.json'))) return `no ${TRACE_EXTRAS_FILE}: the folder has no tokenizer.json to place the map's words with`;
  const values = traceExtrasOf(folder);
  const path = join(folder, TRACE_EXTRAS_FILE);
  writeFileSync(`${path}.partial`, `${JSON.stringify(values)}\n`);
  renameSync(`${path}.partial`, path);
  return `wrote ${path} (${values.embeddingMap.words.length} map words, ${values.analogy.neighbours.length} analogy neighbours)`;
}
