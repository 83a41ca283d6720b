// The naming scheme of the extra ("trace") outputs that our converted ONNX graphs expose.
// One source of truth: the converter writes these names, the engine reads them, the slides look tensors up by them.
// The per-layer ones leave the graph stacked by kind (trace.layers.<kind> [L, ...]; see stacked-layer-outputs.ts) and
// are split back into these names by the engine.
//
// Shapes use b = batch, s = new tokens in this call, t = past + s (all positions a query can see),
// d = n_embd, h = n_head, hd = d / h, f = MLP width (4d for GPT-2).
// The GPT-2 meanings are listed first; the Llama meanings (same names wherever they mean the same thing)
// follow below.
//
//   trace.embed.tokens              [b, s, d]    rows of wte for the input ids
//   trace.embed.positions           [b, s, d]    rows of wpe for the position ids
//   trace.embed.sum                 [b, s, d]    tokens + positions: the residual stream entering layer 0
//   trace.layer.N.ln_1              [b, s, d]    LayerNorm before attention
//   trace.layer.N.attn.q            [b, h, s, hd]
//   trace.layer.N.attn.k            [b, h, t, hd] past keys included
//   trace.layer.N.attn.v            [b, h, t, hd] past values included
//   trace.layer.N.attn.scores       [b, h, s, t]  q.k / sqrt(hd), before any mask
//   trace.layer.N.attn.masked_scores[b, h, s, t]  masked positions hold the float32 minimum
//   trace.layer.N.attn.probs        [b, h, s, t]  softmax of the masked scores
//   trace.layer.N.attn.context      [b, h, s, hd] probs @ v, per head, before the heads are merged
//   trace.layer.N.attn.out          [b, s, d]    after c_proj
//   trace.layer.N.resid.after_attn  [b, s, d]    residual stream + attn.out
//   trace.layer.N.ln_2              [b, s, d]    LayerNorm before the MLP
//   trace.layer.N.mlp.pre_act       [b, s, f]    c_fc output, before GELU
//   trace.layer.N.mlp.act           [b, s, f]    after GELU
//   trace.layer.N.mlp.out           [b, s, d]    after the MLP's c_proj
//   trace.layer.N.resid.after_mlp   [b, s, d]    residual stream leaving the layer
//   trace.ln_f                      [b, s, d]    final LayerNorm, the LM head's input
//
// Llama (model_type "llama", src/convert/llama.ts): d = hidden_size, h = num_attention_heads,
// kvh = num_key_value_heads, hd = head_dim (default d / h), f = intermediate_size. Differences:
//   trace.embed.positions           absent: positions enter as rotations of q and k (RoPE), not as vectors
//   trace.embed.sum                 [b, s, d]    = trace.embed.tokens, the residual stream entering layer 0
//   trace.layer.N.ln_1              [b, s, d]    input_layernorm (RMSNorm)
//   trace.layer.N.attn.q_unrotated  [b, h, s, hd] q_proj output before RoPE               (Llama only)
//   trace.layer.N.attn.k_unrotated  [b, h, s, hd] this call's keys before RoPE, expanded   (Llama only)
//                                                from kvh to h heads as repeat_kv does
//   trace.layer.N.attn.q            [b, h, s, hd] after RoPE
//   trace.layer.N.attn.k            [b, h, t, hd] after RoPE, past keys included, expanded to h heads
//                                                (query head i reads key head i / (h / kvh));
//                                                the present.N.key cache keeps kvh heads
//   trace.layer.N.attn.v            [b, h, t, hd] past values included, expanded to h heads likewise
//   trace.layer.N.attn.scores ... attn.context   as GPT-2 (scores = q.k * hd^-0.5)
//   trace.layer.N.attn.out          [b, s, d]    after o_proj
//   trace.layer.N.ln_2              [b, s, d]    post_attention_layernorm (RMSNorm)
//   trace.layer.N.mlp.pre_act       [b, s, f]    gate_proj output, before SiLU
//   trace.layer.N.mlp.act           [b, s, f]    silu(gate_proj(x)) * up_proj(x): the input of down_proj
//   trace.layer.N.mlp.out           [b, s, d]    after down_proj
//   trace.ln_f                      [b, s, d]    model.norm (RMSNorm), the LM head's input
//
// The logit lens, computed in the graph (src/convert/logit-lens-graph.ts), both families, behind its own switch
// (LENS_SWITCH_INPUT) at the call's last position. S = the stages of logitLensStages (src/trace/logit-lens.ts);
// k = LOGIT_LENS_TOP:
//   trace.lens.ids                  [b, S, k] int64  top-k token ids of softmax(head(final_norm(residual))) at the
//                                                    last position, per stage, most probable first
//   trace.lens.probs                [b, S, k]    their probabilities (softmax over the whole vocabulary, float32)
//   trace.lens.logits               [b, S, k]    their logits

export const TRACE_PREFIX = 'trace.';

/** What every run needs, a generation step included: the logits and the grown KV cache (present.*); the rest is the trace's. */
export function isStepOutput(name: string): boolean {
  return name === 'logits' || name.startsWith('present.');
}

/**
 * A bool scalar input of graphs converted since the trace switch: true computes the trace outputs, false gives
 * them empty (a generation step), so a step costs what the plain graph costs (src/convert/trace-branch-graph.ts).
 */
export const TRACE_SWITCH_INPUT = 'trace_outputs';

