// The engine's direct logit attribution: the top token's logit (and the top-two gap) at the last position split
// into what each part of the model wrote into the residual stream. The weight-side products come from the graph
// (trace.attr.*, src/convert/attribution-graph.ts): each head's vote (its output through its own slice of the
// projection, dotted with each readout row), the LM head's rows of the two likeliest tokens times the final norm's gain, the final bias along them, the
// projections' biases. Here only the float64 dot products with the Trace's last-position vectors: no weights in JavaScript.
import type { Tensor } from '@huggingface/transformers';
import { componentSum, finalNormScale, type AttributionComponent, type FinalNorm } from '../maths/attribution';
import { attributionOutputs, embedOutputs, layerOutput } from '../trace/output-names';
import type { AttributionTarget, LogitAttribution, MissingPart, ModelInfo, NextTokenCandidate, TraceAttribution, TraceTensor } from '../trace';

/** The graph's attribution outputs, batch dropped: [L, h, 2] head votes, [2] ids, [2, d] readout rows, [2] final bias, [L, d] biases. */
export interface GraphAttributionOutputs {
  headVotes: TraceTensor;
  readoutIds: number[];
  readout: TraceTensor;
  finalBias: Float32Array | null;
  projectionBias: TraceTensor | null;
}

const ATTRIBUTION_PREFIX = 'trace.attr.';

/** Whether a graph output is one of the attribution's (read here, not shipped in trace.tensors); by prefix, so an older graph's trace.attr.heads is left out too. */
export function isAttributionOutput(name: string): boolean {
  return name.startsWith(ATTRIBUTION_PREFIX);
}

/** The attribution's outputs of one run, or null when the graph has none (a model converted before they existed). */
export function readAttributionOutputs(outputs: Record<string, Tensor>): GraphAttributionOutputs | null {
  const headVotes = outputs[attributionOutputs.headVotes];
  const ids = outputs[attributionOutputs.readoutIds];
  const readout = outputs[attributionOutputs.readout];
  if (!headVotes || !ids || !readout) return null;
  const bias = outputs[attributionOutputs.finalBias];
  const projectionBias = outputs[attributionOutputs.projectionBias];
  return {
    headVotes: { shape: headVotes.dims.slice(1), data: (headVotes.data as Float32Array).slice() },
    readoutIds: Array.from(ids.data as BigInt64Array, Number).slice(0, 2),
    readout: { shape: readout.dims.slice(1), data: (readout.data as Float32Array).slice() },
    finalBias: bias ? (bias.data as Float32Array).slice(0, 2) : null,
    projectionBias: projectionBias ? { shape: projectionBias.dims, data: (projectionBias.data as Float32Array).slice() } : null,
  };
}

