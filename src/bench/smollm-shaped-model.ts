// A model of a real chat model's shape for `npm run bench`: SmolLM2-135M's (Llama: 30 layers, width 576,
// 9 heads, 3 key/value heads, MLP 1,536, vocabulary 49,152, tied head), with random weights made here at
// bench time and converted by the deck's converter, traced and plain: no download. The deck's own tokenizer
// (8,192 tokens) encodes the prompts; its ids are valid rows of the larger vocabulary.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertLlama, writeSafetensors, type TensorToWrite } from '../convert/index';
import { expectedLlamaParameters, parseLlamaConfig } from '../convert/llama-checkpoint';
import { seededRandom } from '../maths/sampling';
import { SMOLLM_SHAPED, SMOLLM_SHAPED_PLAIN } from './bench-settings';


/** SmolLM2-135M's config.json, less what the converter does not read; 256 positions as the deck's window. */
const config: Record<string, unknown> = {
  model_type: 'llama',
  architectures: ['LlamaForCausalLM'],
  hidden_size: 576,
  intermediate_size: 1536,
  num_hidden_layers: 30,
  num_attention_heads: 9,
  num_key_value_heads: 3,
  vocab_size: 49152,
  max_position_embeddings: 256,
  rms_norm_eps: 1e-5,
  rope_theta: 100000,
  hidden_act: 'silu',
  tie_word_embeddings: true,
  bos_token_id: 8191,
  eos_token_id: 8191,
};

/** Uniform noise with the standard deviation of Llama's init (0.02); norm gains 1. Seeded: every run the same model. */
function randomWeights(): Map<string, TensorToWrite> {
  const random = seededRandom(135);
  const halfWidth = 0.02 * Math.sqrt(3);
  const weights = new Map<string, TensorToWrite>();
  for (const { name, shape } of expectedLlamaParameters(parseLlamaConfig(config))) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (name.endsWith('norm.weight')) data.fill(1);
    else for (let i = 0; i < data.length; i++) data[i] = (2 * random() - 1) * halfWidth;
    weights.set(name, { shape, data });
  }
  return weights;
}

/** Writes the traced and the plain folder under `modelsDir`, with the tokenizer files of `tokenizerFolder`; returns the time it took. */
export function writeSmolLmShapedFolders(modelsDir: string, tokenizerFolder: string): { ms: number } {
  const started = performance.now();
  const bytes = writeSafetensors(randomWeights());
  for (const [name, traceOutputs] of [[SMOLLM_SHAPED, true], [SMOLLM_SHAPED_PLAIN, false]] as const) {
    const folder = join(modelsDir, name);
    mkdirSync(join(folder, 'onnx'), { recursive: true });
    writeFileSync(join(folder, 'onnx', 'model.onnx'), convertLlama({ config, weights: bytes, traceOutputs }));
    writeFileSync(join(folder, 'config.json'), JSON.stringify(config, null, 2));
    writeFileSync(join(folder, 'generation_config.json'), JSON.stringify({ bos_token_id: 8191, eos_token_id: 8191 }));
    for (const file of ['tokenizer.json', 'tokenizer_config.json']) if (existsSync(join(tokenizerFolder, file))) copyFileSync(join(tokenizerFolder, file), join(folder, file));
  }
  return { ms: performance.now() - started };
}
