// Reads a Hugging Face config.json of the Llama graph's families (LlamaForCausalLM, Qwen2ForCausalLM,
// MistralForCausalLM) and checks a checkpoint's tensors against it, so that a bad checkpoint fails here
// with a message that names the problem, not deep inside ONNX Runtime.
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

/** The model_types built by the Llama graph: the same layers, with the differences LlamaConfig records. */
export const llamaFamilies = ['llama', 'qwen2', 'mistral'] as const;
export type LlamaFamily = (typeof llamaFamilies)[number];

/** The hyperparameters the graph needs, with the family's Hugging Face config defaults resolved. */
export interface LlamaConfig {
  model_type: LlamaFamily;
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
  /** q_proj, k_proj and v_proj have biases (Qwen2 always; Llama with attention_bias). */
  qkv_bias: boolean;
  /** o_proj has a bias (Llama with attention_bias; Qwen2 has none there). */
  o_bias: boolean;
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

// What each family's config class assumes where config.json is silent (all three: rms_norm_eps 1e-6,
// rope_theta 10000, untied head); only the context length differs.
const defaultMaxPositions: Record<LlamaFamily, number> = { llama: 2048, qwen2: 32768, mistral: 4096 * 32 };

// Qwen2Config and MistralConfig both default sliding_window to 4096; Qwen2Config's max_window_layers to 28.
const DEFAULT_SLIDING_WINDOW = 4096;
const DEFAULT_QWEN2_MAX_WINDOW_LAYERS = 28;

const isLlamaFamily = (modelType: unknown): modelType is LlamaFamily => llamaFamilies.includes(modelType as LlamaFamily);

/** config.sliding_window: null means no window; absent means the config class's default. */
function slidingWindow(config: Record<string, unknown>): number | null {
  if (config.sliding_window === null) return null;
  if (config.sliding_window === undefined) return DEFAULT_SLIDING_WINDOW;
  return positiveInteger(config, 'sliding_window');
}

/** Mistral: every layer attends to at most the last sliding_window positions; harmless only when that covers the context. */
function checkMistralWindow(config: Record<string, unknown>, maxPositions: number): void {
  const window = slidingWindow(config);
  if (window !== null && window < maxPositions) {
    throw new Error(
      `mistral with sliding_window ${window} is not supported: each token would see only the last ${window} of ` +
        `max_position_embeddings ${maxPositions} positions, and this converter builds full causal attention`,
    );
  }
}

/** Qwen2's max_window_layers: the first layer that attends through the window (0 is allowed: every layer). */
function windowedFrom(config: Record<string, unknown>): number {
  const value = config.max_window_layers ?? DEFAULT_QWEN2_MAX_WINDOW_LAYERS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new Error(`config.json: max_window_layers must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Qwen2: with use_sliding_window, the layers from max_window_layers on (or those layer_types names) attend through a window. */
function checkQwen2Window(config: Record<string, unknown>, layers: number, maxPositions: number): void {
  if (config.use_sliding_window !== true) return;
  const window = slidingWindow(config);
  if (window === null || window >= maxPositions) return;
  const slidingLayers = Array.isArray(config.layer_types)
    ? config.layer_types.filter((type) => type === 'sliding_attention').length
    : Math.max(0, layers - windowedFrom(config));
  if (slidingLayers === 0) return;
  throw new Error(
    `qwen2 with use_sliding_window true is not supported: ${slidingLayers} of ${layers} layers would see only the last ` +
      `${window} of max_position_embeddings ${maxPositions} positions, and this converter builds full causal attention`,
  );
}

/** Validates a parsed config.json of a Llama-graph family (llama, qwen2, mistral) and fills in its Hugging Face defaults. */
export function parseLlamaConfig(config: Record<string, unknown>): LlamaConfig {
  const modelType = config.model_type;
  if (!isLlamaFamily(modelType)) {
    throw new Error(`unsupported model_type ${JSON.stringify(modelType)}: this converter handles ${llamaFamilies.join(', ')}`);
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
  // Only Llama's config has these switches; Qwen2 always biases q, k and v, Mistral never biases.
  if (modelType === 'llama' && config.mlp_bias === true) {
    throw new Error('unsupported config.json: mlp_bias true (gate/up/down projections with biases)');
  }
  const llamaAttentionBias = modelType === 'llama' && config.attention_bias === true;

  const num_hidden_layers = positiveInteger(config, 'num_hidden_layers');
  const max_position_embeddings =
    config.max_position_embeddings === undefined ? defaultMaxPositions[modelType] : positiveInteger(config, 'max_position_embeddings');
  if (modelType === 'mistral') checkMistralWindow(config, max_position_embeddings);
  if (modelType === 'qwen2') checkQwen2Window(config, num_hidden_layers, max_position_embeddings);

  return {
    model_type: modelType,
    vocab_size: positiveInteger(config, 'vocab_size'),
    hidden_size,
    intermediate_size: positiveInteger(config, 'intermediate_size'),
    num_hidden_layers,
    num_attention_heads,
    num_key_value_heads,
    head_dim,
    rms_norm_eps: positiveNumber(config, 'rms_norm_eps', 1e-6),
    max_position_embeddings,
    ...parseRope(config),
    // The three config classes default to untied (Llama 3.2 1B/3B, SmolLM and small Qwen2.5 set it true).
    tie_word_embeddings: config.tie_word_embeddings === true,
    qkv_bias: modelType === 'qwen2' || llamaAttentionBias,
    o_bias: llamaAttentionBias,
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
    const projection = (name: string, outWidth: number, inWidth: number, bias: boolean) => [
      { name: `${prefix}.self_attn.${name}.weight`, shape: [outWidth, inWidth] },
      ...(bias ? [{ name: `${prefix}.self_attn.${name}.bias`, shape: [outWidth] }] : []),
    ];
    expected.push(
      { name: `${prefix}.input_layernorm.weight`, shape: [d] },
      ...projection('q_proj', qWidth, d, config.qkv_bias),
      ...projection('k_proj', kvWidth, d, config.qkv_bias),
      ...projection('v_proj', kvWidth, d, config.qkv_bias),
      ...projection('o_proj', d, qWidth, config.o_bias),
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

const familyNames: Record<LlamaFamily, string> = { llama: 'Llama', qwen2: 'Qwen2', mistral: 'Mistral' };

/** Which biases the config gives the model, for the message about a bias it does not. */
function biasesOf(config: LlamaConfig): string {
  if (config.model_type === 'qwen2') return 'qwen2 has biases only on q_proj, k_proj and v_proj';
  if (config.model_type === 'mistral') return 'mistral has no biases';
  return config.o_bias ? 'config.json declares attention_bias only, not mlp_bias' : 'config.json declares no attention_bias or mlp_bias';
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
    if (/\.bias$/.test(name)) throw new Error(`unexpected tensor ${fileName}: a bias, but ${biasesOf(config)}`);
    throw new Error(`unexpected tensor ${fileName}: not a ${familyNames[config.model_type]} parameter`);
  }

  return takeExpectedWeights(found, expected);
}
