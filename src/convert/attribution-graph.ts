// Direct logit attribution's weight-side products inside the graph, at the last position only, so the engine needs
// no copy of the output projections or the LM head: each head's vote (its context through its own slice of the
// output projection, dotted with each readout row), the LM head's rows of the two likeliest tokens times the final norm's gain, the final norm's bias
// along those rows, and each layer's output-projection bias. The engine (src/engine/attribution.ts) takes the dot
// products with the other parts of the residual stream in float64.
import { attr, type Dim, type GraphBuilder } from './onnx-writer';
import { batch, lastPosition } from './decoder-graph';
import { attributionOutputs } from '../trace/output-names';
import type { LensOutput } from './logit-lens-graph';

export interface AttributionGraphInput {
  g: GraphBuilder;
  heads: number;
  headDim: number;
  width: number;
  /** Per layer: the heads' contexts [b, h, s, hd] as the output projection reads them (after any knock-out mask). */
  contexts: string[];
  /** Per layer: the output projection as the graph multiplies by it, [h * hd, d]. */
  projections: string[];
  /** Per layer: the output projection's bias [d], or null (Llama without o_proj bias). */
  biases: (string | null)[];
  /** The LM head's weight as stored, [V, d] (the embedding table when tied): rows gathered, as an embedding lookup (the fp16 pass narrows it). */
  head: string;
  /** The model's logits [b, s, V]. */
  logits: string;
  finalNormGain: string;
  /** LayerNorm's bias; null for RMSNorm. */
  finalNormBias: string | null;
}

export function buildAttributionOutputs(input: AttributionGraphInput): LensOutput[] {
  const { g, heads, headDim, width, contexts, projections, biases, head, logits, finalNormGain, finalNormBias } = input;
  const nLayer = contexts.length;
  const lastOf = (x: string, axis: number, name: string) => lastPosition(g, x, axis, name);

  // The two likeliest next tokens at the last position, and their rows of the head times the norm's gain.
  const lastLogits = lastOf(logits, 1, 'attr.last_logits'); // [b, 1, V]
  const [, topIds] = g.nodeWithOutputs('TopK', 'attr.top_two', [lastLogits, g.constant('attr_k', 'int64', [2])], {
    attributes: { axis: attr.int(-1), largest: attr.int(1), sorted: attr.int(1) },
    outputs: ['attr.top_two.values', 'attr.top_two.ids'],
  });
  g.node('Reshape', 'attr.readout_ids_reshape', [topIds, g.constant('attr_ids_shape', 'int64', [0, 2])], { outputs: [attributionOutputs.readoutIds] });
  const gathered = g.node('Gather', 'attr.rows_gathered', [head, topIds], { attributes: { axis: attr.int(0) } }); // [b, 1, 2, d]
  const rows = g.node('Reshape', 'attr.rows', [gathered, g.constant('attr_rows_shape', 'int64', [0, 2, width])]);
  g.node('Mul', 'attr.readout_gain', [rows, finalNormGain], { outputs: [attributionOutputs.readout] });

  // Each head's vote along each readout row: head i's last-position context c_i [hd] dotted with W_O_i · centre(r_j),
  // W_O_i its rows of the projection. uᵀ = centre(readout) [2, d] × W_Oᵀ per layer, a Gemm with transB (the weight
  // as stored: no Reshape, Slice or Transpose of it, which onnxruntime would fold into a second copy; and wide
  // output rows, where a MatMul with W_O first gave [h * hd, 2], slow in WASM), then each head's context times its
  // hd entries of u, summed: 2 × h·hd × d multiply-adds a layer instead of the h × h·hd × d of each head's whole
  // output (the time is mostly reading the weight, which both do once).
  // LayerNorm's mean is taken out of the rows here (RMSNorm has none); the final norm's divisor is the engine's.
  const readout = attributionOutputs.readout;
  const centred = finalNormBias
    ? g.node('Sub', 'attr.readout_centred', [readout, g.node('ReduceMean', 'attr.readout_mean', [readout], { attributes: { axes: attr.ints([-1]), keepdims: attr.int(1) } })])
    : readout;
  const rowsFlat = g.node('Reshape', 'attr.readout_rows_flat', [centred, g.constant('attr_rows_flat_shape', 'int64', [-1, width])]); // [b * 2, d]
  // Two nodes a layer (onnxruntime-web pays for every node): the Gemm, and the slice of the context's last position;
  // the rest on all layers at once.
  const along = contexts.map((_, layer) => g.node('Gemm', `attr.layer_${layer}.projected_readout`, [rowsFlat, projections[layer]], { attributes: { transB: attr.int(1) } })); // [b * 2, h * hd]
  const lasts = contexts.map((context, layer) => lastOf(context, 2, `attr.layer_${layer}.context_last`)); // [b, h, 1, hd]
  const concat = (name: string, values: string[]) => g.node('Concat', name, values, { attributes: { axis: attr.int(0) } });
  const reshape = (name: string, value: string, shape: number[]) => g.node('Reshape', name, [value, g.constant(`${name.replace(/\./g, '_')}_shape`, 'int64', shape)]);
  const alongAll = reshape('attr.projected_readouts', concat('attr.projected_readouts_joined', along), [nLayer, -1, 2, heads * headDim]); // [L, b, 2, h * hd]
  const contextsAll = reshape('attr.contexts_last', concat('attr.contexts_last_joined', lasts), [nLayer, -1, 1, heads * headDim]); // [L, b, 1, h * hd], head-major as W_O's rows
  const terms = reshape('attr.vote_terms', g.node('Mul', 'attr.vote_products', [contextsAll, alongAll]), [nLayer, -1, 2, heads, headDim]); // [L, b, 2, h, hd]
  const votes = g.node('ReduceSum', 'attr.head_votes_by_layer', [terms, g.constant('axes_last', 'int64', [-1])], { attributes: { keepdims: attr.int(0) } }); // [L, b, 2, h]
  g.node('Transpose', 'attr.head_votes_all', [votes], { attributes: { perm: attr.ints([1, 0, 3, 2]) }, outputs: [attributionOutputs.headVotes] }); // [b, L, h, 2]

  const outputs: LensOutput[] = [
    { name: attributionOutputs.headVotes, type: 'float32', shape: [batch, nLayer, heads, 2] },
    { name: attributionOutputs.readoutIds, type: 'int64', shape: [batch, 2] },
    { name: attributionOutputs.readout, type: 'float32', shape: [batch, 2, width] },
  ];
  if (finalNormBias) {
    const column = g.node('Reshape', 'attr.final_bias_column', [finalNormBias, g.constant('column_shape', 'int64', [width, 1])]);
    g.node('Reshape', 'attr.final_bias_flat', [g.node('MatMul', 'attr.final_bias_dot', [rows, column]), g.constant('attr_ids_shape', 'int64', [0, 2])], { outputs: [attributionOutputs.finalBias] });
    outputs.push({ name: attributionOutputs.finalBias, type: 'float32', shape: [batch, 2] });
  }
  const present = biases.filter((bias): bias is string => bias !== null);
  if (present.length === nLayer) {
    const rowsOf = present.map((bias, layer) => g.node('Unsqueeze', `attr.layer_${layer}.bias_row`, [bias, g.constant('axes', 'int64', [0])]));
    g.node('Concat', 'attr.proj_bias_stack', rowsOf, { attributes: { axis: attr.int(0) }, outputs: [attributionOutputs.projectionBias] }); // [L, d]
    outputs.push({ name: attributionOutputs.projectionBias, type: 'float32', shape: [nLayer, width] });
  }
  return outputs;
}

export type { Dim };
