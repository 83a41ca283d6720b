// Reads the transformer-block intermediates a slide needs out of a Trace, checking names and shapes,
// so a slide can say in words which outputs are missing instead of failing.
import { embedOutputs, finalNormOutput, layerOutput } from '../trace/output-names';
import type { ModelInfo, Trace, TraceTensor } from '../trace';
import { finalNormName, normName } from './architecture-names';

/** An output a slide needs and the shape it must have (null: any size on that axis). */
export interface TensorNeed {
  name: string;
  shape: (number | null)[];
}

export type TensorLookup =
  | { ok: true; tensors: Record<string, TraceTensor> }
  | { ok: false; missing: string[]; problem: string };

function fits(tensor: TraceTensor, shape: (number | null)[]): boolean {
  if (tensor.shape.length !== shape.length) return false;
  if (!shape.every((size, axis) => size === null || tensor.shape[axis] === size)) return false;
  return tensor.data.length === tensor.shape.reduce((a, b) => a * b, 1);
}

/** Every need present with its shape, or the first problem in words (missing names listed). */
export function lookupTensors(trace: Trace, needs: TensorNeed[], purpose: string): TensorLookup {
  const missing = needs.filter((need) => !trace.tensors[need.name]).map((need) => need.name);
  if (missing.length > 0) {
    return { ok: false, missing, problem: `This model's graph does not expose ${missing.join(', ')}, so there is nothing real to show for ${purpose}.` };
  }
  const tensors: Record<string, TraceTensor> = {};
  for (const need of needs) {
    const tensor = trace.tensors[need.name];
    if (!fits(tensor, need.shape)) {
      const expected = need.shape.map((size) => (size === null ? '?' : String(size))).join(', ');
      return { ok: false, missing: [], problem: `${need.name} has shape [${tensor.shape.join(', ')}]; this slide expects [${expected}].` };
    }
    tensors[need.name] = tensor;
  }
  return { ok: true, tensors };
}

/** The residual stream entering layer `layer`: the embeddings' sum, or the previous layer's output. */
export function residualInputName(layer: number): string {
  return layer === 0 ? embedOutputs.sum : layerOutput(layer - 1, 'resid.after_mlp');
}

export interface ResidualStage {
  /** Short axis label: "embed", "0 attn", "0 mlp", ..., "ln_f". */
  label: string;
  /** Longer words for notes and hover text. */
  description: string;
  name: string;
  /** ln_f is the final LayerNorm's output, not the residual stream itself. */
  isFinalNorm: boolean;
}

/** The residual stream after every sub-layer, in forward order, then the final LayerNorm. */
export function residualStages(model: ModelInfo): ResidualStage[] {
  const embeddings = model.architecture.positions === 'learned' ? 'token + position embeddings' : 'token embeddings (RoPE adds no vector)';
  const stages: ResidualStage[] = [{ label: 'embed', description: embeddings, name: embedOutputs.sum, isFinalNorm: false }];
  for (let layer = 0; layer < model.nLayer; layer++) {
    stages.push({ label: `${layer} attn`, description: `after layer ${layer}'s attention is added`, name: layerOutput(layer, 'resid.after_attn'), isFinalNorm: false });
    stages.push({ label: `${layer} mlp`, description: `after layer ${layer}'s feed-forward is added`, name: layerOutput(layer, 'resid.after_mlp'), isFinalNorm: false });
  }
  stages.push({ label: finalNormName(model), description: `after the final ${normName(model)} (the LM head reads this)`, name: finalNormOutput, isFinalNorm: true });
  return stages;
}
