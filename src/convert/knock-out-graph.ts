// Knock-out inputs: head_mask [layers, heads] and mlp_mask [layers], float. A head's context vector is
// multiplied by its mask before the output projection (whose bias stays); an MLP's output, bias included,
// by its layer's mask before the residual add. All ones is the plain model. The names are the Trace's contract.
import { HEAD_MASK_INPUT, MLP_MASK_INPUT } from '../trace/knock-out';
import { attr, type GraphBuilder } from './onnx-writer';

export interface KnockOutInputs {
  /** Each layer's row of head_mask, shaped [1, h, 1, 1] to scale a context [b, h, s, hd]. */
  headRows: string[];
  /** Each layer's mlp_mask value, shaped [1]. */
  mlpScales: string[];
}

/**
 * Declares the two mask inputs (fixed shapes: the engine builds them from the config) and splits them into each
 * layer's part once: one Split per mask, not a Gather and a Reshape per layer, so a generation step with every
 * mask one pays 2 + 2 × layers small nodes, not 5 × layers (onnxruntime-web runs each in a few microseconds).
 */
export function declareKnockOutInputs(g: GraphBuilder, layers: number, heads: number): KnockOutInputs {
  const headMask = g.input(HEAD_MASK_INPUT, 'float32', [layers, heads]);
  const mlpMask = g.input(MLP_MASK_INPUT, 'float32', [layers]);
  const ones = g.constant('knock_out_split_sizes', 'int64', new Array(layers).fill(1));
  const perLayer = (name: string) => Array.from({ length: layers }, (_, layer) => `${name}.layer_${layer}`);
  const headColumns = g.node('Reshape', 'head_mask.columns', [headMask, g.constant('head_mask_columns_shape', 'int64', [layers, heads, 1, 1])]);
  return {
    headRows: g.nodeWithOutputs('Split', 'head_mask.split', [headColumns, ones], { attributes: { axis: attr.int(0) }, outputs: perLayer('head_mask') }),
    mlpScales: g.nodeWithOutputs('Split', 'mlp_mask.split', [mlpMask, ones], { attributes: { axis: attr.int(0) }, outputs: perLayer('mlp_mask') }),
  };
}

/** context [b, h, s, hd] × head_mask[layer] as [1, h, 1, 1]. */
export function maskHeads(g: GraphBuilder, inputs: KnockOutInputs, layer: number, context: string, prefix: string): string {
  return g.node('Mul', `${prefix}.context_masked`, [context, inputs.headRows[layer]]);
}

/** The MLP's output [b, s, d] × mlp_mask[layer] (shaped [1]). */
export function maskMlp(g: GraphBuilder, inputs: KnockOutInputs, layer: number, out: string, prefix: string): string {
  return g.node('Mul', `${prefix}.mlp.out_masked`, [out, inputs.mlpScales[layer]]);
}