export interface AttributionInput {
  info: ModelInfo;
  tensors: Record<string, TraceTensor>;
  /** The graph's attribution outputs for this run; null when the model has none. */
  graph: GraphAttributionOutputs | null;
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

function dot64(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

/** (gain ⊙ row) / scale, centred for LayerNorm: what a residual-stream vector is read along (maths/attribution.ts's readoutDirection, gain already applied in the graph). */
function direction(gainTimesRow: ArrayLike<number>, norm: FinalNorm['kind'], scale: number): Float64Array {
  const out = Float64Array.from(gainTimesRow);
  if (norm === 'layernorm') {
    const mean = out.reduce((sum, x) => sum + x, 0) / out.length;
    for (let i = 0; i < out.length; i++) out[i] -= mean;
  }
  for (let i = 0; i < out.length; i++) out[i] /= scale;
  return out;
}

interface Parts {
  tokenEmbedding: Float32Array;
  positionEmbedding: Float32Array | null;
  finalResidual: Float32Array;
  mlpOut: Float32Array[];
}

/** What the attribution reads from the Trace's tensors, or what it lacks. */
function partsOf(info: ModelInfo, tensors: Record<string, TraceTensor>): Parts | { missing: MissingPart[] } {
  const missing: MissingPart[] = [];
  const tensor = (name: string) => tensors[name] ?? (missing.push({ part: PART, needs: name, reason: "the model's graph does not expose it" }), undefined);
  const tokens = tensor(embedOutputs.tokens);
  const positions = info.architecture.positions === 'learned' ? tensor(embedOutputs.positions) : null;
  const final = tensor(layerOutput(info.nLayer - 1, 'resid.after_mlp'));
  const mlp = Array.from({ length: info.nLayer }, (_, layer) => tensor(layerOutput(layer, 'mlp.out')));
  if (missing.length > 0 || !tokens || positions === undefined || !final) return { missing };
  return { tokenEmbedding: lastRow(tokens), positionEmbedding: positions ? lastRow(positions) : null, finalResidual: lastRow(final), mlpOut: mlp.map((t) => lastRow(t!)) };
}

/**
 * The components of a readout (a linear function of the two readout rows: `weights` [1, 0] is the top token's logit,
 * [1, -1] the gap), in maths/attribution.ts's order: token embedding, position embedding, per layer each head,
 * the projection's bias, the MLP; last the final norm's bias.
 */
function components(parts: Parts, graph: GraphAttributionOutputs, info: ModelInfo, scale: number, weights: [number, number]): AttributionComponent[] {
  const width = graph.readout.shape[1];
  const rows = [0, 1].map((i) => graph.readout.data.subarray(i * width, (i + 1) * width));
  const combined = Float64Array.from({ length: width }, (_, i) => weights[0] * rows[0][i] + (weights[1] === 0 ? 0 : weights[1] * rows[1][i]));
  const along = direction(combined, info.architecture.norm, scale);
  const result: AttributionComponent[] = [{ kind: 'embed', layer: null, head: null, value: dot64(parts.tokenEmbedding, along) }];
  if (parts.positionEmbedding) result.push({ kind: 'pos', layer: null, head: null, value: dot64(parts.positionEmbedding, along) });
  // The graph's head votes are each head's dot product with the two centred rows: combined here, divided by the scale.
  const [layers, heads] = graph.headVotes.shape;
  const votes = graph.headVotes.data;
  for (let layer = 0; layer < layers; layer++) {
    for (let head = 0; head < heads; head++) {
      const at = (layer * heads + head) * 2;
      result.push({ kind: 'head', layer, head, value: (weights[0] * votes[at] + (weights[1] === 0 ? 0 : weights[1] * votes[at + 1])) / scale });
    }
    if (graph.projectionBias) result.push({ kind: 'bias', layer, head: null, value: dot64(graph.projectionBias.data.subarray(layer * width, (layer + 1) * width), along) });
    result.push({ kind: 'mlp', layer, head: null, value: dot64(parts.mlpOut[layer], along) });
  }
  if (graph.finalBias) result.push({ kind: 'bias', layer: null, head: null, value: weights[0] * graph.finalBias[0] + weights[1] * graph.finalBias[1] });
  return result;
}

function targetOf(candidate: NextTokenCandidate): AttributionTarget {
  return { id: candidate.id, token: candidate.token, logit: candidate.logit };
}

/** The top token's logit and the top-two gap, attributed; or what was missing. */
export function computeAttribution(input: AttributionInput): AttributionResult {
  const { info, tensors, graph, topk } = input;
  if (!graph) return { attribution: null, missing: [{ part: PART, needs: attributionOutputs.headVotes, reason: "the model's graph does not expose it: convert it again with today's converter" }] };
  const parts = partsOf(info, tensors);
  if ('missing' in parts) return { attribution: null, missing: parts.missing };
  const [top, second] = topk;
  // The graph picked its two rows by logit; the engine's top k by probability: the same tokens unless two logits tie.
  if (graph.readoutIds[0] !== top.id || (second && graph.readoutIds[1] !== second.id)) {
    return { attribution: null, missing: [{ part: PART, needs: attributionOutputs.readoutIds, reason: 'two tokens tie for the top: the graph chose another' }] };
  }
  const normKind = info.architecture.norm;
  // The final norm's divisor only needs its kind and epsilon: the gain and bias are inside the graph's readout.
  const scale = finalNormScale(parts.finalResidual, { kind: normKind, gain: [], bias: null, epsilon: info.layerNormEpsilon });
  const variant = (weights: [number, number], against: NextTokenCandidate | null, modelValue: number): LogitAttribution => {
    const list = components(parts, graph, info, scale, weights);
    return { target: targetOf(top), against: against ? targetOf(against) : null, components: list, sum: componentSum(list), modelValue };
  };
  return {
    attribution: {
      logit: variant([1, 0], null, top.logit),
      gap: second ? variant([1, -1], second, top.logit - second.logit) : null,
      norm: normKind,
      scale,
    },
    missing: [],
  };
}
