// The logit lens inside the graph: each shown stage's residual stream at the last position, through the
// final norm and the LM head, softmax over the vocabulary and the top k (ONNX TopK), so only [stages, k]
// ids and probabilities leave the runtime instead of a JavaScript pass over the head's weights.
// Behind its own switch (trace_lens, src/convert/trace-branch-graph.ts): it reads only the residuals at the call's
// last position, so any call whose last input is the prompt's last token gives it, the answer's first step included.
import { attr, type Dim, type GraphBuilder } from './onnx-writer';
import { batch, lastPosition } from './decoder-graph';
import { layerOutput, logitLensOutputs } from '../trace/output-names';
import { LOGIT_LENS_TOP, logitLensStages } from '../trace/logit-lens';

export interface LogitLensGraphInput {
  g: GraphBuilder;
  nLayer: number;
  /** The model's final norm applied to `x` (LayerNorm or RMSNorm, with its own weights). */
  finalNorm: (x: string) => string;
  /** The LM head as the graph multiplies by it, [d, V] (the same value the logits use: no second copy). */
  headTransposed: string;
  /** The model's logits [b, s, V]: the last stage's row is their last position, not computed twice. */
  logits: string;
  /** The graph value a traced name (a stage's residual stream) stands for. */
  valueOf: (traceName: string) => string;
  vocabSize: number;
}

/** The lens's outputs with their element types and shapes, to declare after the trace outputs. */
export interface LensOutput {
  name: string;
  type: 'int64' | 'float32';
  shape: Dim[];
}

export function buildLogitLens({ g, nLayer, finalNorm, headTransposed, logits, valueOf, vocabSize }: LogitLensGraphInput): LensOutput[] {
  const stages = logitLensStages(nLayer);
  const last = stages.at(-1)!;
  if (last.output !== layerOutput(nLayer - 1, 'resid.after_mlp')) throw new Error('the logit lens must end on the last layer');
  const k = Math.min(LOGIT_LENS_TOP, vocabSize);
  const lastOf = (x: string, name: string) => lastPosition(g, x, 1, name);

  // The earlier stages' last positions, stacked [b, S-1, d], through the final norm and the head.
  const earlier = stages.slice(0, -1).map((stage, i) => lastOf(valueOf(stage.output), `lens.stage_${i}`));
  const stacked = earlier.length === 1 ? earlier[0] : g.node('Concat', 'lens.stacked', earlier, { attributes: { axis: attr.int(1) } });
  const earlierLogits = g.node('MatMul', 'lens.head', [finalNorm(stacked), headTransposed]); // [b, S-1, V]
  const allLogits = g.node('Concat', 'lens.logits_all', [earlierLogits, lastOf(logits, 'lens.last_logits')], { attributes: { axis: attr.int(1) } });

  const probs = g.node('Softmax', 'lens.softmax', [allLogits], { attributes: { axis: attr.int(-1) } });
  g.nodeWithOutputs('TopK', 'lens.top_k', [probs, g.constant('lens_k', 'int64', [k])], {
    attributes: { axis: attr.int(-1), largest: attr.int(1), sorted: attr.int(1) },
    outputs: [logitLensOutputs.probs, logitLensOutputs.ids],
  });
  g.node('GatherElements', 'lens.top_logits', [allLogits, logitLensOutputs.ids], { attributes: { axis: attr.int(-1) }, outputs: [logitLensOutputs.logits] });

  const shape = [batch, 'lens_stages', k];
  return [
    { name: logitLensOutputs.ids, type: 'int64', shape },
    { name: logitLensOutputs.probs, type: 'float32', shape },
    { name: logitLensOutputs.logits, type: 'float32', shape },
  ];
}
