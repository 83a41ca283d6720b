// Converts a Hugging Face checkpoint folder (config.json + safetensors + tokenizer files) into a model
// folder the deck and `npm run trace` load. Node only (the converter itself, src/convert, runs anywhere).
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { convertModel } from '../convert/index';

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

// Node reads at most 2 GiB into one buffer (and the fp32 .onnx could not hold more anyway).
const MAX_WEIGHTS_BYTES = 2 ** 31 - 1;

/** What Hugging Face's GenerationConfig.from_model_config keeps: the special token ids. */
function generationConfigFrom(config: Record<string, unknown>): Record<string, unknown> {
  const generationConfig: Record<string, unknown> = { _from_model_config: true };
  for (const key of ['bos_token_id', 'eos_token_id', 'pad_token_id']) {
    if (config[key] !== undefined && config[key] !== null) generationConfig[key] = config[key];
  }
  return generationConfig;
}

export interface ConvertFolderOptions {
  /** A Hugging Face checkpoint folder: config.json, model.safetensors, tokenizer files. */
  inDir: string;
  /** The model folder to write (onnx/model.onnx and the companion files). */
  outDir: string;
  /** Expose the trace.* intermediates (default true). */
  traceOutputs?: boolean;
}

/** Converts a checkpoint folder into a model folder the deck and `npm run trace` load; returns a one-line summary. */
export function convertCheckpointFolder({ inDir, outDir, traceOutputs = true }: ConvertFolderOptions): string {
  const configPath = join(inDir, 'config.json');
  const weightsPath = join(inDir, 'model.safetensors');
  if (!existsSync(configPath)) throw new Error(`no config.json in ${inDir}`);
  if (!existsSync(weightsPath)) {
    const sharded = existsSync(join(inDir, 'model.safetensors.index.json'));
    throw new Error(sharded ? `sharded checkpoints are not supported (${inDir})` : `no model.safetensors in ${inDir}`);
  }
  const weightsBytes = statSync(weightsPath).size;
  if (weightsBytes > MAX_WEIGHTS_BYTES) {
    const gibibytes = (weightsBytes / 2 ** 30).toFixed(2);
    throw new Error(`${weightsPath} is ${gibibytes} GiB; this converter reads at most 2 GiB and writes one .onnx of at most 2 GiB`);
  }
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (error) {
    throw new Error(`${configPath} is not valid JSON: ${(error as Error).message}`);
  }

  const onnx = convertModel({ config, weights: readFileSync(weightsPath), traceOutputs });

  mkdirSync(join(outDir, 'onnx'), { recursive: true });
  const modelPath = join(outDir, 'onnx', 'model.onnx');
  writeFileSync(modelPath, onnx);
  if (resolve(inDir) !== resolve(outDir)) {
    for (const name of ['config.json', ...companionFiles]) {
      if (existsSync(join(inDir, name))) copyFileSync(join(inDir, name), join(outDir, name));
    }
  }
  // transformers.js fetches generation_config.json; a dev server that answers a missing file with
  // index.html (Vite does) makes that fetch fail, so always provide one.
  const generationConfigPath = join(outDir, 'generation_config.json');
  if (!existsSync(generationConfigPath)) {
    writeFileSync(generationConfigPath, `${JSON.stringify(generationConfigFrom(config), null, 2)}\n`);
  }
  const megabytes = (onnx.byteLength / 2 ** 20).toFixed(1);
  return `wrote ${modelPath} (${megabytes} MiB, trace outputs ${traceOutputs ? 'on' : 'off'})`;
}

