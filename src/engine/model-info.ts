// Reads what a model is from its config.json (Hugging Face layout), for the slides and the engine.
import type { ModelInfo } from '../trace';

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
  n_embd?: number;
  hidden_size?: number;
  n_inner?: number | null;
  intermediate_size?: number;
  layer_norm_epsilon?: number;
  rms_norm_eps?: number;
}

export function modelInfoFromConfig(name: string, config: HfConfig): ModelInfo {
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
  return {
    name,
    modelType,
    vocabSize,
    contextLength,
    nLayer,
    nHead,
    nEmbd,
    headDim: nEmbd / nHead,
    mlpWidth,
    layerNormEpsilon: config.layer_norm_epsilon ?? config.rms_norm_eps ?? 1e-5,
    parameterCount: modelType === 'gpt2' ? gpt2ParameterCount(vocabSize, contextLength, nEmbd, nLayer, mlpWidth) : null,
  };
}

/** GPT-2 with tied embeddings: wte + wpe + per layer (2 LayerNorms, c_attn, c_proj, c_fc, mlp c_proj) + ln_f. */
export function gpt2ParameterCount(vocab: number, positions: number, d: number, layers: number, mlp: number): number {
  const perLayer = 2 * 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * mlp + mlp) + (mlp * d + d);
  return vocab * d + positions * d + layers * perLayer + 2 * d;
}
