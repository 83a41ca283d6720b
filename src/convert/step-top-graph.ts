// A generation step's summary inside the graph, behind its own switch (step_top, src/convert/trace-branch-graph.ts):
// the last position's five largest logits (ONNX TopK) and the row's log-sum-exp, so the engine's loop shows each
// step's five likeliest tokens and the chosen one's probability without a softmax over the vocabulary in
// JavaScript (~0.5 ms of exps per token on a 49,152-token vocabulary; onnxruntime's is a fraction of that).
import { attr, type GraphBuilder } from './onnx-writer';
import { batch, lastPosition, logitsLogSumExp } from './decoder-graph';
import type { LensOutput } from './logit-lens-graph';
import { STEP_TOP, stepTopOutputs } from '../trace/output-names';

/** Adds the nodes; returns the outputs to declare. `logits`: the model's logits [b, s, V]. */
export function buildStepTop(g: GraphBuilder, logits: string, vocabSize: number): LensOutput[] {
  const k = Math.min(STEP_TOP, vocabSize);
  const last = lastPosition(g, logits, 1, 'step.last_logits');
  const row = g.node('Squeeze', 'step.last_row', [last, g.constant('axes', 'int64', [1])]); // [b, V]
  // On the logits, not the probabilities: two logits a float32 softmax would round to one probability keep their order.
  g.nodeWithOutputs('TopK', 'step.top_k', [row, g.constant('step_k', 'int64', [k])], {
    attributes: { axis: attr.int(-1), largest: attr.int(1), sorted: attr.int(1) },
    outputs: [stepTopOutputs.logits, stepTopOutputs.ids],
  });
  logitsLogSumExp(g, row, stepTopOutputs.logSumExp);
  return [
    { name: stepTopOutputs.ids, type: 'int64', shape: [batch, k] },
    { name: stepTopOutputs.logits, type: 'float32', shape: [batch, k] },
    { name: stepTopOutputs.logSumExp, type: 'float32', shape: [batch] },
  ];
}
