// Command line: rebuild a model folder's graph with today's converter from the weights already in its
// onnx/model.onnx, when the checkpoint it was converted from (build/model) is not at hand.
//   tsx src/cli/reconvert-model.ts [--model assets/models/sotu-gpt]
// The float32 weights are read back (src/convert/onnx-reader.ts), written as a safetensors checkpoint and
// converted again, trace outputs on: the weights stay bit for bit, the graph gains what the converter now adds.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { convertModel, writeSafetensors } from '../convert/index';
import { readInitializers } from '../convert/onnx-reader';
import { resolveModelFolder } from './model-folder';

/** Checkpoint parameters by their Hugging Face prefixes; the graph's own constants (sqrt_head_dim, inv_freq...) are not weights. */
const isCheckpointParameter = (name: string) =>
  (name.startsWith('transformer.') || name.startsWith('model.') || name.startsWith('lm_head.')) && !name.startsWith('model.rotary_emb.');

function main(): number {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { model: { type: 'string' } }, strict: true });
  const { modelRoot, name } = resolveModelFolder(values.model);
  const folder = join(modelRoot, name);
  const onnxPath = join(folder, 'onnx', 'model.onnx');
  const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
  const weights = readInitializers(new Uint8Array(readFileSync(onnxPath)), isCheckpointParameter);
  const onnx = convertModel({ config, weights: writeSafetensors(weights) });
  writeFileSync(onnxPath, onnx);
  console.log(`rewrote ${onnxPath} from its own ${weights.size} weights (${(onnx.byteLength / 2 ** 20).toFixed(1)} MiB)`);
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(`reconvert: ${(error as Error).message}`);
  process.exitCode = 1;
}
