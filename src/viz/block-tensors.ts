// The transformer-block intermediates a slide reads out of a Trace (lookupTensors is src/trace's readTensors: names and shapes checked),
// so a slide can say in words which outputs are missing instead of failing.
import { embedOutputs, finalNormOutput, layerOutput } from '../trace/output-names';
import { readTensors, type ModelInfo } from '../trace';
export type { TensorNeed } from '../trace';
import { finalNormName, normName } from './architecture-names';

/** Every need present with its shape, or the first problem in words (missing names listed): src/trace's reader. */
export const lookupTensors = readTensors;
export type TensorLookup = ReturnType<typeof readTensors>;

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
