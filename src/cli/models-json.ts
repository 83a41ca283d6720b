// models.json: the model folders the deck can serve, for the title slide's model menu. Each entry says
// what its own files say: config.json (family, parameter count), which onnx/model*.onnx files exist
// (precisions), whether the tokenizer has a chat template, and the model card's first line (what the
// model read). Written at build (vite.config.ts), served fresh by the dev server, and by `model:add`.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { modelInfoFromConfig, type HfConfig } from '../engine/model-info.ts'; // with its extension: vite.config.ts loads this file

export const MODELS_JSON = 'models.json';

export interface ModelListing {
  /** The folder's name: what ?model= takes. */
  name: string;
  family: 'gpt2' | 'llama' | 'other';
  /** config.json's model_type ("gpt2", "llama", "qwen2"…). */
  modelType: string;
  parameterCount: number | null;
  /** transformers.js dtypes with a graph in onnx/: "fp32" (model.onnx), "fp16" (model_fp16.onnx), "q8" (model_quantized.onnx)… */
  precisions: string[];
  /** The tokenizer has a chat template (tokenizer_config.json's chat_template, or chat_template.jinja). */
  chatTemplate: boolean;
  /** The model card's title line after the name ("a small GPT-2 trained on State of the Union addresses"), or null. */
  description: string | null;
}

export interface ModelsJson {
  models: ModelListing[];
}

/** onnx/model<suffix>.onnx -> the dtype transformers.js asks for it by. */
const PRECISION_SUFFIXES: Readonly<Record<string, string>> = {
  '': 'fp32',
  _fp16: 'fp16',
  _quantized: 'q8',
  _int8: 'int8',
  _uint8: 'uint8',
  _q4: 'q4',
  _q4f16: 'q4f16',
  _bnb4: 'bnb4',
};

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

export function precisionsOf(folder: string): string[] {
  const onnx = join(folder, 'onnx');
  if (!existsSync(onnx)) return [];
  const found = new Set<string>();
  for (const file of readdirSync(onnx)) {
    const suffix = /^model(_[a-z0-9]+)?\.onnx$/.exec(file)?.[1] ?? (file === 'model.onnx' ? '' : null);
    const precision = suffix === null ? undefined : PRECISION_SUFFIXES[suffix];
    if (precision) found.add(precision);
  }
  return Object.values(PRECISION_SUFFIXES).filter((precision) => found.has(precision));
}

export function hasChatTemplate(folder: string): boolean {
  if (existsSync(join(folder, 'chat_template.jinja'))) return true;
  const config = readJson<{ chat_template?: unknown }>(join(folder, 'tokenizer_config.json'));
  const template = config?.chat_template;
  return (typeof template === 'string' && template.trim() !== '') || (Array.isArray(template) && template.length > 0);
}

/** "# sotu-gpt: a small GPT-2 trained on …" -> "a small GPT-2 trained on …"; a card without such a line: null. */
export function modelCardDescription(folder: string, name: string): string | null {
  const card = join(folder, 'README.md');
  if (!existsSync(card)) return null;
  const heading = /^#\s+(.+)$/m.exec(readFileSync(card, 'utf8'))?.[1]?.trim();
  if (!heading) return null;
  const prefix = `${name}:`;
  return heading.startsWith(prefix) ? heading.slice(prefix.length).trim() || null : null;
}

/** One folder's entry, or null when it is not a model the deck can load (no config.json, no onnx/model*.onnx, a config it cannot read). */
export function describeModelFolder(folder: string, name: string): ModelListing | null {
  const config = readJson<HfConfig>(join(folder, 'config.json'));
  const precisions = precisionsOf(folder);
  if (!config || precisions.length === 0) return null;
  let info;
  try {
    info = modelInfoFromConfig(name, config);
  } catch {
    return null;
  }
  return {
    name,
    family: info.architecture.family,
    modelType: info.modelType,
    parameterCount: info.parameterCount,
    precisions,
    chatTemplate: hasChatTemplate(folder),
    description: modelCardDescription(folder, name),
  };
}

/** Every model folder under `modelsFolder`, by name. */
export function listModelFolders(modelsFolder: string): ModelsJson {
  if (!existsSync(modelsFolder)) return { models: [] };
  const models = readdirSync(modelsFolder)
    .filter((name) => /^[\w.-]+$/.test(name) && !name.startsWith('.') && statSync(join(modelsFolder, name)).isDirectory())
    .sort()
    .map((name) => describeModelFolder(join(modelsFolder, name), name))
    .filter((entry): entry is ModelListing => entry !== null);
  return { models };
}

/** Writes models.json for `modelsFolder` (by default into it) and returns what it wrote. */
export function writeModelsJson(modelsFolder: string, outFile = join(modelsFolder, MODELS_JSON)): ModelsJson {
  const listing = listModelFolders(modelsFolder);
  writeFileSync(outFile, `${JSON.stringify(listing, null, 2)}\n`);
  return listing;
}

/** Dev server: answers <base>models/models.json with a fresh scan, so a model added while it runs is listed. */
export function modelsJsonMiddleware(base: string, modelsFolder: string): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const path = `${base}models/${MODELS_JSON}`;
  return (req, res, next) => {
    if ((req.url ?? '').split('?')[0] !== path) return next();
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Cache-Control', 'no-cache');
    res.end(JSON.stringify(listModelFolders(modelsFolder)));
  };
}
