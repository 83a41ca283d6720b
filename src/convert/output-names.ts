// The naming scheme of the extra ("trace") outputs that our converted ONNX graphs expose.
// One source of truth: the converter writes these names, the engine reads them.
//
// Shapes use b = batch, s = new tokens in this call, t = past + s (all positions a query can see),
// d = n_embd, h = n_head, hd = d / h, f = MLP width (4d for GPT-2).
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

export const TRACE_PREFIX = 'trace.';

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

export type LayerOutputKind = (typeof layerOutputKinds)[number];

export function layerOutput(layer: number, kind: LayerOutputKind): string {
  return `trace.layer.${layer}.${kind}`;
}

export const finalNormOutput = 'trace.ln_f';

/** Every trace output name of a model with `nLayer` layers, in forward-pass order. */
export function allTraceOutputs(nLayer: number): string[] {
  const names: string[] = [embedOutputs.tokens, embedOutputs.positions, embedOutputs.sum];
  for (let layer = 0; layer < nLayer; layer++) {
    for (const kind of layerOutputKinds) names.push(layerOutput(layer, kind));
  }
  names.push(finalNormOutput);
  return names;
}
