// The engine's direct logit attribution: reads the last position of the Trace's tensors and the attention
// output projections' weights, and hands them to src/maths/attribution.ts. Here because it needs weights.
import type { Weight } from '../convert/onnx-reader';
import { attributeLogit, componentSum, rowDifference, type AttributionParts, type OutputProjection } from '../maths/attribution';
import { embedOutputs, layerOutput } from '../trace/output-names';
import type { AttributionTarget, LogitAttribution, MissingPart, ModelInfo, NextTokenCandidate, TraceAttribution, TraceTensor } from '../trace';
import { finalNormScale } from '../maths/attribution';
import { extrasWeightNames } from './trace-extras';

/** Above this many bytes of output projections (all layers, float32) the engine does not copy them: a big model's slide says why. */
export const ATTRIBUTION_WEIGHT_BUDGET = 96 * 1024 * 1024;

/** Each layer's attention output projection (and its bias), by the checkpoint's names. */
export function outputProjectionNames(info: Pick<ModelInfo, 'architecture'>, layer: number): { weight: string; bias: string; layout: OutputProjection['layout'] } {
  return info.architecture.family === 'llama'
    ? { weight: `model.layers.${layer}.self_attn.o_proj.weight`, bias: `model.layers.${layer}.self_attn.o_proj.bias`, layout: 'out-in' }
    : { weight: `transformer.h.${layer}.attn.c_proj.weight`, bias: `transformer.h.${layer}.attn.c_proj.bias`, layout: 'in-out' };
}

function projectionBytes(info: Pick<ModelInfo, 'nLayer' | 'nEmbd' | 'nHead' | 'headDim'>): number {
  return info.nLayer * info.nEmbd * info.nHead * info.headDim * 4;
}

/** The initializers the attribution reads besides the extras' (the final norm and the LM head): every output projection, within the budget. */
export function weightsForAttribution(info: Pick<ModelInfo, 'architecture' | 'nLayer' | 'nEmbd' | 'nHead' | 'headDim'>): string[] {
  if (projectionBytes(info) > ATTRIBUTION_WEIGHT_BUDGET) return [];
  const names: string[] = [];
  for (let layer = 0; layer < info.nLayer; layer++) {
    const { weight, bias } = outputProjectionNames(info, layer);
    names.push(weight, bias);
  }
  return names;
}

export interface AttributionInput {
  info: ModelInfo;
  tensors: Record<string, TraceTensor>;
  weights: ReadonlyMap<string, Weight>;
  /** The two likeliest next tokens, with the model's logits. */
  topk: readonly NextTokenCandidate[];
}

export type AttributionResult = { attribution: TraceAttribution; missing: [] } | { attribution: null; missing: MissingPart[] };

const PART = 'attribution';

/** The last row of a [.., s, width] tensor. */
function lastRow(tensor: TraceTensor): Float32Array {
  const width = tensor.shape[tensor.shape.length - 1];
  return tensor.data.subarray(tensor.data.length - width);
}

/** Each head's context at the last position, from attn.context [h, s, hd]. */
function headContexts(context: TraceTensor): Float32Array[] {
  const [heads, positions, headWidth] = context.shape;
  return Array.from({ length: heads }, (_, head) => context.data.subarray((head * positions + positions - 1) * headWidth, (head * positions + positions) * headWidth));
}

/** What the attribution reads, or the first things it lacks. */
export function attributionParts(input: Pick<AttributionInput, 'info' | 'tensors' | 'weights'>): { parts: AttributionParts; unembed: Weight } | { missing: MissingPart[] } {
  const { info, tensors, weights } = input;
  const names = extrasWeightNames(info.architecture);
  const missing: MissingPart[] = [];
  const tensor = (name: string) => tensors[name] ?? (missing.push({ part: PART, needs: name, reason: "the model's graph does not expose it" }), undefined);
  const weight = (name: string) => weights.get(name) ?? (missing.push({ part: PART, needs: name, reason: projectionBytes(info) > ATTRIBUTION_WEIGHT_BUDGET ? 'the model is too large to copy its projections into the slides' : 'the weight could not be read from the model' }), undefined);
  const unembed = weight(names.lmHead);
  const gain = weight(names.finalNormGain);
  const normBias = names.finalNormBias === null ? null : weight(names.finalNormBias);
  const learned = info.architecture.positions === 'learned';
  const tokens = tensor(embedOutputs.tokens);
  const positions = learned ? tensor(embedOutputs.positions) : null;
  const final = tensor(layerOutput(info.nLayer - 1, 'resid.after_mlp'));
  const layers = Array.from({ length: info.nLayer }, (_, layer) => {
    const projection = outputProjectionNames(info, layer);
    return {
      context: tensor(layerOutput(layer, 'attn.context')),
      mlpOut: tensor(layerOutput(layer, 'mlp.out')),
      weight: weight(projection.weight),
      bias: weights.get(projection.bias) ?? null, // Llama's o_proj has none unless the config says so
      layout: projection.layout,
    };
  });
  if (missing.length > 0 || !unembed || !gain || normBias === undefined || !tokens || positions === undefined || !final) return { missing };
  const parts: AttributionParts = {
    finalResidual: lastRow(final),
    finalNorm: { kind: info.architecture.norm, gain: gain.data, bias: normBias?.data ?? null, epsilon: info.layerNormEpsilon },
    tokenEmbedding: lastRow(tokens),
    positionEmbedding: positions ? lastRow(positions) : null,
    layers: layers.map((layer) => ({
      headContexts: headContexts(layer.context!),
      projection: { weight: layer.weight!.data, layout: layer.layout, bias: layer.bias?.data ?? null },
      mlpOut: lastRow(layer.mlpOut!),
    })),
  };
  return { parts, unembed };
}

function targetOf(candidate: NextTokenCandidate): AttributionTarget {
  return { id: candidate.id, token: candidate.token, logit: candidate.logit };
}

/** The top token's logit and the top-two gap, attributed; or what was missing. */
export function computeAttribution(input: AttributionInput): AttributionResult {
  const read = attributionParts(input);
  if ('missing' in read) return { attribution: null, missing: read.missing };
  const { parts, unembed } = read;
  const width = unembed.shape[1];
  const row = (id: number) => unembed.data.subarray(id * width, (id + 1) * width);
  const [top, second] = input.topk;
  const variant = (direction: ArrayLike<number>, against: NextTokenCandidate | null, modelValue: number): LogitAttribution => {
    const components = attributeLogit(parts, direction);
    return { target: targetOf(top), against: against ? targetOf(against) : null, components, sum: componentSum(components), modelValue };
  };
  return {
    attribution: {
      logit: variant(row(top.id), null, top.logit),
      gap: second ? variant(rowDifference(row(top.id), row(second.id)), second, top.logit - second.logit) : null,
      norm: parts.finalNorm.kind,
      scale: finalNormScale(parts.finalResidual, parts.finalNorm),
    },
    missing: [],
  };
}
