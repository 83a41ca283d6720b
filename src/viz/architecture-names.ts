// What the slides call the parts where model families differ, from the Trace's ModelInfo: GPT-2
// (learned positions, LayerNorm, GELU) and Llama-family models (RoPE, RMSNorm, SwiGLU, shared KV heads).
import type { ModelInfo } from '../trace';

/** How people write each model_type: "GPT-2", "Llama", "Qwen2", "Mistral" (the model_type itself otherwise). */
export function familyDisplayName(modelType: string): string {
  const names: Readonly<Record<string, string>> = { gpt2: 'GPT-2', llama: 'Llama', qwen2: 'Qwen2', mistral: 'Mistral' };
  return names[modelType] ?? modelType;
}

/** "LayerNorm" or "RMSNorm". */
export function normName(model: ModelInfo): string {
  return model.architecture.norm === 'rmsnorm' ? 'RMSNorm' : 'LayerNorm';
}

/** The final norm's parameter name in this family's checkpoints ("ln_f", "norm"). */
export function finalNormName(model: ModelInfo): string {
  return model.architecture.family === 'llama' ? 'norm' : 'ln_f';
}

/** The feed-forward's non-linearity: "GELU" or "SwiGLU". */
export function feedForwardName(model: ModelInfo): string {
  return model.architecture.feedForward === 'swiglu' ? 'SwiGLU' : 'GELU';
}

/** "4 heads" or "32 query heads sharing 8 key/value heads". */
export function headsDescription(model: ModelInfo): string {
  const kv = model.architecture.kvHeads;
  return kv === model.nHead ? `${model.nHead} heads` : `${model.nHead} query heads sharing ${kv} key/value heads`;
}

/** One line on how this model differs from the textbook GPT-2 block, for notes and captions. */
export function architectureSummary(model: ModelInfo): string {
  const { architecture } = model;
  if (architecture.family === 'llama') {
    return `Llama layout: rotary positions (RoPE, θ = ${architecture.ropeTheta}), RMSNorm, SwiGLU feed-forward, ${headsDescription(model)}.`;
  }
  return 'GPT-2 layout: learned positions, LayerNorm, GELU feed-forward.';
}
