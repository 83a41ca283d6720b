// Knock-out inputs: head_mask [layers, heads] and mlp_mask [layers], float. A head's context vector is
// multiplied by its mask before the output projection (whose bias stays); an MLP's output, bias included,
// by its layer's mask before the residual add. All ones is the plain model. The names are the Trace's contract.
import { HEAD_MASK_INPUT, MLP_MASK_INPUT } from '../trace/knock-out';
import { attr, type GraphBuilder } from './onnx-writer';

export interface KnockOutInputs {
  headMask: string;
  mlpMask: string;
}

/** Declares the two mask inputs (fixed shapes: the engine builds them from the config). */
export function declareKnockOutInputs(g: GraphBuilder, layers: number, heads: number): KnockOutInputs {
  return { headMask: g.input(HEAD_MASK_INPUT, 'float32', [layers, heads]), mlpMask: g.input(MLP_MASK_INPUT, 'float32', [layers]) };
}

/** context [b, h, s, hd] × head_mask[layer] as [1, h, 1, 1]. */
export function maskHeads(g: GraphBuilder, inputs: KnockOutInputs, layer: number, context: string, prefix: string): string {
  const row = g.node('Gather', `${prefix}.head_mask.row`, [inputs.headMask, g.scalar(`i64_${layer}`, 'int64', layer)], { attributes: { axis: attr.int(0) } }); // [h]
  const column = g.node('Reshape', `${prefix}.head_mask.column`, [row, g.constant('head_mask_shape', 'int64', [1, -1, 1, 1])]);
  return g.node('Mul', `${prefix}.context_masked`, [context, column]);
}

/** The MLP's output [b, s, d] × mlp_mask[layer] (a scalar). */
export function maskMlp(g: GraphBuilder, inputs: KnockOutInputs, layer: number, out: string, prefix: string): string {
  const scale = g.node('Gather', `${prefix}.mlp_mask.value`, [inputs.mlpMask, g.scalar(`i64_${layer}`, 'int64', layer)], { attributes: { axis: attr.int(0) } }); // []
  return g.node('Mul', `${prefix}.mlp.out_masked`, [out, scale]);
}
