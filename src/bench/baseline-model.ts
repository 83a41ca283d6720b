// The bench's baseline: the deck model's own weights converted again without the trace outputs, in
// a temp models folder next to a copy of the deck's model.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertGpt2, writeSafetensors } from '../convert/index';
import { readInitializers } from '../convert/onnx-reader';
import { MODEL, PLAIN } from './bench-settings';
import { writeSmolLmShapedFolders } from './smollm-shaped-model';

/** Files of a model folder the plain copy needs besides its graph (those that exist are copied). */
const COMPANION_FILES = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.json', 'merges.txt'];

/** A temp models folder with the deck's model (copied), the same weights without trace outputs, and a SmolLM2-135M-shaped pair. */
export function buildModelsFolder(sourceModels: string): { dir: string; plainMs: number; smolLmShapedMs: number } {
  const source = join(sourceModels, MODEL);
  if (!existsSync(join(source, 'onnx', 'model.onnx'))) throw new Error(`no model at ${source}`);
  const dir = mkdtempSync(join(tmpdir(), 'deck-bench-models-'));
  cpSync(source, join(dir, MODEL), { recursive: true });
  const started = performance.now();
  const config = JSON.parse(readFileSync(join(source, 'config.json'), 'utf8')) as Record<string, unknown>;
  // The GPT-2 parameters only: the graph's scalar constants (sqrt_head_dim, one, half...) are not weights.
  const weights = readInitializers(new Uint8Array(readFileSync(join(source, 'onnx', 'model.onnx'))), (name) => name.startsWith('transformer.') || name.startsWith('lm_head.'));
  const onnx = convertGpt2({ config, weights: writeSafetensors(weights), traceOutputs: false });
  mkdirSync(join(dir, PLAIN, 'onnx'), { recursive: true });
  writeFileSync(join(dir, PLAIN, 'onnx', 'model.onnx'), onnx);
  for (const name of COMPANION_FILES) if (existsSync(join(source, name))) cpSync(join(source, name), join(dir, PLAIN, name));
  const plainMs = performance.now() - started;
  return { dir, plainMs, smolLmShapedMs: writeSmolLmShapedFolders(dir, source).ms };
}
