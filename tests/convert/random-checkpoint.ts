// Makes small randomly initialised GPT-2 checkpoints (seeded, so every run sees the same weights).
import { writeSafetensors, type TensorToWrite } from '../../src/convert/safetensors';
import { seededRandom } from '../../src/maths/sampling';

/** mulberry32, the deck's seeded PRNG: returns floats in [0, 1). */
export const mulberry32 = seededRandom;

export interface CheckpointOptions {
  seed?: number;
  vocab_size?: number;
  n_embd?: number;
  n_head?: number;
  n_layer?: number;
  n_positions?: number;
  /** Store names without the `transformer.` prefix, as the original GPT-2 checkpoints do. */
  stripPrefix?: boolean;
  /** Also store the attn.bias / attn.masked_bias buffers older checkpoints carry. */
  includeBuffers?: boolean;
  /** Store a separate lm_head.weight and set tie_word_embeddings false. */
  untied?: boolean;
}

export interface RandomCheckpoint {
  config: Record<string, unknown>;
  /** Parameters under their canonical `transformer.` names. */
  parameters: Map<string, { shape: number[]; data: Float32Array }>;
  /** The safetensors file. */
  bytes: Uint8Array;
}

export function makeRandomGpt2Checkpoint(options: CheckpointOptions = {}): RandomCheckpoint {
  const {
    seed = 1234,
    vocab_size = 50,
    n_embd: d = 16,
    n_head = 2,
    n_layer = 2,
    n_positions = 32,
    stripPrefix = false,
    includeBuffers = false,
    untied = false,
  } = options;
  const random = mulberry32(seed);
  // Box-Muller: normal samples from the uniform PRNG.
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  // Larger than GPT-2's 0.02 init so attention is far from uniform and GELU far from linear.
  const randomTensor = (shape: number[], std: number, mean = 0) => ({
    shape,
    data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => mean + std * normal()),
  });

  const parameters = new Map<string, { shape: number[]; data: Float32Array }>();
  parameters.set('transformer.wte.weight', randomTensor([vocab_size, d], 0.5));
  parameters.set('transformer.wpe.weight', randomTensor([n_positions, d], 0.3));
  for (let layer = 0; layer < n_layer; layer++) {
    const p = `transformer.h.${layer}`;
    parameters.set(`${p}.ln_1.weight`, randomTensor([d], 0.1, 1));
    parameters.set(`${p}.ln_1.bias`, randomTensor([d], 0.1));
    parameters.set(`${p}.attn.c_attn.weight`, randomTensor([d, 3 * d], 0.3));
    parameters.set(`${p}.attn.c_attn.bias`, randomTensor([3 * d], 0.1));
    parameters.set(`${p}.attn.c_proj.weight`, randomTensor([d, d], 0.2));
    parameters.set(`${p}.attn.c_proj.bias`, randomTensor([d], 0.1));
    parameters.set(`${p}.ln_2.weight`, randomTensor([d], 0.1, 1));
    parameters.set(`${p}.ln_2.bias`, randomTensor([d], 0.1));
    parameters.set(`${p}.mlp.c_fc.weight`, randomTensor([d, 4 * d], 0.3));
    parameters.set(`${p}.mlp.c_fc.bias`, randomTensor([4 * d], 0.1));
    parameters.set(`${p}.mlp.c_proj.weight`, randomTensor([4 * d, d], 0.15));
    parameters.set(`${p}.mlp.c_proj.bias`, randomTensor([d], 0.1));
  }
  parameters.set('transformer.ln_f.weight', randomTensor([d], 0.1, 1));
  parameters.set('transformer.ln_f.bias', randomTensor([d], 0.1));
  if (untied) parameters.set('lm_head.weight', randomTensor([vocab_size, d], 0.5));

  const config = {
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    vocab_size,
    n_positions,
    n_embd: d,
    n_layer,
    n_head,
    n_inner: null,
    layer_norm_epsilon: 1e-5,
    activation_function: 'gelu_new',
    tie_word_embeddings: !untied,
  };

  const stored = new Map<string, TensorToWrite>();
  for (const [name, tensor] of parameters) {
    stored.set(stripPrefix ? name.replace(/^transformer\./, '') : name, tensor);
  }
  if (includeBuffers) {
    const causal = Float32Array.from({ length: n_positions * n_positions }, (_, i) =>
      i % n_positions <= Math.floor(i / n_positions) ? 1 : 0,
    );
    for (let layer = 0; layer < n_layer; layer++) {
      stored.set(`transformer.h.${layer}.attn.bias`, { shape: [1, 1, n_positions, n_positions], data: causal });
      stored.set(`transformer.h.${layer}.attn.masked_bias`, { shape: [], data: new Float32Array([-1e4]) });
    }
  }
  return { config, parameters, bytes: writeSafetensors(stored, { format: 'pt' }) };
}