/**
 * The logit lens's own bool switch: the lens reads only values the logits need, so a call whose last input is the
 * prompt's last token can compute it (src/engine/prompt-lens.ts) and the prompt's traced pass can leave it out.
 */
export const LENS_SWITCH_INPUT = 'trace_lens';

/**
 * A bool switch for a generation step's own summary (stepTopOutputs): the five likeliest next tokens at the last
 * position and their probabilities, so the engine's loop needs no softmax over the vocabulary in JavaScript.
 */
export const STEP_TOP_SWITCH_INPUT = 'step_top';

/**
 * The step summary's outputs at the last position: the STEP_TOP largest logits' ids [b, 1, k] (int64, ties to the
 * lower id, as an argmax), their values [b, 1, k] and their probabilities [b, 1, k] (the row's float32 softmax).
 */
export const stepTopOutputs = {
  ids: 'step.top.ids',
  logits: 'step.top.logits',
  probs: 'step.top.probs',
} as const;

/** How many candidates a generation step shows. */
export const STEP_TOP = 5;

/** Whether an output is one of a step's top 5 (behind step_top; the engine's loop reads them). */
export function isStepTopOutput(name: string): boolean {
  return (Object.values(stepTopOutputs) as string[]).includes(name);
}

export const embedOutputs = {
  tokens: 'trace.embed.tokens',
  positions: 'trace.embed.positions',
  sum: 'trace.embed.sum',
} as const;

export const layerOutputKinds = [
  'ln_1',
  'attn.q',
  'attn.k',
  'attn.v',
  'attn.scores',
  'attn.masked_scores',
  'attn.probs',
  'attn.context',
  'attn.out',
  'resid.after_attn',
  'ln_2',
  'mlp.pre_act',
  'mlp.act',
  'mlp.out',
  'resid.after_mlp',
] as const;

/** Llama-only kinds: q and this call's k before the rotation, so a slide can show what RoPE does. */
export const rotaryLayerOutputKinds = ['attn.q_unrotated', 'attn.k_unrotated'] as const;

export type LayerOutputKind = (typeof layerOutputKinds)[number] | (typeof rotaryLayerOutputKinds)[number];

/** A Llama layer's trace outputs, in forward-pass order: GPT-2's kinds with the unrotated q and k after ln_1. */
export const llamaLayerOutputKinds: readonly LayerOutputKind[] = [layerOutputKinds[0], ...rotaryLayerOutputKinds, ...layerOutputKinds.slice(1)];

export function layerOutput(layer: number, kind: LayerOutputKind): string {
  return `trace.layer.${layer}.${kind}`;
}

export const finalNormOutput = 'trace.ln_f';

/**
 * log Σ exp(logits) over the vocabulary at every position, [b, s]: a token's log-probability is its logit minus
 * this. Computed in the graph (ONNX ReduceLogSumExp) rather than by a JavaScript pass over every position's logits.
 */
export const logitsLogSumExpOutput = 'trace.logits.logsumexp';

/** The in-graph logit lens's outputs (not in allTraceOutputs: a model without them gets the engine's own lens). */
export const logitLensOutputs = {
  ids: 'trace.lens.ids',
  probs: 'trace.lens.probs',
  logits: 'trace.lens.logits',
} as const;

/** Whether an output is one of the lens's (behind trace_lens; they become trace.extras.logitLens, not trace.tensors). */
export function isLogitLensOutput(name: string): boolean {
  return (Object.values(logitLensOutputs) as string[]).includes(name);
}

// Direct logit attribution's weight-side products, computed in the graph at the last position
// (src/convert/attribution-graph.ts), so the engine holds no copy of the projections or the head:
//   trace.attr.head_votes      [b, L, h, 2]  each head's context through its own rows of the output projection, dotted
//                                            with each readout row (centred for LayerNorm), not yet divided by the final norm's scale
//   trace.attr.readout_ids     [b, 2] int64  the two likeliest next tokens (by logit)
//   trace.attr.readout         [b, 2, d]     their LM-head rows times the final norm's gain
//   trace.attr.final_bias      [b, 2]        the final LayerNorm's bias along those rows (absent for RMSNorm)
//   trace.attr.proj_bias       [L, d]        each layer's output-projection bias (absent when the projection has none)
export const attributionOutputs = {
  headVotes: 'trace.attr.head_votes',
  readoutIds: 'trace.attr.readout_ids',
  readout: 'trace.attr.readout',
  finalBias: 'trace.attr.final_bias',
  projectionBias: 'trace.attr.proj_bias',
} as const;

export interface TraceOutputOptions {
  /**
   * True (the default) for GPT-2's learned position embeddings (trace.embed.positions);
   * false for rotary positions (Llama): no trace.embed.positions, and attn.q_unrotated / attn.k_unrotated per layer.
   */
  learnedPositions?: boolean;
}

/** Every trace output name of a model with `nLayer` layers, in forward-pass order. */
export function allTraceOutputs(nLayer: number, { learnedPositions = true }: TraceOutputOptions = {}): string[] {
  const names: string[] = learnedPositions
    ? [embedOutputs.tokens, embedOutputs.positions, embedOutputs.sum]
    : [embedOutputs.tokens, embedOutputs.sum];
  const kinds = learnedPositions ? layerOutputKinds : llamaLayerOutputKinds;
  for (let layer = 0; layer < nLayer; layer++) {
    for (const kind of kinds) names.push(layerOutput(layer, kind));
  }
  names.push(finalNormOutput);
  return names;
}
