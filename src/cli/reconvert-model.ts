// Command line: rebuild a model folder's graph with today's converter from the weights already in its
// onnx/model.onnx, when the checkpoint it was converted from (build/model) is not at hand.
//   tsx src/cli/reconvert-model.ts [--model assets/models/sotu-gpt] [--knock-out]
// The float32 weights are read back (src/convert/onnx-reader.ts), written as a safetensors checkpoint and
// converted again, trace outputs on: the weights stay bit for bit, the graph gains what the converter now adds.
// --knock-out adds the head_mask / mlp_mask inputs and records it in config.json (knock_out_inputs: true),
// so every later reconversion keeps them. The new files are written beside the folder and renamed into place.
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { convertModel, writeSafetensors } from '../convert/index';
import { readInitializerFields, type InitializerFields } from '../convert/onnx-initializers';
import { readInitializers } from '../convert/onnx-reader';
import { KNOCK_OUT_CONFIG_KEY } from '../trace/knock-out';
import { resolveModelFolder } from './model-folder';
import { writeTraceExtras } from './trace-extras-writer';

/** Checkpoint parameters by their Hugging Face prefixes; the graph's own constants (sqrt_head_dim, inv_freq...) are not weights. */
const isCheckpointParameter = (name: string) =>
  (name.startsWith('transformer.') || name.startsWith('model.') || name.startsWith('lm_head.')) && !name.startsWith('model.rotary_emb.');

/** The old graph's weights the new one lacks or holds with other bytes, type or shape (its own constants may change with the converter). */
function changedWeights(oldOnnx: Uint8Array, newOnnx: Uint8Array): string[] {
  const key = (t: InitializerFields) => `${t.data_type}:${t.dims.join('x')}:${Buffer.from(t.raw_data ?? new Uint8Array(0)).toString('base64')}`;
  const fresh = new Map(readInitializerFields(newOnnx).map((t) => [t.name, key(t)]));
  return readInitializerFields(oldOnnx).filter((t) => isCheckpointParameter(t.name) && fresh.get(t.name) !== key(t)).map((t) => t.name);
}

function main(): number {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { model: { type: 'string' }, 'knock-out': { type: 'boolean', default: false } }, strict: true });
  const { modelRoot, name } = resolveModelFolder(values.model);
  const folder = join(modelRoot, name);
  const onnxPath = join(folder, 'onnx', 'model.onnx');
  const configPath = join(folder, 'config.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  // Once a folder has the knock-out inputs it keeps them: the deck's knock-out depends on them.
  const knockOut = values['knock-out'] || config[KNOCK_OUT_CONFIG_KEY] === true;
  const oldBytes = new Uint8Array(readFileSync(onnxPath));
  const weights = readInitializers(oldBytes, isCheckpointParameter);
  const onnx = convertModel({ config, weights: writeSafetensors(weights), knockOut });
  const changed = changedWeights(oldBytes, onnx);
  if (changed.length > 0) throw new Error(`the new graph's weights differ from the old (${changed.join(', ')}): nothing written`);
  const newConfig = knockOut ? { ...config, [KNOCK_OUT_CONFIG_KEY]: true } : config;
  // Written whole beside the folder, then renamed into place: the deck never sees half a model.
  const staging = mkdtempSync(join(modelRoot, `.${name}-reconvert-`));
  try {
    writeFileSync(join(staging, 'model.onnx'), onnx);
    writeFileSync(join(staging, 'config.json'), `${JSON.stringify(newConfig, null, 2)}\n`);
    renameSync(join(staging, 'model.onnx'), onnxPath);
    renameSync(join(staging, 'config.json'), configPath);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  console.log(writeTraceExtras(folder)); // the slides' weight-derived values, from the graph just written
  console.log(`rewrote ${onnxPath} from its own ${weights.size} weights, bit for bit (${(onnx.byteLength / 2 ** 20).toFixed(1)} MiB)${knockOut ? ', knock-out inputs on' : ''}`);
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(`reconvert: ${(error as Error).message}`);
  process.exitCode = 1;
}
