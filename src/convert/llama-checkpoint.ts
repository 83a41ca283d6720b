// Reads a Hugging Face Llama config.json (LlamaForCausalLM) and checks a checkpoint's tensors against it,
// so that a bad checkpoint fails here with a message that names the problem, not deep inside ONNX Runtime.
import { indexTensors, takeExpectedWeights, type CheckpointWeights } from './checkpoint-tensors';
import type { FloatTensor } from './safetensors';

/** Llama 3.1's rope_scaling: low frequencies slowed by `factor`, a smooth ramp between low and high. */
export interface Llama3RopeScaling {
  rope_type: 'llama3';
  factor: number;
  low_freq_factor: number;
  high_freq_factor: number;
  original_max_position_embeddings: number;
}

/** The hyperparameters the graph needs, with Hugging Face's LlamaConfig defaults resolved. */
export interface LlamaConfig {
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  /** Fewer than num_attention_heads: grouped-query attention (GQA). */
  num_key_value_heads: number;
  head_dim: number;
  rms_norm_eps: number;
  max_position_embeddings: number;
  rope_theta: number;
  /** null: plain RoPE. */
  rope_scaling: Llama3RopeScaling | null;
  tie_word_embeddings: boolean;
}

/** Parameters by their Hugging Face name (with the `model.` prefix), in forward-pass order. */
export type LlamaWeights = CheckpointWeights;

