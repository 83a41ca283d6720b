// A generation step's summary inside the graph, behind its own switch (step_top, src/convert/trace-branch-graph.ts):
// the last position's five largest logits (ONNX TopK) and their probabilities, so the engine's loop shows each
// step's five likeliest tokens and the chosen one's probability without a softmax over the vocabulary in
// JavaScript (~0.5 ms of exps per token on a 49,152-token vocabulary; onnxruntime's is a fraction of that).
import { attr, type GraphBuilder } from './onnx-writer';
import { batch, lastPosition } from './decoder-graph';
import type { LensOutput } from './logit-lens-graph';
import { STEP_TOP, stepTopOutputs } from '../trace/output-names';

/** Adds the nodes; returns the outputs to declare. `logits`: the model's logits [b, s, V]. */
export function buildStepTop(g: GraphBuilder, logits: string, vocabSize: number): LensOutput[] {
  const k = Math.min(STEP_TOP, vocabSize);
  // Four nodes, kept [b, 1, ·] (no Squeeze): each node costs a step a few microseconds in onnxruntime-web.
  const last = lastPosition(g, logits, 1, 'step.last_logits'); // [b, 1, V]
  // On the logits, not the probabilities: two logits a float32 softmax would round to one probability keep their order.
  const [, ids] = g.nodeWithOutputs('TopK', 'step.top_k', [last, g.constant('step_k', 'int64', [k])], {
    attributes: { axis: attr.int(-1), largest: attr.int(1), sorted: attr.int(1) },
    outputs: [stepTopOutputs.logits, stepTopOutputs.ids],
  });
  const probs = g.node('Softmax', 'step.last_probs', [last], { attributes: { axis: attr.int(-1) } });
  g.node('GatherElements', 'step.top_probs', [probs, ids], { attributes: { axis: attr.int(-1) }, outputs: [stepTopOutputs.probs] });
  return [
    { name: stepTopOutputs.ids, type: 'int64', shape: [batch, 1, k] },
    { name: stepTopOutputs.logits, type: 'float32', shape: [batch, 1, k] },
    { name: stepTopOutputs.probs, type: 'float32', shape: [batch, 1, k] },
  ];
}
