// Why a model_type the converter does not build is refused: one line naming the family and what differs,
// so a presenter who fetches Gemma or Phi-3 learns it before downloading gigabytes.

/** What each well-known family does that the GPT-2 and Llama graphs do not build. */
const reasons: Record<string, string> = {
  gemma: 'its embeddings are scaled by sqrt(hidden_size), its RMSNorm adds 1 to the gain and its MLP uses GELU, not SiLU',
  gemma2: 'its embeddings are scaled by sqrt(hidden_size), its RMSNorm adds 1 to the gain, and it soft-caps logits and alternates sliding-window layers',
  gemma3: 'it is a vision-language model whose text layers add q/k norms and sliding-window layers to Gemma',
  gemma3_text: 'its embeddings are scaled by sqrt(hidden_size), it normalises q and k per head and alternates sliding-window layers',
  phi3: 'it fuses q, k and v into one qkv_proj and gate and up into one gate_up_proj, and uses a sliding window or longrope RoPE scaling',
  phi: 'it rotates only part of each head, uses LayerNorm and GELU, and runs attention and the MLP in parallel',
  qwen3: 'it normalises q and k per head (q_norm, k_norm) before RoPE',
  qwen2_moe: 'its feed-forward layers are a mixture of experts',
  qwen3_moe: 'its feed-forward layers are a mixture of experts',
  mixtral: 'its feed-forward layers are a mixture of experts',
  gpt_neox: 'it rotates only part of each head and runs attention and the MLP in parallel',
  gptj: 'it rotates only part of each head, interleaved, and runs attention and the MLP in parallel',
  falcon: 'it runs attention and the MLP in parallel and uses LayerNorm and GELU',
  olmo2: 'it normalises q and k and puts its norms after each block',
  smollm3: 'it leaves RoPE out of every fourth layer',
  starcoder2: 'it uses LayerNorm, biases and a GELU MLP',
};

/** The one-line message for a model_type outside `supported` (undefined or not a string: config.json lacks it). */
export function unsupportedModelTypeMessage(modelType: unknown, supported: readonly string[]): string {
  const list = `supported: ${supported.join(', ')}`;
  if (typeof modelType !== 'string' || modelType === '') return `config.json has no model_type; ${list}`;
  const reason = reasons[modelType];
  return reason ? `${modelType} is not supported: ${reason}; ${list}` : `model_type ${JSON.stringify(modelType)} is not supported; ${list}`;
}