function positiveInteger(config: Record<string, unknown>, key: string, where = 'config.json'): number {
  const value = config[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${where}: ${key} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function positiveNumber(config: Record<string, unknown>, key: string, fallback: number | undefined, where = 'config.json'): number {
  const value = config[key] ?? fallback;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new Error(`${where}: ${key} must be a positive number, got ${JSON.stringify(value)}`);
  }
  return value;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * rope_theta and the scaling. Transformers 4.x writes `rope_theta` and `rope_scaling` (type or rope_type);
 * Transformers 5 writes both inside `rope_parameters`. Only plain RoPE and "llama3" are built.
 */
function parseRope(config: Record<string, unknown>): { rope_theta: number; rope_scaling: Llama3RopeScaling | null } {
  const where = isObject(config.rope_parameters) ? 'config.json rope_parameters' : 'config.json rope_scaling';
  const given = isObject(config.rope_parameters) ? config.rope_parameters : config.rope_scaling;
  if (given !== null && given !== undefined && !isObject(given)) {
    throw new Error(`${where} must be an object or null, got ${JSON.stringify(given)}`);
  }
  // null (plain RoPE) reads as an empty object: rope type "default".
  const scaling: Record<string, unknown> = isObject(given) ? given : {};
  const rope_theta = positiveNumber(scaling.rope_theta !== undefined ? scaling : config, 'rope_theta', 10000);
  const partialRotaryFactor = scaling.partial_rotary_factor ?? config.partial_rotary_factor ?? 1;
  if (partialRotaryFactor !== 1) {
    throw new Error(`unsupported partial_rotary_factor ${JSON.stringify(partialRotaryFactor)}: this converter rotates all of head_dim`);
  }

  const ropeType = scaling.rope_type ?? scaling.type ?? 'default';
  if (ropeType === 'default') return { rope_theta, rope_scaling: null };
  if (ropeType !== 'llama3') {
    throw new Error(`unsupported rope type ${JSON.stringify(ropeType)} in ${where}: this converter builds default and llama3 RoPE`);
  }
  const low_freq_factor = positiveNumber(scaling, 'low_freq_factor', undefined, where);
  const high_freq_factor = positiveNumber(scaling, 'high_freq_factor', undefined, where);
  if (!(low_freq_factor < high_freq_factor)) {
    throw new Error(`${where}: low_freq_factor ${low_freq_factor} must be below high_freq_factor ${high_freq_factor}`);
  }
  return {
    rope_theta,
    rope_scaling: {
      rope_type: 'llama3',
      factor: positiveNumber(scaling, 'factor', undefined, where),
      low_freq_factor,
      high_freq_factor,
      original_max_position_embeddings: positiveInteger(scaling, 'original_max_position_embeddings', where),
    },
  };
}

/** Validates a parsed Llama config.json and fills in Hugging Face defaults. */
export function parseLlamaConfig(config: Record<string, unknown>): LlamaConfig {
  if (config.model_type !== 'llama') {
    throw new Error(`unsupported model_type ${JSON.stringify(config.model_type)}: this converter handles llama`);
  }
  const hidden_size = positiveInteger(config, 'hidden_size');
  const num_attention_heads = positiveInteger(config, 'num_attention_heads');
  const num_key_value_heads =
    config.num_key_value_heads === null || config.num_key_value_heads === undefined
      ? num_attention_heads
      : positiveInteger(config, 'num_key_value_heads');
  if (num_attention_heads % num_key_value_heads !== 0) {
    throw new Error(
      `config.json: num_attention_heads ${num_attention_heads} is not a multiple of num_key_value_heads ${num_key_value_heads}`,
    );
  }
  // Hugging Face: head_dim defaults to hidden_size // num_attention_heads.
  const head_dim =
    config.head_dim === null || config.head_dim === undefined
      ? Math.floor(hidden_size / num_attention_heads)
      : positiveInteger(config, 'head_dim');
  if (head_dim % 2 !== 0) throw new Error(`config.json: head_dim ${head_dim} must be even for RoPE`);

  const activation = config.hidden_act ?? 'silu';
  if (activation !== 'silu') {
    throw new Error(`unsupported hidden_act ${JSON.stringify(activation)}: this converter builds silu (SwiGLU)`);
  }
  // Variants of Llama layers the graph does not build.
  if (config.attention_bias === true) {
    throw new Error('unsupported config.json: attention_bias true (q/k/v/o projections with biases)');
  }
  if (config.mlp_bias === true) {
    throw new Error('unsupported config.json: mlp_bias true (gate/up/down projections with biases)');
  }

  return {
    vocab_size: positiveInteger(config, 'vocab_size'),
    hidden_size,
    intermediate_size: positiveInteger(config, 'intermediate_size'),
    num_hidden_layers: positiveInteger(config, 'num_hidden_layers'),
    num_attention_heads,
    num_key_value_heads,
    head_dim,
    rms_norm_eps: positiveNumber(config, 'rms_norm_eps', 1e-6),
    max_position_embeddings:
      config.max_position_embeddings === undefined ? 2048 : positiveInteger(config, 'max_position_embeddings'),
    ...parseRope(config),
    // LlamaConfig's default is untied (Llama 3.2 1B/3B and SmolLM set it true).
    tie_word_embeddings: config.tie_word_embeddings === true,
  };
}

/** Every parameter the graph needs, with its expected shape ([out, in] for nn.Linear), in forward-pass order. */
export function expectedLlamaParameters(config: LlamaConfig): { name: string; shape: number[] }[] {
  const { vocab_size: V, hidden_size: d, intermediate_size: f, head_dim: hd } = config;
  const qWidth = config.num_attention_heads * hd;
  const kvWidth = config.num_key_value_heads * hd;
  const expected = [{ name: 'model.embed_tokens.weight', shape: [V, d] }];
  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    const prefix = `model.layers.${layer}`;
    expected.push(
      { name: `${prefix}.input_layernorm.weight`, shape: [d] },
      { name: `${prefix}.self_attn.q_proj.weight`, shape: [qWidth, d] },
      { name: `${prefix}.self_attn.k_proj.weight`, shape: [kvWidth, d] },
      { name: `${prefix}.self_attn.v_proj.weight`, shape: [kvWidth, d] },
      { name: `${prefix}.self_attn.o_proj.weight`, shape: [d, qWidth] },
      { name: `${prefix}.post_attention_layernorm.weight`, shape: [d] },
      { name: `${prefix}.mlp.gate_proj.weight`, shape: [f, d] },
      { name: `${prefix}.mlp.up_proj.weight`, shape: [f, d] },
      { name: `${prefix}.mlp.down_proj.weight`, shape: [d, f] },
    );
  }
  expected.push({ name: 'model.norm.weight', shape: [d] });
  if (!config.tie_word_embeddings) expected.push({ name: 'lm_head.weight', shape: [V, d] });
  return expected;
}

// The RoPE buffer older checkpoints carry (model.layers.N.self_attn.rotary_emb.inv_freq); the graph computes its own.
const bufferPattern = /(^|\.)rotary_emb\.inv_freq$/;

// LlamaForCausalLM names parameters `model.layers.0...`; a bare LlamaModel saves them as `layers.0...`.
function canonicalName(name: string): string {
  return name.startsWith('model.') || name.startsWith('lm_head.') ? name : `model.${name}`;
}

/** Checks the checkpoint against the config and returns the parameters under their canonical names. */
export function collectLlamaWeights(config: LlamaConfig, tensors: Map<string, FloatTensor>): LlamaWeights {
  const found = indexTensors(tensors, { isBuffer: (name) => bufferPattern.test(name), canonicalName });

  const expected = expectedLlamaParameters(config);
  const expectedNames = new Set(expected.map(({ name }) => name));
  for (const [name, { fileName }] of found) {
    if (expectedNames.has(name)) continue;
    // A tied checkpoint may still store lm_head.weight; like Hugging Face, use embed_tokens instead.
    if (name === 'lm_head.weight' && config.tie_word_embeddings) continue;
    const layer = /^model\.layers\.(\d+)\./.exec(name)?.[1];
    if (layer !== undefined && Number(layer) >= config.num_hidden_layers) {
      throw new Error(`checkpoint has tensor ${fileName} but config.json says num_hidden_layers ${config.num_hidden_layers}`);
    }
    if (/\.bias$/.test(name)) {
      throw new Error(`unexpected tensor ${fileName}: a bias, but config.json declares no attention_bias or mlp_bias`);
    }
    throw new Error(`unexpected tensor ${fileName}: not a Llama parameter`);
  }

  return takeExpectedWeights(found, expected);
}
