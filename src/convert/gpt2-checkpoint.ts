// Reads a Hugging Face GPT-2 config.json and checks a checkpoint's tensors against it,
// so that a bad checkpoint fails here with a message that names the problem, not deep inside ONNX Runtime.
import { indexTensors, takeExpectedWeights, type CheckpointWeights } from './checkpoint-tensors';
import type { FloatTensor } from './safetensors';

/** The hyperparameters the graph needs, with defaults resolved (names as in config.json). */
export interface Gpt2Config {
  vocab_size: number;
  n_positions: number;
  n_embd: number;
  n_layer: number;
  n_head: number;
  /** MLP width; config.json's null means 4 * n_embd. */
  n_inner: number;
  layer_norm_epsilon: number;
  tie_word_embeddings: boolean;
}

/** Parameters by their Hugging Face name (always with the `transformer.` prefix), in forward-pass order. */
export type Gpt2Weights = CheckpointWeights;

// Activations that are exactly 0.5*x*(1+tanh(sqrt(2/pi)*(x+0.044715*x^3))), the one the graph builds.
const tanhGeluNames = ['gelu_new', 'gelu_pytorch_tanh', 'gelu_fast'];

function positiveInteger(config: Record<string, unknown>, key: string): number {
  const value = config[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`config.json: ${key} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Validates a parsed GPT-2 config.json and fills in Hugging Face defaults. */
export function parseGpt2Config(config: Record<string, unknown>): Gpt2Config {
  if (config.model_type !== 'gpt2') {
    throw new Error(`unsupported model_type ${JSON.stringify(config.model_type)}: this converter handles gpt2`);
  }
  const n_embd = positiveInteger(config, 'n_embd');
  const n_head = positiveInteger(config, 'n_head');
  if (n_embd % n_head !== 0) {
    throw new Error(`config.json: n_embd ${n_embd} is not divisible by n_head ${n_head}`);
  }
  const n_inner = config.n_inner === null || config.n_inner === undefined ? 4 * n_embd : positiveInteger(config, 'n_inner');

  const epsilon = config.layer_norm_epsilon ?? 1e-5;
  if (typeof epsilon !== 'number' || !(epsilon > 0)) {
    throw new Error(`config.json: layer_norm_epsilon must be a positive number, got ${JSON.stringify(epsilon)}`);
  }
  const activation = config.activation_function ?? 'gelu_new';
  if (typeof activation !== 'string' || !tanhGeluNames.includes(activation)) {
    throw new Error(
      `unsupported activation_function ${JSON.stringify(activation)}: this converter builds gelu_new (the tanh approximation)`,
    );
  }
  // Variants of GPT-2 attention the graph does not build.
  if (config.scale_attn_weights === false) {
    throw new Error('unsupported config.json: scale_attn_weights false (attention without 1/sqrt(head_dim))');
  }
  if (config.scale_attn_by_inverse_layer_idx === true) {
    throw new Error('unsupported config.json: scale_attn_by_inverse_layer_idx true');
  }
  if (config.add_cross_attention === true) {
    throw new Error('unsupported config.json: add_cross_attention true');
  }

  return {
    vocab_size: positiveInteger(config, 'vocab_size'),
    n_positions: positiveInteger(config, 'n_positions'),
    n_embd,
    n_layer: positiveInteger(config, 'n_layer'),
    n_head,
    n_inner,
    layer_norm_epsilon: epsilon,
    tie_word_embeddings: config.tie_word_embeddings !== false,
  };
}

/** Every parameter the graph needs, with its expected shape, in forward-pass order. */
export function expectedGpt2Parameters(config: Gpt2Config): { name: string; shape: number[] }[] {
  const { vocab_size: V, n_positions: P, n_embd: d, n_inner: f } = config;
  const expected = [
    { name: 'transformer.wte.weight', shape: [V, d] },
    { name: 'transformer.wpe.weight', shape: [P, d] },
  ];
  for (let layer = 0; layer < config.n_layer; layer++) {
    const prefix = `transformer.h.${layer}`;
    expected.push(
      { name: `${prefix}.ln_1.weight`, shape: [d] },
      { name: `${prefix}.ln_1.bias`, shape: [d] },
      { name: `${prefix}.attn.c_attn.weight`, shape: [d, 3 * d] },
      { name: `${prefix}.attn.c_attn.bias`, shape: [3 * d] },
      { name: `${prefix}.attn.c_proj.weight`, shape: [d, d] },
      { name: `${prefix}.attn.c_proj.bias`, shape: [d] },
      { name: `${prefix}.ln_2.weight`, shape: [d] },
      { name: `${prefix}.ln_2.bias`, shape: [d] },
      { name: `${prefix}.mlp.c_fc.weight`, shape: [d, f] },
      { name: `${prefix}.mlp.c_fc.bias`, shape: [f] },
      { name: `${prefix}.mlp.c_proj.weight`, shape: [f, d] },
      { name: `${prefix}.mlp.c_proj.bias`, shape: [d] },
    );
  }
  expected.push({ name: 'transformer.ln_f.weight', shape: [d] }, { name: 'transformer.ln_f.bias', shape: [d] });
  if (!config.tie_word_embeddings) expected.push({ name: 'lm_head.weight', shape: [V, d] });
  return expected;
}

// The causal-mask buffers older GPT-2 checkpoints carry; the graph builds its own mask.
const bufferPattern = /(^|\.)attn\.(bias|masked_bias)$/;

// Real GPT-2 checkpoints name parameters `h.0.ln_1.weight`; GPT2LMHeadModel names them `transformer.h.0...`.
function canonicalName(name: string): string {
  return name.startsWith('transformer.') || name.startsWith('lm_head.') ? name : `transformer.${name}`;
}

/** Checks the checkpoint against the config and returns the parameters under their canonical names. */
export function collectGpt2Weights(config: Gpt2Config, tensors: Map<string, FloatTensor>): Gpt2Weights {
  const found = indexTensors(tensors, { isBuffer: (name) => bufferPattern.test(name), canonicalName });

  const expected = expectedGpt2Parameters(config);
  const expectedNames = new Set(expected.map(({ name }) => name));
  for (const [name, { fileName }] of found) {
    if (expectedNames.has(name)) continue;
    // A tied checkpoint may still store lm_head.weight; like Hugging Face, use wte instead.
    if (name === 'lm_head.weight' && config.tie_word_embeddings) continue;
    const layer = /^transformer\.h\.(\d+)\./.exec(name)?.[1];
    if (layer !== undefined && Number(layer) >= config.n_layer) {
      throw new Error(`checkpoint has tensor ${fileName} but config.json says n_layer ${config.n_layer}`);
    }
    throw new Error(`unexpected tensor ${fileName}: not a GPT-2 parameter`);
  }

  return takeExpectedWeights(found, expected);
}
