// Reads what a model is from its config.json (Hugging Face layout), for the slides and the engine.
import type { ModelArchitecture, ModelInfo } from '../trace';

/** Raw config.json fields we read; GPT-2 and Llama-family names both appear here. */
export interface HfConfig {
  model_type?: string;
  vocab_size?: number;
  n_positions?: number;
  max_position_embeddings?: number;
  n_layer?: number;
  num_hidden_layers?: number;
  n_head?: number;
  num_attention_heads?: number;
  num_key_value_heads?: number;
  head_dim?: number;
  n_embd?: number;
  hidden_size?: number;
  n_inner?: number | null;
  intermediate_size?: number;
  layer_norm_epsilon?: number;
  rms_norm_eps?: number;
  rope_theta?: number;
  /** Transformers 5 keeps rope_theta (and the scaling) in here instead. */
  rope_parameters?: { rope_theta?: number } | null;
  tie_word_embeddings?: boolean;
  /** Llama: biases on q/k/v/o (Qwen2 always has them on q/k/v, and has no such field). */
  attention_bias?: boolean;
}

/** The model_types built as the Llama graph: RoPE, RMSNorm, SwiGLU, shared key/value heads. */
const llamaGraphTypes = ['llama', 'qwen2', 'mistral'];

/** `precision`: the weights that run (load-model.ts chooses; config.json alone cannot say). */
export function modelInfoFromConfig(name: string, config: HfConfig, precision: ModelInfo['precision'] = 'fp32'): ModelInfo {
  const modelType = config.model_type ?? 'unknown';
  const need = (value: number | undefined, key: string): number => {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`config.json of ${name} lacks ${key}`);
    return value;
  };
  const nEmbd = need(config.n_embd ?? config.hidden_size, 'n_embd');
  const nHead = need(config.n_head ?? config.num_attention_heads, 'n_head');
  const nLayer = need(config.n_layer ?? config.num_hidden_layers, 'n_layer');
  const vocabSize = need(config.vocab_size, 'vocab_size');
  const contextLength = need(config.n_positions ?? config.max_position_embeddings, 'n_positions');
  const mlpWidth = config.n_inner ?? config.intermediate_size ?? 4 * nEmbd;
  const headDim = config.head_dim ?? nEmbd / nHead;
  const architecture = architectureOf(modelType, config, nHead);
  const sizes = { vocab: vocabSize, positions: contextLength, d: nEmbd, layers: nLayer, mlp: mlpWidth };
  return {
    name,
    modelType,
    vocabSize,
    contextLength,
    nLayer,
    nHead,
    nEmbd,
    headDim,
    mlpWidth,
    layerNormEpsilon: config.layer_norm_epsilon ?? config.rms_norm_eps ?? 1e-5,
    parameterCount:
      architecture.family === 'gpt2'
        ? gpt2ParameterCount(sizes.vocab, sizes.positions, sizes.d, sizes.layers, sizes.mlp)
        : architecture.family === 'llama'
          ? llamaParameterCount({ ...sizes, heads: nHead, kvHeads: architecture.kvHeads, headDim, tied: architecture.tiedEmbeddings, ...attentionBiases(modelType, config) })
          : null,
    architecture,
    precision,
  };
}

/** The parts the slides name differently per family (Hugging Face's defaults where config.json is silent). */
export function architectureOf(modelType: string, config: HfConfig, nHead: number): ModelArchitecture {
  // Qwen2 and Mistral are the Llama graph (the slides name their parts as Llama's); modelType tells them apart.
  if (llamaGraphTypes.includes(modelType)) {
    return {
      family: 'llama',
      norm: 'rmsnorm',
      positions: 'rope',
      feedForward: 'swiglu',
      kvHeads: config.num_key_value_heads ?? nHead,
      ropeTheta: config.rope_parameters?.rope_theta ?? config.rope_theta ?? 10000,
      tiedEmbeddings: config.tie_word_embeddings ?? false,
      qkvBias: attentionBiases(modelType, config).qkvBias,
    };
  }
  return {
    family: modelType === 'gpt2' ? 'gpt2' : 'other',
    norm: 'layernorm',
    positions: 'learned',
    feedForward: 'gelu',
    kvHeads: nHead,
    ropeTheta: null,
    tiedEmbeddings: config.tie_word_embeddings ?? true,
    // GPT-2's c_attn (q, k and v in one matrix) always has its bias; another model type's is not known here.
    ...(modelType === 'gpt2' ? { qkvBias: true } : {}),
  };
}

/** GPT-2 with tied embeddings: wte + wpe + per layer (2 LayerNorms, c_attn, c_proj, c_fc, mlp c_proj) + ln_f. */
export function gpt2ParameterCount(vocab: number, positions: number, d: number, layers: number, mlp: number): number {
  const perLayer = 2 * 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * mlp + mlp) + (mlp * d + d);
  return vocab * d + positions * d + layers * perLayer + 2 * d;
}

/** Which attention projections carry biases: Qwen2's q/k/v always; a Llama's q/k/v/o with attention_bias; Mistral's none. */
function attentionBiases(modelType: string, config: HfConfig): { qkvBias: boolean; oBias: boolean } {
  const llamaBias = modelType === 'llama' && config.attention_bias === true;
  return { qkvBias: modelType === 'qwen2' || llamaBias, oBias: llamaBias };
}

/** Llama graph: embed_tokens (+ lm_head unless tied) + per layer (2 RMSNorms, q/k/v/o and their biases if any, gate/up/down) + norm. */
export function llamaParameterCount(sizes: {
  vocab: number;
  d: number;
  layers: number;
  mlp: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  tied: boolean;
  qkvBias?: boolean;
  oBias?: boolean;
}): number {
  const { vocab, d, layers, mlp, heads, kvHeads, headDim, tied, qkvBias = false, oBias = false } = sizes;
  const biases = (qkvBias ? heads * headDim + 2 * kvHeads * headDim : 0) + (oBias ? d : 0);
  const attention = d * heads * headDim + 2 * d * kvHeads * headDim + heads * headDim * d + biases;
  const perLayer = 2 * d + attention + 3 * d * mlp;
  return vocab * d * (tied ? 1 : 2) + layers * perLayer + d;
}
