// Converts a Hugging Face checkpoint folder (config.json + safetensors + tokenizer files) into a model
// folder the deck and `npm run trace` load. Node only (the converter itself, src/convert, runs anywhere).
// Checkpoints of any size: tensors are read one at a time from the files, and past 2 GiB the weights
// are streamed into onnx/model.onnx_data (ONNX external data) as transformers.js expects.
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { convertModel, type ExternalDataWriter } from '../convert/index';
import { KNOCK_OUT_CONFIG_KEY } from '../trace/knock-out';
import { checkpointFileSource } from './file-tensor-source';
import { writeTraceExtras } from './trace-extras-writer';

// Files copied next to the model when the input folder has them (tokenizer, chat template and generation settings).
const companionFiles = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
  'vocab.json',
  'merges.txt',
  'chat_template.jinja',
  'generation_config.json',
];

/** What Hugging Face's GenerationConfig.from_model_config keeps: the special token ids. */
function generationConfigFrom(config: Record<string, unknown>): Record<string, unknown> {
  const generationConfig: Record<string, unknown> = { _from_model_config: true };
  for (const key of ['bos_token_id', 'eos_token_id', 'pad_token_id']) {
    if (config[key] !== undefined && config[key] !== null) generationConfig[key] = config[key];
  }
  return generationConfig;
}

export interface ConvertFolderOptions {
  /** A Hugging Face checkpoint folder: config.json, model.safetensors (or shards and their index), tokenizer files. */
  inDir: string;
  /** The model folder to write (onnx/model.onnx and the companion files). */
  outDir: string;
  /** Expose the trace.* intermediates (default true). */
  traceOutputs?: boolean;
  /** Add the knock-out inputs head_mask / mlp_mask (default false; the deck's engine feeds them, plain transformers.js callers must too). */
  knockOut?: boolean;
  /** 'fp16' also writes onnx/model_fp16.onnx (float16 weights and MatMuls), which the deck runs on WebGPU with shader-f16. */
  dtype?: 'fp32' | 'fp16';
  /** Weights past this many bytes go to onnx/<file>_data (default: just under 2 GiB; tests lower it). */
  externalDataThreshold?: number;
}

/** The .onnx files a conversion writes, by transformers.js's dtype names (its file suffix for each). */
const onnxFileOf = { fp32: 'model.onnx', fp16: 'model_fp16.onnx' } as const;
type Dtype = keyof typeof onnxFileOf;

interface WrittenModel {
  dtype: Dtype;
  path: string;
  bytes: number;
  /** Bytes in onnx/<file>_data; 0 when every weight is inside the .onnx. */
  externalBytes: number;
}

/** Converts a checkpoint folder into a model folder the deck and `npm run trace` load; returns a one-line summary. */
export function convertCheckpointFolder({ inDir, outDir, traceOutputs = true, knockOut = false, dtype = 'fp32', externalDataThreshold }: ConvertFolderOptions): string {
  const configPath = join(inDir, 'config.json');
  if (!existsSync(configPath)) throw new Error(`no config.json in ${inDir}`);
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (error) {
    throw new Error(`${configPath} is not valid JSON: ${(error as Error).message}`);
  }
  const source = checkpointFileSource(inDir);
  if (!source) throw new Error(`no model.safetensors (or model.safetensors.index.json) in ${inDir}`);

  const written: WrittenModel[] = [];
  try {
    mkdirSync(join(outDir, 'onnx'), { recursive: true });
    for (const each of dtype === 'fp16' ? (['fp32', 'fp16'] as const) : (['fp32'] as const)) {
      written.push(writeOnnxModel(join(outDir, 'onnx'), each, (externalData) =>
        convertModel({ config, weights: source, traceOutputs, knockOut, dtype: each, externalData: { ...externalData, threshold: externalDataThreshold } }),
      ));
    }
  } finally {
    source.close();
  }
  // A model_fp16.onnx left from an earlier --dtype fp16 run would disagree with the new weights.
  if (dtype === 'fp32') removeModelFile(join(outDir, 'onnx'), 'fp16');

  if (resolve(inDir) !== resolve(outDir)) {
    for (const name of companionFiles) {
      if (existsSync(join(inDir, name))) copyFileSync(join(inDir, name), join(outDir, name));
    }
  }
  // --knock-out is recorded, so tsx src/cli/reconvert-model.ts keeps the inputs on a later reconversion.
  const recorded = knockOut ? { ...config, [KNOCK_OUT_CONFIG_KEY]: true } : config;
  writeFileSync(join(outDir, 'config.json'), `${JSON.stringify(withModelFiles(recorded, written), null, 2)}\n`);
  // The slides' prompt-independent weight-derived values (embedding map, analogy, weight excerpt): the engine reads no weights.
  const extras = traceOutputs ? writeTraceExtras(outDir) : null;
  // transformers.js fetches generation_config.json; a dev server that answers a missing file with
  // index.html (Vite does) makes that fetch fail, so always provide one.
  const generationConfigPath = join(outDir, 'generation_config.json');
  if (!existsSync(generationConfigPath)) {
    writeFileSync(generationConfigPath, `${JSON.stringify(generationConfigFrom(config), null, 2)}\n`);
  }
  const mebibytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const described = written.map(({ path, bytes, externalBytes }) =>
    externalBytes > 0 ? `${path} (${mebibytes(bytes)} + ${mebibytes(externalBytes)} in ${basename(path)}_data)` : `${path} (${mebibytes(bytes)})`,
  );
  return `wrote ${described.join(' and ')}, trace outputs ${traceOutputs ? 'on' : 'off'}${knockOut ? ', knock-out inputs on' : ''}${extras ? `; ${extras}` : ''}`;
}

