// A generation step's choice and what the slides show of it (the chosen token's probability, the five likeliest):
// from the graph's step summary (step.top.*, src/convert/step-top-graph.ts) when the model gives it, else from a
// softmax over the vocabulary in JavaScript. Greedy needs no pass over the logits at all then; sampling still
// draws from the whole distribution, which it builds from the logits.
import type { Tensor } from '@huggingface/transformers';
import { drawFrom, samplingDistribution, type SamplingSettings } from '../maths/sampling';
import { softmax, topKIndices } from '../maths/softmax';
import { STEP_TOP, stepTopOutputs } from '../trace/output-names';

export interface StepChoice {
  id: number;
  /** The chosen token's probability under the model (softmax of the logits, before the sampling settings). */
  prob: number;
  /** The STEP_TOP likeliest tokens, likeliest first. */
  top: { id: number; prob: number }[];
}

interface GraphTop {
  ids: number[];
  logits: number[];
  probs: number[];
}

/** The graph's step summary for batch row 0, or null when this run has none (an older graph, or the switch off). */
function readGraphTop(outputs: Record<string, Tensor>): GraphTop | null {
  const ids = outputs[stepTopOutputs.ids];
  const logits = outputs[stepTopOutputs.logits];
  const probs = outputs[stepTopOutputs.probs];
  if (!ids || !logits || !probs || probs.size === 0) return null;
  const k = ids.dims[ids.dims.length - 1];
  const row = (tensor: Tensor) => Array.from((tensor.data as Float32Array).subarray(0, k));
  return { ids: Array.from((ids.data as BigInt64Array).subarray(0, k), Number), logits: row(logits), probs: row(probs) };
}

/** Chooses the step's token (`uniform` in [0, 1) for a sampled draw); `lastLogits` reads the last position's logits when needed. */
export function chooseStepToken(outputs: Record<string, Tensor>, lastLogits: () => Float32Array, sampling: SamplingSettings, uniform: number): StepChoice {
  const graph = readGraphTop(outputs);
  if (graph) {
    const top = graph.ids.map((id, rank) => ({ id, prob: graph.probs[rank] }));
    if (sampling.temperature <= 0) return { id: top[0].id, prob: top[0].prob, top }; // greedy: the argmax, ties to the lower id
    // The row's log-sum-exp from the likeliest token: its probability is exp(logit - logSumExp).
    const logSumExp = graph.logits[0] - Math.log(graph.probs[0]);
    const logits = lastLogits();
    const id = drawFrom(samplingDistribution(logits, sampling), uniform);
    return { id, prob: Math.exp(logits[id] - logSumExp), top };
  }
  const logits = lastLogits();
  const id = drawFrom(samplingDistribution(logits, sampling), uniform);
  const probs = softmax(logits);
  return { id, prob: probs[id], top: topKIndices(probs, STEP_TOP).map((k) => ({ id: k, prob: probs[k] })) };
}