/**
 * config.json as written beside the model: `onnx_dtypes` lists the precisions converted (the deck's engine
 * picks fp16 only when it is there), and transformers.js_config.use_external_data_format names the files
 * that have a data file, which is what makes transformers.js load onnx/<file>_data, in Node and in the browser.
 */
function withModelFiles(config: Record<string, unknown>, written: WrittenModel[]): Record<string, unknown> {
  const previous = config['transformers.js_config'];
  const transformersJsConfig: Record<string, unknown> = typeof previous === 'object' && previous !== null ? { ...previous } : {};
  const external = Object.fromEntries(written.filter((model) => model.externalBytes > 0).map((model) => [onnxFileOf[model.dtype], 1]));
  if (Object.keys(external).length > 0) transformersJsConfig.use_external_data_format = external;
  else delete transformersJsConfig.use_external_data_format;
  const result: Record<string, unknown> = { ...config, onnx_dtypes: written.map((model) => model.dtype) };
  if (Object.keys(transformersJsConfig).length > 0) result['transformers.js_config'] = transformersJsConfig;
  else delete result['transformers.js_config'];
  return result;
}

/**
 * Writes onnx/<file> and, when `convert` sends weights to it, onnx/<file>_data, streamed to disk tensor by
 * tensor. Both are written under temporary names and renamed at the end: a failed conversion leaves no
 * half-written model, and no data file of an earlier conversion is left beside a model that lacks one.
 */
function writeOnnxModel(onnxDir: string, dtype: Dtype, convert: (externalData: ExternalDataWriter) => Uint8Array): WrittenModel {
  const file = onnxFileOf[dtype];
  const path = join(onnxDir, file);
  const dataPath = `${path}_data`;
  const partialData = `${dataPath}.partial`;
  const fd = openSync(partialData, 'w');
  let externalBytes = 0;
  let onnx: Uint8Array;
  try {
    onnx = convert({
      location: basename(dataPath),
      append: (bytes) => {
        for (let done = 0; done < bytes.byteLength; ) done += writeSync(fd, bytes, done, bytes.byteLength - done);
        externalBytes += bytes.byteLength;
      },
    });
  } catch (error) {
    closeSync(fd);
    rmSync(partialData, { force: true });
    throw error;
  }
  closeSync(fd);
  removeModelFile(onnxDir, dtype);
  if (externalBytes > 0) renameSync(partialData, dataPath);
  else rmSync(partialData);
  writeFileSync(`${path}.partial`, onnx);
  renameSync(`${path}.partial`, path);
  return { dtype, path, bytes: onnx.byteLength, externalBytes };
}

function removeModelFile(onnxDir: string, dtype: Dtype): void {
  const path = join(onnxDir, onnxFileOf[dtype]);
  rmSync(path, { force: true });
  rmSync(`${path}_data`, { force: true });
}
